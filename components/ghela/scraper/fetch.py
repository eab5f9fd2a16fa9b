"""Fetching a source politely: files, or HTTP with every courtesy a small bot owes a site.

- a descriptive User-Agent, a timeout on every request, a size cap on every body;
- robots.txt respected (see :mod:`ghela.scraper.robots`);
- conditional requests: the ETag / Last-Modified of the last good fetch are sent back, so
  an unchanged page costs a 304 and no body;
- retries on network faults, 429 and 5xx, with exponential backoff capped at
  ``backoff_max`` (a ``Retry-After`` in seconds is honoured up to the same cap). Waiting is
  done through ``sleep``, which returns True when the component is stopping, so a stop
  never waits out a backoff.

A fetch never raises for what the network or the file system does: it returns a
:class:`Fetched` with ``error`` set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ghela.core.backoff import capped_delay
from ghela.scraper.http import HttpRequest, HttpResponse, Transport, read_capped
from ghela.scraper.robots import RobotsRules

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPT = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "ics": "text/calendar,text/plain;q=0.9,*/*;q=0.5",
}

Sleep = Callable[[float], bool]
"""Wait this many seconds; True means "stop now" (the wait was interrupted)."""


@dataclass(frozen=True)
class Validators:
    """What makes a request conditional: the last good response's ETag and Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes = b""
    status: int | None = None
    error: str | None = None
    truncated: bool = False
    not_modified: bool = False
    validators: Validators = Validators()


@dataclass(frozen=True)
class Politeness:
    user_agent: str
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 2.0
    backoff_max: float = 60.0
    max_bytes: int = 2_000_000
    respect_robots: bool = True


def is_http(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def local_path(location: str) -> Path:
    """A ``file://`` URL or a plain path as a path."""
    if location.lower().startswith("file://"):
        return Path(unquote(urlsplit(location).path))
    return Path(location)


class Fetcher:
    """Gets a source's bytes, from a file or over HTTP through the transport handed in."""

    def __init__(self, transport: Transport, politeness: Politeness, sleep: Sleep) -> None:
        self._transport = transport
        self._rules = politeness
        self._sleep = sleep
        self._robots = RobotsRules(transport, politeness.user_agent, politeness.timeout)

    def fetch(self, location: str, kind: str, now: datetime, validators: Validators | None = None) -> Fetched:
        if is_http(location):
            return self._fetch_http(location, kind, now, validators)
        return self._read_file(location)

    def _read_file(self, location: str) -> Fetched:
        path = local_path(location)
        try:
            with path.open("rb") as stream:
                body, truncated = read_capped(stream, self._rules.max_bytes)
        except OSError as exc:
            return Fetched(location, error=f"cannot read {path}: {exc.strerror or exc}")
        return Fetched(location, body=body, truncated=truncated)

    def _fetch_http(self, url: str, kind: str, now: datetime, validators: Validators | None) -> Fetched:
        if self._rules.respect_robots and not self._robots.allowed(url, now):
            return Fetched(
                url,
                error=f"robots.txt of {urlsplit(url).netloc} does not allow fetching {url} "
                "(while robots.txt cannot be read, nothing is allowed)",
            )
        headers = {"User-Agent": self._rules.user_agent, "Accept": ACCEPT.get(kind, "*/*")}
        if validators is not None and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators is not None and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        request = HttpRequest(url, headers, timeout=self._rules.timeout, max_bytes=self._rules.max_bytes)
        attempt = 0
        while True:
            problem, response = self._attempt(request)
            if problem is None or attempt >= self._rules.retries:
                break
            attempt += 1
            delay = self._delay(attempt, response)
            log.warning("fetching %s: %s; retry %d in %.1f s", url, problem, attempt, delay)
            if self._sleep(delay):
                return Fetched(url, error=f"stopped while retrying {url} after: {problem}")
        if response is None:
            return Fetched(url, error=f"fetching {url} failed after {attempt + 1} tries: {problem}")
        return self._result(url, response)

    def _attempt(self, request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
        try:
            response = self._transport(request)
        except (OSError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}", None
        if response.status in RETRY_STATUSES:
            return f"HTTP {response.status}", response
        return None, response

    def _delay(self, attempt: int, response: HttpResponse | None) -> float:
        delay = capped_delay(attempt, self._rules.backoff, self._rules.backoff_max)
        retry_after = response.header("retry-after") if response is not None else None
        if retry_after is not None and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        return min(delay, self._rules.backoff_max)

    def _result(self, url: str, response: HttpResponse) -> Fetched:
        status = response.status
        if status == 304:
            return Fetched(url, status=status, not_modified=True)
        if not 200 <= status < 300:
            return Fetched(url, status=status, error=f"HTTP {status} from {url}")
        found = Validators(response.header("etag"), response.header("last-modified"))
        return Fetched(url, response.body, status, truncated=response.truncated, validators=found)
