"""Polite fetching: User-Agent, conditional requests, retries with capped backoff,
robots.txt, size caps, files — with a function standing in for the network, and one
real local HTTP server for streaming."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ghela.scraper.fetch import Fetcher, Politeness, Validators
from ghela.scraper.http import HttpRequest, HttpResponse, UrllibTransport

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = "https://www.kaagent.be/nl/wedstrijden"
UA = "GhelamcoAlert/test (office parking warning light)"


class FakeSite:
    """A transport: answers robots.txt and the page from scripted responses, records requests."""

    def __init__(self, *page: HttpResponse | Exception, robots: HttpResponse | None = None) -> None:
        self.answers = list(page)
        self.robots = robots or HttpResponse(404)
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if request.url.endswith("/robots.txt"):
            return self.robots
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def page_requests(self) -> list[HttpRequest]:
        return [r for r in self.requests if not r.url.endswith("/robots.txt")]


class Sleeps:
    def __init__(self, interrupt_after: int | None = None) -> None:
        self.delays: list[float] = []
        self._interrupt_after = interrupt_after

    def __call__(self, seconds: float) -> bool:
        self.delays.append(seconds)
        return self._interrupt_after is not None and len(self.delays) >= self._interrupt_after


def fetcher(
    site: Callable[[HttpRequest], HttpResponse], sleeps: Sleeps | None = None, **rules: object
) -> Fetcher:
    politeness = Politeness(user_agent=UA, **{"retries": 3, "backoff": 2.0, "backoff_max": 5.0, **rules})
    return Fetcher(site, politeness, sleeps or Sleeps())


def test_a_page_with_user_agent_timeout_and_validators() -> None:
    site = FakeSite(
        HttpResponse(200, {"etag": '"v1"', "last-modified": "Tue, 24 Nov 2026 10:00:00 GMT"}, b"<html/>")
    )
    fetched = fetcher(site, timeout=7.0).fetch(URL, "html", NOW)
    assert (fetched.status, fetched.body, fetched.error) == (200, b"<html/>", None)
    assert fetched.validators == Validators('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT")
    (request,) = site.page_requests
    assert request.headers["User-Agent"] == UA and "text/html" in request.headers["Accept"]
    assert request.timeout == 7.0
    assert "If-None-Match" not in request.headers


def test_conditional_request_and_304() -> None:
    site = FakeSite(HttpResponse(304))
    fetched = fetcher(site).fetch(URL, "ics", NOW, Validators('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT"))
    assert fetched.not_modified and fetched.error is None
    headers = site.page_requests[0].headers
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Tue, 24 Nov 2026 10:00:00 GMT"
    assert "text/calendar" in headers["Accept"]


def test_retries_with_capped_exponential_backoff() -> None:
    sleeps = Sleeps()
    site = FakeSite(
        TimeoutError("timed out"), HttpResponse(503), HttpResponse(502), HttpResponse(200, body=b"ok")
    )
    fetched = fetcher(site, sleeps).fetch(URL, "html", NOW)
    assert fetched.body == b"ok" and fetched.error is None
    assert sleeps.delays == [2.0, 4.0, 5.0]
    assert len(site.page_requests) == 4


def test_gives_up_after_the_retries_with_the_last_problem() -> None:
    sleeps = Sleeps()
    fetched = fetcher(FakeSite(HttpResponse(503)), sleeps, retries=2).fetch(URL, "html", NOW)
    assert fetched.status == 503 and fetched.error == f"HTTP 503 from {URL}"
    fetched = fetcher(FakeSite(ConnectionRefusedError("refused")), retries=1).fetch(URL, "html", NOW)
    assert (
        fetched.error is not None and "failed after 2 tries" in fetched.error and "refused" in fetched.error
    )


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    sleeps = Sleeps()
    site = FakeSite(
        HttpResponse(429, {"retry-after": "3"}),
        HttpResponse(429, {"retry-after": "120"}),
        HttpResponse(200, body=b"ok"),
    )
    fetcher(site, sleeps).fetch(URL, "html", NOW)
    assert sleeps.delays == [3.0, 5.0]


def test_a_stop_during_backoff_ends_the_fetch() -> None:
    sleeps = Sleeps(interrupt_after=1)
    fetched = fetcher(FakeSite(HttpResponse(500)), sleeps).fetch(URL, "html", NOW)
    assert fetched.error is not None and fetched.error.startswith("stopped while retrying")
    assert len(sleeps.delays) == 1


def test_client_errors_are_not_retried() -> None:
    site = FakeSite(HttpResponse(404))
    fetched = fetcher(site).fetch(URL, "html", NOW)
    assert fetched.error == f"HTTP 404 from {URL}" and len(site.page_requests) == 1


ROBOTS = b"User-agent: *\nDisallow: /private\n\nUser-agent: GhelamcoAlert\nDisallow: /nl/wedstrijden\n"


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        (HttpResponse(200, body=ROBOTS), False),
        (HttpResponse(200, body=b"User-agent: *\nDisallow: /private\n"), True),
        (HttpResponse(404), True),
        (HttpResponse(503), False),
    ],
)
def test_robots_txt_is_respected(robots: HttpResponse, allowed: bool) -> None:
    site = FakeSite(HttpResponse(200, body=b"page"), robots=robots)
    fetched = fetcher(site).fetch(URL, "html", NOW)
    assert (fetched.error is None) == allowed
    if not allowed:
        assert "robots.txt of www.kaagent.be" in (fetched.error or "")
        assert site.page_requests == []


def test_robots_txt_is_cached_for_a_day_and_can_be_ignored() -> None:
    site = FakeSite(HttpResponse(200, body=b"page"), robots=HttpResponse(404))
    polite = fetcher(site)
    polite.fetch(URL, "html", NOW)
    polite.fetch(URL, "html", NOW + timedelta(hours=23))
    polite.fetch(URL, "html", NOW + timedelta(hours=25))
    assert sum(r.url.endswith("/robots.txt") for r in site.requests) == 2
    careless = FakeSite(HttpResponse(200, body=b"page"), robots=HttpResponse(200, body=ROBOTS))
    assert fetcher(careless, respect_robots=False).fetch(URL, "html", NOW).error is None


def test_files_with_a_size_cap(tmp_path: Path) -> None:
    small, big = tmp_path / "feed.ics", tmp_path / "big.html"
    small.write_bytes(b"BEGIN:VCALENDAR")
    big.write_bytes(b"x" * 5000)
    site = FakeSite(HttpResponse(500))
    assert fetcher(site).fetch(str(small), "ics", NOW).body == b"BEGIN:VCALENDAR"
    assert fetcher(site).fetch(small.as_uri(), "ics", NOW).body == b"BEGIN:VCALENDAR"
    capped = fetcher(site, max_bytes=1024).fetch(str(big), "html", NOW)
    assert capped.truncated and len(capped.body) == 1024
    missing = fetcher(site).fetch(str(tmp_path / "nope.ics"), "ics", NOW)
    assert missing.error is not None and "nope.ics" in missing.error
    assert site.requests == []


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 1024 * 1024))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65533
            try:
                for _ in range(160):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
        elif self.path == "/page":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = f"agent={self.headers.get('User-Agent')}".encode()
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_the_real_transport_streams_and_stops_at_the_cap(server: str) -> None:
    polite = fetcher(UrllibTransport(), max_bytes=1_000_000, timeout=5.0)
    big = polite.fetch(f"{server}/big", "html", NOW)
    assert big.status == 200 and big.truncated and len(big.body) == 1_000_000
    page = polite.fetch(f"{server}/page", "html", NOW)
    assert page.body == f"agent={UA}".encode() and page.validators.etag == '"v1"'
    again = polite.fetch(f"{server}/page", "html", NOW, page.validators)
    assert again.not_modified and again.status == 304
    missing = polite.fetch(f"{server}/nothing", "html", NOW)
    assert missing.status == 404 and missing.error is not None
