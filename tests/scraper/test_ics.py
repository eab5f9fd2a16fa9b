"""Calendar feeds: the recorded home-games feed against the CSV, the 2012 pair (a moved
game keeps its key), every way DTSTART can be written, and broken feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from ghela.core.messages.scrape import ScrapeResult
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.scrape import SourceScraper

from tests.scraper.conftest import BRUSSELS, home_games, read
from tests.scraper.pages import fetched

SCRAPED = datetime(2025, 3, 21, 9, 0, tzinfo=UTC)


def scrape_feed(body: bytes, config: ScraperConfig, key_from: str = "fields") -> ScrapeResult:
    source = SourceConfig(
        name="feed", kind="ics", url="https://feeds.example/gent-home.ics", key_from=key_from
    )
    return SourceScraper(source, config).judge(SCRAPED, fetched(source, config, body, SCRAPED))


def feed(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{body}END:VCALENDAR\r\n".encode()


def test_the_home_feed_matches_the_csv(config: ScraperConfig) -> None:
    result = scrape_feed(read("kaagent-thuis-2024-25.ics"), config)
    assert result.healthy and result.complete, result.reasons
    league = [f for f in result.fixtures if f.competition in ("JPL", "POI")]
    expected = home_games("2024-25")
    assert [(f.away, f.kickoff) for f in league] == [(g.opponent, g.kickoff_utc) for g in expected]
    cup = [f for f in result.fixtures if f.competition == "Beker"]
    assert [(f.away, f.kickoff) for f in cup] == [
        ("RJ Rochefortoise FC", datetime(2024, 10, 30, 20, 0, tzinfo=BRUSSELS))
    ]
    # The same opponent twice in a season (league and play-offs) are two games.
    assert len({f.key for f in result.fixtures}) == 21


def test_uid_keys_when_configured(config: ScraperConfig) -> None:
    result = scrape_feed(read("kaagent-thuis-2024-25.ics"), config, key_from="uid")
    assert result.fixtures[0].key == "id:kaagent-home-2024-25-001@fixtures.example"


def test_the_2012_pair_moved_games_keep_their_keys(config: ScraperConfig) -> None:
    september = scrape_feed(read("calendar-2012-09-20.ics"), config)
    november = scrape_feed(read("calendar-2012-11-13.ics"), config)
    assert september.complete and november.complete
    assert (september.rows_found, november.rows_found) == (45, 46)
    before = {f.key: f for f in september.fixtures}
    after = {f.key: f for f in november.fixtures}
    assert set(before) < set(after)
    # A cup game against a league opponent in a feed without competition tags: a second key.
    assert set(after) - set(before) == {"football:kaa-gent:lokeren:2012-13#2"}
    standard = "football:kaa-gent:standard:2012-13"
    assert before[standard].kickoff == datetime(2013, 1, 19, 18, 0, tzinfo=UTC)  # written as UTC
    assert after[standard].kickoff == datetime(2013, 1, 19, 18, 0, tzinfo=BRUSSELS)  # floating = local
    # The first file wrote summer times correctly as UTC; the second as local time: equal.
    assert (
        before["football:kaa-gent:lierse:2012-13"].kickoff
        == after["football:kaa-gent:lierse:2012-13"].kickoff
    )
    assert all(f.home == "KAA Gent" for f in after.values())
    assert len(after) == 20


@pytest.mark.parametrize(
    ("dtstart", "header", "kickoff", "day"),
    [
        ("DTSTART:20250301T200000Z", "", datetime(2025, 3, 1, 20, 0, tzinfo=UTC), None),
        ("DTSTART;TZID=Europe/Brussels:20250301T200000", "", datetime(2025, 3, 1, 19, 0, tzinfo=UTC), None),
        ("DTSTART;TZID=Europe/London:20250701T200000", "", datetime(2025, 7, 1, 19, 0, tzinfo=UTC), None),
        ("DTSTART:20250701T203000", "", datetime(2025, 7, 1, 18, 30, tzinfo=UTC), None),
        (
            "DTSTART:20250701T203000",
            "X-WR-TIMEZONE:Europe/London\r\n",
            datetime(2025, 7, 1, 19, 30, tzinfo=UTC),
            None,
        ),
        (
            "DTSTART:20250701T203000",
            "X-WR-TIMEZONE:Mars/Olympus\r\n",
            datetime(2025, 7, 1, 18, 30, tzinfo=UTC),
            None,
        ),
        ("DTSTART;VALUE=DATE:20250302", "", None, date(2025, 3, 2)),
    ],
)
def test_kickoff_as_written(
    dtstart: str, header: str, kickoff: datetime | None, day: date | None, config: ScraperConfig
) -> None:
    result = scrape_feed(feed(f"SUMMARY:KAA Gent - Club Brugge [CL]\r\n{dtstart}", header=header), config)
    (fixture,) = result.fixtures
    assert (fixture.kickoff, fixture.date) == (kickoff, day)
    assert (fixture.home, fixture.away, fixture.competition) == ("KAA Gent", "Club Brugge", "CL")


def test_away_and_cancelled_events_and_the_venue(config: ScraperConfig) -> None:
    body = feed(
        "SUMMARY:Club Brugge - KAA Gent\r\nDTSTART:20250301T200000Z",
        "SUMMARY:KAA Gent - KV Kortrijk\r\nDTSTART:20250308T200000Z\r\nSTATUS:CANCELLED",
        "SUMMARY:Union SG - AA Gent\r\nDTSTART:20250315T200000Z\r\nLOCATION:Ghelamco Arena",
    )
    result = scrape_feed(body, config)
    assert result.rows_found == 2 and result.complete
    (fixture,) = result.fixtures  # a feed that lists the visitor first for a game at our venue
    assert (fixture.home, fixture.away) == ("KAA Gent", "Union SG")


def test_broken_lines_and_31_february_make_a_partial_result(config: ScraperConfig) -> None:
    body = feed(
        "SUMMARY:KAA Gent - Club Brugge\r\nDTSTART:20250231T200000",
        "SUMMARY:KAA Gent - KRC Genk\r\nDTSTART:20250308T200000Z\r\nthis line is broken",
        "SUMMARY:KAA Gent - KV Mechelen\r\nDTSTART:20250315T200000Z",
        "SUMMARY:Een concert\r\nDTSTART:20250322T200000Z",
    )
    result = scrape_feed(body, config)
    assert result.healthy and not result.complete
    assert [f.away for f in result.fixtures] == ["KRC Genk", "KV Mechelen"]
    assert result.rows_found == 4 and result.rows_parsed == 2
    joined = " | ".join(result.reasons)
    assert "row 1" in joined and "DTSTART" in joined and "20250231" in joined
    assert "row 2: broken line ignored" in joined
    assert "row 4" in joined and "does not name two teams" in joined


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty feed"),
        (b"<html>not a calendar</html>", "not a readable iCalendar"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:KAA Gent - X\r\nDTST",
            "holds no calendar",
        ),
        (bytes(range(256)) * 10, "not a readable iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no fixture rows found"),
    ],
)
def test_feeds_that_are_not_feeds_are_unhealthy(body: bytes, reason: str, config: ScraperConfig) -> None:
    result = scrape_feed(body, config)
    assert not result.healthy and not result.complete
    assert any(reason in r for r in result.reasons), result.reasons
