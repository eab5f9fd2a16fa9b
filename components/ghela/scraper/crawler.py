"""The component's side of a crawl: start the child, hand it the job, read its report.

:class:`ChildCrawl` runs ``python -m ghela.scraper.crawl`` once per scrape, so Twisted and
Scrapy live only as long as one crawl. The child is killed when the component stops (a
stop never waits for a slow site) and when it runs past a deadline derived from the
timeouts and retries. Whatever becomes of the child, every source asked for gets a
:class:`~ghela.scraper.pages.Fetched`; a child that failed makes each an error saying so.
Scrapy's log lines (its stderr) are passed on to this component's log.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.pages import CrawlJob, CrawlReport, Fetched

log = logging.getLogger(__name__)

Crawl = Callable[[Sequence[SourceConfig], datetime, threading.Event], dict[str, Fetched]]
"""Fetch and read these sources now; return early (with what it has) once the event is set."""

LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")
POLL_SECONDS = 0.2
START_SECONDS = 30.0
"""Allowance for the child's start-up (imports) and shut-down on a slow Pi."""


def deadline_seconds(config: ScraperConfig, sources: int) -> float:
    """How long a crawl may take: every request of every source timing out on every try,
    robots.txt included, with the longest throttle delay between them."""
    per_try = config.timeout_seconds + config.backoff_max_seconds
    return START_SECONDS + 2 * sources * (config.retries + 1) * per_try


class ChildCrawl:
    """A :data:`Crawl` in a child process, with Scrapy's HTTP cache kept in ``cache_dir``."""

    def __init__(self, config: ScraperConfig, python: str = sys.executable) -> None:
        self._config = config
        self._python = python
        self._cache_dir = str(Path(config.http_cache_path).absolute())

    def __call__(
        self, sources: Sequence[SourceConfig], now: datetime, stopping: threading.Event
    ) -> dict[str, Fetched]:
        job = CrawlJob(
            config=self._config, sources=[s.name for s in sources], now=now, cache_dir=self._cache_dir
        )
        limit = deadline_seconds(self._config, len(sources))
        child = subprocess.Popen(
            [self._python, "-m", "ghela.scraper.crawl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started = time.monotonic()
        payload: bytes | None = job.model_dump_json(by_alias=True).encode()
        while True:
            try:
                out, err = child.communicate(payload, timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                payload = None  # sent already; a retried communicate() must not send it again
                if stopping.is_set():
                    self._end(child)
                    return {}
                if time.monotonic() - started > limit:
                    self._end(child)
                    return _all_failed(sources, f"the crawl took longer than {limit:.0f} s and was stopped")
        _log_stderr(err)
        if child.returncode != 0:
            last = err.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [
                "no output"
            ]  # the exception
            reason = f"the crawl process failed (exit {child.returncode}): {last[0][:300]}"
            return _all_failed(sources, reason)
        try:
            report = CrawlReport.model_validate_json(out)
        except ValidationError as exc:
            return _all_failed(
                sources, f"the crawl process wrote no readable report: {exc.errors()[0]['msg']}"
            )
        return {page.source: page for page in report.pages}

    @staticmethod
    def _end(child: subprocess.Popen[bytes]) -> None:
        child.kill()
        child.communicate()


def _all_failed(sources: Sequence[SourceConfig], reason: str) -> dict[str, Fetched]:
    return {source.name: Fetched(source=source.name, url=source.url, error=reason) for source in sources}


def _log_stderr(err: bytes) -> None:
    """Scrapy's log records (not the tracebacks under them: the report says what failed)."""
    records = [line for line in err.decode("utf-8", errors="replace").splitlines() if LOG_RECORD.match(line)]
    for line in records[-50:]:
        log.warning("crawl: %s", line[:1000])
