"""The HTTP seam: a request, a response, and the one class that talks to the network.

Everything above this module sees a :data:`Transport`, a plain function from
:class:`HttpRequest` to :class:`HttpResponse` (it raises ``OSError`` when the network fails,
``TimeoutError`` included). Production uses :class:`UrllibTransport`; tests hand in a
function, so no test touches the network.

Bodies are streamed and reading stops at ``max_bytes``: a 10 MB page costs at most the cap
in memory, and the response says it was ``truncated``.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class HttpRequest:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 20.0
    max_bytes: int = 2_000_000


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    """Header names in lower case."""
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Transport = Callable[[HttpRequest], HttpResponse]


def read_capped(stream: BinaryIO, max_bytes: int) -> tuple[bytes, bool]:
    """Up to ``max_bytes`` from ``stream``, in chunks; True when there was more."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(CHUNK_BYTES, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)[:max_bytes], True


class UrllibTransport:
    """HTTP(S) with the standard library: redirects followed, every status returned."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.url.lower().startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {request.url!r}")
        outgoing = urllib.request.Request(request.url, headers=request.headers, method="GET")
        try:
            try:
                response = self._opener.open(outgoing, timeout=request.timeout)
            except urllib.error.HTTPError as exc:  # 304, 4xx, 5xx: still a response
                response = exc
            with response:
                body, truncated = read_capped(response, request.max_bytes)
                headers = {name.lower(): value for name, value in response.headers.items()}
                return HttpResponse(response.status, headers, body, truncated)
        except http.client.HTTPException as exc:  # a broken answer is a network fault
            raise ConnectionError(f"broken HTTP answer from {request.url}: {exc!r}") from exc
