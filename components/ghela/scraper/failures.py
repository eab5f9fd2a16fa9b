"""What really went wrong with a request, in a person's words, from Scrapy's failure.

Scrapy (2.13+) wraps Twisted's errors in its own (``scrapy.exceptions``); the HTTP error
middleware raises :class:`HttpError` for a status outside 2xx once the retries are spent;
the robots.txt middleware raises ``IgnoreRequest("Forbidden by robots.txt")``. TLS trouble
arrives as a failed download whose cause holds an OpenSSL error. Each gets its own message,
so "the name does not resolve" is never reported as "robots.txt does not allow".
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

TLS_WORDS = ("ssl", "tls", "certificate", "handshake")


def describe(
    failure: Failure, url: str, *, timeout: float, retries: int, max_bytes: int
) -> tuple[str, int | None]:
    """``(message, http status or None)`` for a request to ``url`` that failed."""
    host = urlsplit(url).hostname or url
    error = failure.value
    tries = f" (after {retries + 1} tries)" if retries else ""
    if isinstance(error, HttpError):
        status = error.response.status
        return f"HTTP {status} from {url}{tries if status >= 500 or status in (408, 429) else ''}", status
    if isinstance(error, IgnoreRequest):
        if "robots.txt" in str(error):
            return f"robots.txt of {host} does not allow fetching {url}", None
        return f"request to {url} dropped: {error}", None
    if isinstance(error, CannotResolveHostError):
        return f"the name {host} does not resolve (DNS lookup failed){tries}: is the network up?", None
    if isinstance(error, DownloadTimeoutError):
        return f"{host} did not answer within {timeout:g} s{tries}", None
    if isinstance(error, DownloadConnectionRefusedError):
        return f"{host} refused the connection{tries}", None
    if isinstance(error, DownloadCancelledError):
        return f"page from {url} is larger than the size cap ({max_bytes} bytes); not read", None
    if isinstance(error, DownloadFailedError | ResponseDataLossError):
        text = _causes(error)
        if any(word in text.lower() for word in TLS_WORDS):
            return f"TLS with {host} failed{tries}: {text[:300]}", None
        return f"the answer from {host} broke off{tries}: {text[:300]}", None
    if isinstance(error, UnsupportedURLSchemeError):
        return f"{url}: this kind of address cannot be fetched", None
    if isinstance(error, OSError):  # file:// sources
        return f"cannot read {unquote(urlsplit(url).path)}: {error.strerror or error}", None
    return f"fetching {url} failed: {type(error).__name__}: {str(error)[:300]}", None


def _causes(error: BaseException) -> str:
    """The error and what caused it (Twisted's ResponseFailed keeps its reasons in a list)."""
    parts: list[str] = [str(error)]
    cause = error.__cause__
    while cause is not None and len(parts) < 5:
        for reason in getattr(cause, "reasons", []):
            parts.append(repr(getattr(reason, "value", reason)))
        parts.append(str(cause))
        cause = cause.__cause__
    return "; ".join(part for part in parts if part)
