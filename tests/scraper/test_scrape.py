"""One source end to end: the verdict across scrapes (far fewer than last time, a smaller
list that agrees for ``baselineAgreeScrapes`` scrapes, a 304, a 10 MB page, an HTTP error)
with a scripted site instead of the network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.core.messages import ScrapeResult
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


def scrapes(scraper: SourceScraper, count: int) -> list[ScrapeResult]:
    """``count`` more scrapes of ``scraper``, an hour apart."""
    return [scraper.scrape(NOW + timedelta(hours=hour)) for hour in range(1, count + 1)]


def streak_of(scraper: SourceScraper) -> int | None:
    assert scraper.memory is not None
    return scraper.memory.shrink_streak.count if scraper.memory.shrink_streak is not None else None


def test_three_agreeing_shrunken_scrapes_make_the_new_baseline() -> None:
    """A new season: the page lists 3 home games where it listed 15."""
    new_season = HttpResponse(200, {"etag": '"new"'}, without_home_games(3))
    site = FakeSite(HttpResponse(200, {"etag": '"old"'}, PAGE), new_season)
    scraper = scraper_for(site)
    assert scraper.scrape(NOW).healthy
    first, second, third = scrapes(scraper, 3)
    assert [r.healthy for r in (first, second)] == [False, False]
    assert "far fewer home fixtures than last time: 3 now, 15 before" in second.reasons
    assert "in 2 of the 3 consecutive scrapes" in second.reasons[-1]
    assert third.healthy and third.complete and len(third.fixtures) == 3
    assert third.reasons == [
        "smaller fixture list accepted after 3 agreeing scrapes: 3 home fixtures now, 15 before; "
        "it is the new baseline"
    ]
    assert scraper.memory is not None and scraper.memory.last_good == third and scraper.previous_count == 3
    assert scraper.memory.etag == '"new"' and streak_of(scraper) is None
    fourth = scraper.scrape(NOW + timedelta(hours=4))
    assert fourth.healthy and fourth.complete and fourth.reasons == []  # 3 of 3: no streak needed
    assert [r.headers.get("If-None-Match") for r in site.page_requests] == [None] + ['"old"'] * 3 + ['"new"']


def test_a_different_key_set_restarts_the_count() -> None:
    site = FakeSite(
        HttpResponse(200, body=PAGE),
        *[HttpResponse(200, body=without_home_games(3))] * 2,
        HttpResponse(200, body=without_home_games(2)),
    )
    scraper = scraper_for(site)
    scraper.scrape(NOW)
    results = scrapes(scraper, 5)
    assert [r.healthy for r in results] == [False, False, False, False, True]
    assert [len(r.fixtures) for r in results] == [3, 3, 2, 2, 2]
    assert "in 1 of the 3 consecutive scrapes" in results[2].reasons[-1]
    assert "accepted after 3 agreeing scrapes: 2 home fixtures now, 15 before" in results[4].reasons[0]


def test_a_healthy_scrape_ends_the_streak() -> None:
    shrunk = HttpResponse(200, body=without_home_games(3))
    site = FakeSite(HttpResponse(200, {"etag": '"a"'}, PAGE), shrunk, shrunk, HttpResponse(304), shrunk)
    scraper = scraper_for(site)
    scraper.scrape(NOW)
    results = scrapes(scraper, 6)
    assert [r.healthy for r in results] == [False, False, True, False, False, True]
    assert results[2].http_status == 304 and len(results[2].fixtures) == 15
    assert "in 1 of the 3 consecutive scrapes" in results[3].reasons[-1]


def test_a_scrape_unhealthy_for_another_reason_never_counts() -> None:
    shrunk = without_home_games(3)
    capped = HttpResponse(200, body=shrunk, truncated=True)
    site = FakeSite(
        HttpResponse(200, body=PAGE),
        *[capped] * 4,
        *[HttpResponse(200, body=shrunk)] * 2,
        capped,
        HttpResponse(200, body=shrunk),
    )
    scraper = scraper_for(site)
    scraper.scrape(NOW)
    capped_four = scrapes(scraper, 4)
    assert not any(r.healthy for r in capped_four) and streak_of(scraper) is None
    assert not any("consecutive" in reason for r in capped_four for reason in r.reasons)
    results = scrapes(scraper, 6)
    assert [r.healthy for r in results] == [False, False, False, False, False, True]
    assert "in 2 of the 3 consecutive scrapes" in results[1].reasons[-1]
    assert not any("consecutive" in reason for reason in results[2].reasons)  # capped again
    assert "in 1 of the 3 consecutive scrapes" in results[3].reasons[-1]  # so counting starts again


def test_the_number_of_agreeing_scrapes_is_configurable() -> None:
    site = FakeSite(HttpResponse(200, body=PAGE), HttpResponse(200, body=without_home_games(3)))
    scraper = scraper_for(site, baseline_agree_scrapes=2)
    scraper.scrape(NOW)
    assert [r.healthy for r in scrapes(scraper, 2)] == [False, True]
