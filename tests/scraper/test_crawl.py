"""The crawl through Scrapy's own engine, in its child process, against a site on 127.0.0.1:
robots.txt, conditional requests and 304, retries on 503, the size cap, what a failure says
(a name that does not resolve, under the reserved .invalid TLD), and a stop that ends it."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.crawler import ChildCrawl
from ghela.scraper.pages import Fetched
from ghela.scraper.scrape import SourceScraper

from tests.scraper.conftest import DATA, read
from tests.scraper.site import Answer, Site

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
PAGE = read("kaagent-wedstrijden-2025-26.html")
UA = "GhelamcoAlert/test (office parking warning light)"


def crawl(
    tmp_path: Path, *sources: SourceConfig, stop: threading.Event | None = None, **settings: object
) -> dict[str, Fetched]:
    quick = {"backoff_seconds": 0, "backoff_max_seconds": 1, "timeout_seconds": 5}
    config = ScraperConfig(
        sources=list(sources), user_agent=UA, http_cache_path=str(tmp_path / "cache"), **{**quick, **settings}
    )
    return ChildCrawl(config)(list(sources), NOW, stop or threading.Event())


def club(site: Site, path: str = "/wedstrijden") -> SourceConfig:
    return SourceConfig(name="club", kind="html", url=site.url + path)


def test_a_page_is_fetched_politely_and_read(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(body=PAGE)]
    page = crawl(tmp_path, club(site))["club"]
    assert page.error is None and page.status == 200 and not page.not_modified
    assert page.outcome.rows_found == 30 and len(page.outcome.games) == 30
    robots, fetched = site.to("/robots.txt"), site.to("/wedstrijden")
    assert len(robots) == 1 and len(fetched) == 1  # robots.txt asked first
    assert fetched[0].headers["user-agent"] == UA
    assert fetched[0].headers["accept"].startswith("text/html")


def test_robots_txt_that_forbids_it_is_obeyed_and_said(site: Site, tmp_path: Path) -> None:
    site.answers["/robots.txt"] = [
        Answer(body=b"User-agent: *\nDisallow: /wedstrijden\n", content_type="text/plain")
    ]
    site.answers["/wedstrijden"] = [Answer(body=PAGE)]
    page = crawl(tmp_path, club(site))["club"]
    assert page.error == f"robots.txt of 127.0.0.1 does not allow fetching {site.url}/wedstrijden"
    assert site.to("/wedstrijden") == []
    assert crawl(tmp_path, club(site), respect_robots_txt=False)["club"].error is None


def test_the_next_request_is_conditional_and_a_304_reads_the_kept_page(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(body=PAGE, etag='"v1"')]
    first = crawl(tmp_path, club(site))["club"]
    again = crawl(tmp_path, club(site))["club"]
    requests = site.to("/wedstrijden")
    assert "if-none-match" not in requests[0].headers
    assert requests[1].headers["if-none-match"] == '"v1"'
    assert first.status == 200 and not first.not_modified
    assert again.status == 304 and again.not_modified and again.error is None
    assert again.outcome == first.outcome  # the cached page, read again
    source = club(site)
    scraper = SourceScraper(source, ScraperConfig(sources=[source]))
    scraper.scrape(NOW, first)
    repeated = scraper.scrape(NOW, again)
    assert repeated.http_status == 304 and repeated.healthy and len(repeated.fixtures) == 15
    assert any("not modified since" in reason for reason in repeated.reasons)


def test_a_503_is_retried_until_it_answers(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(503, b"busy"), Answer(503, b"busy"), Answer(body=PAGE)]
    page = crawl(tmp_path, club(site), retries=3)["club"]
    assert page.error is None and page.status == 200 and len(site.to("/wedstrijden")) == 3


def test_a_503_that_stays_is_an_error_after_the_retries(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(503, b"busy")]
    page = crawl(tmp_path, club(site), retries=1)["club"]
    assert page.status == 503
    assert page.error == f"HTTP 503 from {site.url}/wedstrijden (after 2 tries)"
    assert len(site.to("/wedstrijden")) == 2


def test_a_404_is_not_retried(site: Site, tmp_path: Path) -> None:
    page = crawl(tmp_path, club(site, "/weg"), retries=3)["club"]
    assert page.status == 404 and page.error == f"HTTP 404 from {site.url}/weg"
    assert len(site.to("/weg")) == 1


def test_a_page_over_the_size_cap_is_not_read(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(body=PAGE + b"<p>" + b"x" * 200_000 + b"</p>")]
    page = crawl(tmp_path, club(site), max_page_bytes=100_000)["club"]
    assert (
        page.error == f"page from {site.url}/wedstrijden is larger than the size cap (100000 bytes); not read"
    )
    assert page.outcome.rows_found == 0


def test_a_file_over_the_size_cap_is_not_read_either(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"x" * 5000)
    source = SourceConfig(name="file", kind="html", url=str(big))
    page = crawl(tmp_path, source, max_page_bytes=1024)["file"]
    assert page.error is not None and "larger than the size cap (1024 bytes)" in page.error


def test_a_name_that_does_not_resolve_says_so(tmp_path: Path) -> None:
    source = SourceConfig(name="club", kind="html", url="https://www.kaagent.invalid/nl/wedstrijden")
    page = crawl(tmp_path, source, retries=0)["club"]
    assert page.error is not None
    assert page.error.startswith("the name www.kaagent.invalid does not resolve (DNS lookup failed)")
    assert "robots" not in page.error


def test_a_refused_connection_and_a_missing_file_say_so(tmp_path: Path) -> None:
    refused = SourceConfig(name="down", kind="html", url="http://127.0.0.1:9/wedstrijden")
    missing = SourceConfig(name="file", kind="ics", url=str(tmp_path / "nope.ics"))
    pages = crawl(tmp_path, refused, missing, retries=0)
    assert pages["down"].error == "127.0.0.1 refused the connection"
    assert pages["file"].error is not None and "nope.ics" in pages["file"].error
    assert "No such file" in pages["file"].error and "file:" not in pages["file"].error


def test_several_sources_in_one_crawl(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(body=PAGE)]
    feed = SourceConfig(name="feed", kind="ics", url=str(DATA / "kaagent-thuis-2024-25.ics"))
    pages = crawl(tmp_path, club(site), feed)
    assert pages.keys() == {"club", "feed"}
    assert pages["feed"].outcome.rows_found == 21 and pages["club"].outcome.rows_found == 30


def test_a_stop_ends_the_crawl_at_once(tmp_path: Path) -> None:
    """A site that never answers: the stop kills the child and nothing is reported."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections, never answers
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    source = SourceConfig(name="slow", kind="html", url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
    try:
        assert crawl(tmp_path, source, stop=stop, timeout_seconds=60) == {}
    finally:
        listener.close()


@pytest.mark.parametrize("broken", [b"", b"not json"])
def test_a_child_that_fails_fails_every_source_with_the_reason(tmp_path: Path, broken: bytes) -> None:
    python = tmp_path / "python"
    python.write_text(
        f"#!/bin/sh\ncat > /dev/null\nprintf '{broken.decode()}'\necho 'boom: no scrapy' >&2\nexit 3\n"
    )
    python.chmod(0o755)
    source = SourceConfig(name="club", kind="html", url="https://www.kaagent.invalid/")
    config = ScraperConfig(sources=[source])
    pages = ChildCrawl(config, python=str(python))([source], NOW, threading.Event())
    assert pages["club"].error == "the crawl process failed (exit 3): boom: no scrapy"


def test_a_failing_site_is_an_error_even_when_the_cache_holds_its_page(site: Site, tmp_path: Path) -> None:
    site.answers["/wedstrijden"] = [Answer(body=PAGE, etag='"v1"'), Answer(503, b"busy")]
    assert crawl(tmp_path, club(site))["club"].status == 200
    failing = crawl(tmp_path, club(site), retries=1)["club"]
    assert failing.error == f"HTTP 503 from {site.url}/wedstrijden (after 2 tries)"
    assert not failing.not_modified and failing.outcome.rows_found == 0


def test_tls_trouble_and_a_timeout_say_so(site: Site, tmp_path: Path) -> None:
    """https:// to a server that speaks plain HTTP fails the TLS handshake; a server that
    accepts and never answers runs into the timeout."""
    site.answers["/wedstrijden"] = [Answer(body=PAGE)]
    tls = SourceConfig(name="tls", kind="html", url=site.url.replace("http://", "https://") + "/wedstrijden")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    silent = SourceConfig(name="silent", kind="html", url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
    try:
        pages = crawl(tmp_path, tls, silent, retries=0, timeout_seconds=1, respect_robots_txt=False)
    finally:
        listener.close()
    assert pages["tls"].error is not None and pages["tls"].error.startswith("TLS with 127.0.0.1 failed")
    assert pages["silent"].error == "127.0.0.1 did not answer within 1 s"
