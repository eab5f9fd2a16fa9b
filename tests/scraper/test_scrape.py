"""One source end to end: the verdict across scrapes (far fewer than last time, a smaller
list that agrees for ``baselineAgreeScrapes`` scrapes, a 304, a page over the size cap, an
HTTP error) with scripted crawl reports instead of the network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.core.messages.scrape import ScrapeResult
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.memory import Remembered
from ghela.scraper.pages import Fetched
from ghela.scraper.scrape import SourceScraper

from tests.scraper.conftest import read
from tests.scraper.pages import failed, fetched

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
URL = "https://www.kaagent.be/nl/wedstrijden"
PAGE = read("kaagent-wedstrijden-2025-26.html")


SOURCE = SourceConfig(name="club", kind="html", url=URL)
CAPPED = f"page from {URL} is larger than the size cap (2000000 bytes); not read"
NOT_MODIFIED = "304"


class Scripted:
    """A source scraper fed one scripted crawl report per scrape (the last one repeats):
    a body (read as the crawl reads it), :data:`NOT_MODIFIED`, or a ready report."""

    def __init__(self, *pages: bytes | str | Fetched, **settings: object) -> None:
        self.config = ScraperConfig(sources=[SOURCE], **settings)
        self.scraper = SourceScraper(SOURCE, self.config)
        self.pages = list(pages)

    def scrape(self, now: datetime) -> ScrapeResult:
        page = self.pages.pop(0) if len(self.pages) > 1 else self.pages[0]
        if page == NOT_MODIFIED:
            page = Fetched(source="club", url=URL, status=304, not_modified=True)
        elif isinstance(page, bytes):
            page = fetched(SOURCE, self.config, page, now)
        assert isinstance(page, Fetched)
        return self.scraper.scrape(now, page)

    @property
    def memory(self) -> Remembered | None:
        return self.scraper.memory

    @property
    def previous_count(self) -> int | None:
        return self.scraper.previous_count


def scraper_for(*pages: bytes | str | Fetched, **settings: object) -> Scripted:
    return Scripted(*pages, **settings)


def without_home_games(keep: int) -> bytes:
    """The page with all but ``keep`` home games turned into away games (the layout intact)."""
    page = PAGE
    for _ in range(15 - keep):
        page = page.replace(b'fixture__team--home">KAA Gent', b'fixture__team--home">KV Elders', 1)
    return page


def test_far_fewer_home_fixtures_than_last_time_is_unhealthy() -> None:
    scraper = scraper_for(PAGE, without_home_games(5))
    first = scraper.scrape(NOW)
    second = scraper.scrape(NOW + timedelta(hours=1))
    assert first.healthy and len(first.fixtures) == 15
    assert not second.healthy and not second.complete and len(second.fixtures) == 5
    assert "far fewer home fixtures than last time: 5 now, 15 before" in second.reasons
    assert scraper.previous_count == 15  # an unhealthy scrape does not become "last time"


def test_a_few_fewer_is_fine() -> None:
    scraper = scraper_for(PAGE, without_home_games(8))
    scraper.scrape(NOW)
    later = scraper.scrape(NOW + timedelta(hours=1))
    assert later.healthy and later.complete and scraper.previous_count == 8


def test_304_republishes_the_last_good_fixtures() -> None:
    scraper = scraper_for(PAGE, NOT_MODIFIED)
    first = scraper.scrape(NOW)
    second = scraper.scrape(NOW + timedelta(hours=1))
    assert second.healthy and second.complete and second.http_status == 304
    assert second.fixtures == first.fixtures
    assert second.scrape_id != first.scrape_id and second.scraped_at == NOW + timedelta(hours=1)
    assert any("not modified" in reason for reason in second.reasons)


def test_a_304_without_an_earlier_healthy_scrape_is_judged_from_the_cached_page() -> None:
    page = fetched(SOURCE, ScraperConfig(sources=[SOURCE]), PAGE, NOW, status=304)
    scraper = scraper_for(b"<html></html>", page.model_copy(update={"not_modified": True}))
    assert not scraper.scrape(NOW).healthy
    again = scraper.scrape(NOW)
    assert again.healthy and again.http_status == 304 and len(again.fixtures) == 15


def test_a_page_over_the_size_cap_is_unhealthy() -> None:
    result = scraper_for(failed(SOURCE, CAPPED)).scrape(NOW)
    assert not result.healthy and result.fixtures == []
    assert result.reasons == [CAPPED]


def test_an_http_error_is_unhealthy_with_the_status() -> None:
    result = scraper_for(failed(SOURCE, f"HTTP 500 from {URL}", 500), retries=0).scrape(NOW)
    assert not result.healthy and result.http_status == 500
    assert result.fixtures == [] and result.reasons == [f"HTTP 500 from {URL}"]


def test_a_page_of_thousands_of_home_games_is_capped_and_unhealthy() -> None:
    rows = "".join(
        f'<li class="fixture"><b class="fixture__date">2026-{1 + n % 12:02d}-{1 + n % 28:02d}</b>'
        f'<b class="fixture__time">20u45</b><b class="fixture__team--home">KAA Gent</b>'
        f'<b class="fixture__team--away">Team {n}</b></li>'
        for n in range(2100)
    )
    result = scraper_for(f"<ul>{rows}</ul>".encode()).scrape(NOW)
    assert not result.healthy and len(result.fixtures) == 2000
    assert "2100 home fixtures is more than any real source lists" in result.reasons


def scrapes(scraper: Scripted, count: int) -> list[ScrapeResult]:
    """``count`` more scrapes of ``scraper``, an hour apart."""
    return [scraper.scrape(NOW + timedelta(hours=hour)) for hour in range(1, count + 1)]


def streak_of(scraper: Scripted) -> int | None:
    assert scraper.memory is not None
    return scraper.memory.shrink_streak.count if scraper.memory.shrink_streak is not None else None


def test_three_agreeing_shrunken_scrapes_make_the_new_baseline() -> None:
    """A new season: the page lists 3 home games where it listed 15."""
    scraper = scraper_for(PAGE, without_home_games(3))
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
    assert streak_of(scraper) is None
    fourth = scraper.scrape(NOW + timedelta(hours=4))
    assert fourth.healthy and fourth.complete and fourth.reasons == []  # 3 of 3: no streak needed


def test_a_different_key_set_restarts_the_count() -> None:
    scraper = scraper_for(PAGE, *[without_home_games(3)] * 2, without_home_games(2))
    scraper.scrape(NOW)
    results = scrapes(scraper, 5)
    assert [r.healthy for r in results] == [False, False, False, False, True]
    assert [len(r.fixtures) for r in results] == [3, 3, 2, 2, 2]
    assert "in 1 of the 3 consecutive scrapes" in results[2].reasons[-1]
    assert "accepted after 3 agreeing scrapes: 2 home fixtures now, 15 before" in results[4].reasons[0]


def test_a_healthy_scrape_ends_the_streak() -> None:
    shrunk = without_home_games(3)
    scraper = scraper_for(PAGE, shrunk, shrunk, NOT_MODIFIED, shrunk)
    scraper.scrape(NOW)
    results = scrapes(scraper, 6)
    assert [r.healthy for r in results] == [False, False, True, False, False, True]
    assert results[2].http_status == 304 and len(results[2].fixtures) == 15
    assert "in 1 of the 3 consecutive scrapes" in results[3].reasons[-1]


def test_a_scrape_unhealthy_for_another_reason_never_counts() -> None:
    shrunk = without_home_games(3)
    capped = failed(SOURCE, CAPPED)
    scraper = scraper_for(PAGE, *[capped] * 4, *[shrunk] * 2, capped, shrunk)
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
    scraper = scraper_for(PAGE, without_home_games(3), baseline_agree_scrapes=2)
    scraper.scrape(NOW)
    assert [r.healthy for r in scrapes(scraper, 2)] == [False, True]
