"""A fixtures site on 127.0.0.1 for the crawl's tests: scripted answers, every request kept.

``Site.answers[path]`` is a list of :class:`Answer`; each request to ``path`` takes the next
one (the last is repeated). An answer with ``etag`` honours ``If-None-Match`` with a 304.
``/robots.txt`` answers 404 unless scripted. The ``site`` fixture (conftest) serves one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    etag: str | None = None
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    url: str = ""
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    def to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]


def handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
            queue = site.answers.get(self.path) or [Answer(404, b"not here")]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if answer.etag is not None and self.headers.get("If-None-Match") == answer.etag:
                self.send_response(304)
                self.send_header("ETag", answer.etag)
                self.end_headers()
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.etag is not None:
                self.send_header("ETag", answer.etag)
            self.end_headers()
            try:
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, *args: object) -> None:
            return

    return Handler
