"""One source end to end: the verdict across scrapes (far fewer than last time, a 304,
a 10 MB page, an HTTP error) with a scripted site instead of the network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.fetch import Fetcher
from ghela.scraper.http import HttpResponse
from ghela.scraper.scrape import SourceScraper
from ghela.scraper.service import politeness

from tests.scraper.conftest import read
from tests.scraper.test_fetch import FakeSite, Sleeps

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
URL = "https://www.kaagent.be/nl/wedstrijden"
PAGE = read("kaagent-wedstrijden-2025-26.html")


def scraper_for(site: FakeSite, **settings: object) -> SourceScraper:
    source = SourceConfig(name="club", kind="html", url=URL)
    config = ScraperConfig(sources=[source], **settings)
    return SourceScraper(source, config, Fetcher(site, politeness(config), Sleeps()))


def without_home_games(keep: int) -> bytes:
    """The page with all but ``keep`` home games turned into away games (the layout intact)."""
    page = PAGE
    for _ in range(15 - keep):
        page = page.replace(b'fixture__team--home">KAA Gent', b'fixture__team--home">KV Elders', 1)
    return page


def test_far_fewer_home_fixtures_than_last_time_is_unhealthy() -> None:
    site = FakeSite(HttpResponse(200, body=PAGE), HttpResponse(200, body=without_home_games(5)))
    scraper = scraper_for(site)
    first = scraper.scrape(NOW)
    second = scraper.scrape(NOW + timedelta(hours=1))
    assert first.healthy and len(first.fixtures) == 15
    assert not second.healthy and not second.complete and len(second.fixtures) == 5
    assert "far fewer home fixtures than last time: 5 now, 15 before" in second.reasons
    assert scraper.previous_count == 15  # an unhealthy scrape does not become "last time"


def test_a_few_fewer_is_fine() -> None:
    site = FakeSite(HttpResponse(200, body=PAGE), HttpResponse(200, body=without_home_games(8)))
    scraper = scraper_for(site)
    scraper.scrape(NOW)
    later = scraper.scrape(NOW + timedelta(hours=1))
    assert later.healthy and later.complete and scraper.previous_count == 8


def test_304_republishes_the_last_good_fixtures() -> None:
    site = FakeSite(HttpResponse(200, {"etag": '"a"'}, PAGE), HttpResponse(304))
    scraper = scraper_for(site)
    first = scraper.scrape(NOW)
    second = scraper.scrape(NOW + timedelta(hours=1))
    assert site.page_requests[1].headers["If-None-Match"] == '"a"'
    assert second.healthy and second.complete and second.http_status == 304
    assert second.fixtures == first.fixtures
    assert second.scrape_id != first.scrape_id and second.scraped_at == NOW + timedelta(hours=1)
    assert any("not modified" in reason for reason in second.reasons)


def test_no_validators_after_an_unhealthy_first_scrape() -> None:
    site = FakeSite(HttpResponse(200, {"etag": '"a"'}, b"<html></html>"), HttpResponse(200, body=PAGE))
    scraper = scraper_for(site)
    assert not scraper.scrape(NOW).healthy
    assert scraper.scrape(NOW).healthy
    assert "If-None-Match" not in site.page_requests[1].headers


def test_a_10_mb_page_is_capped_and_unhealthy() -> None:
    huge = PAGE[:-100] + b"<p>" + b"x" * (10 * 1024 * 1024)
    site = FakeSite(HttpResponse(200, body=huge[:2_000_000], truncated=True))
    result = scraper_for(site).scrape(NOW)
    assert not result.healthy
    assert any("larger than the size cap" in reason for reason in result.reasons)
    assert len(result.fixtures) == 15  # what was read is still reported, but cannot cancel


def test_an_http_error_is_unhealthy_with_the_status() -> None:
    result = scraper_for(FakeSite(HttpResponse(500)), retries=0).scrape(NOW)
    assert not result.healthy and result.http_status == 500
    assert result.fixtures == [] and result.reasons == [f"HTTP 500 from {URL}"]


def test_a_page_of_thousands_of_home_games_is_capped_and_unhealthy() -> None:
    rows = "".join(
        f'<li class="fixture"><b class="fixture__date">2026-{1 + n % 12:02d}-{1 + n % 28:02d}</b>'
        f'<b class="fixture__time">20u45</b><b class="fixture__team--home">KAA Gent</b>'
        f'<b class="fixture__team--away">Team {n}</b></li>'
        for n in range(2100)
    )
    result = scraper_for(FakeSite(HttpResponse(200, body=f"<ul>{rows}</ul>".encode()))).scrape(NOW)
    assert not result.healthy and len(result.fixtures) == 2000
    assert "2100 home fixtures is more than any real source lists" in result.reasons
