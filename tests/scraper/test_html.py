"""The club's fixtures page: every home game with its Brussels kick-off, away games out,
TBD kept as TBD, a moved game keeps its key, and bad pages give reasons, not crashes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from ghela.core.messages.scrape import ScrapeResult
from ghela.scraper.config import HtmlSelectors, ScraperConfig, SourceConfig
from ghela.scraper.page import parse_html, rows
from ghela.scraper.scrape import SourceScraper
from parsel import Selector

from tests.scraper.conftest import BRUSSELS, home_games, read
from tests.scraper.pages import fetched

SCRAPED = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
PAGE = "kaagent-wedstrijden-2025-26.html"
LATER = "kaagent-wedstrijden-2025-26-later.html"


def scrape_body(body: bytes, config: ScraperConfig, now: datetime = SCRAPED) -> ScrapeResult:
    source = SourceConfig(name="club", kind="html", url="https://www.kaagent.be/nl/wedstrijden")
    return SourceScraper(source, config).judge(now, fetched(source, config, body, now))


def test_every_home_game_with_its_brussels_kickoff(config: ScraperConfig) -> None:
    result = scrape_body(read(PAGE), config)
    expected = home_games("2025-26")
    assert result.healthy and result.complete, result.reasons
    assert (result.rows_found, result.rows_parsed) == (30, 30)
    assert [f.away.replace("é", "è") for f in result.fixtures] == [
        g.opponent.replace("é", "è") for g in expected
    ]
    for fixture, game in zip(result.fixtures, expected, strict=True):
        assert fixture.home == "KAA Gent"
        assert fixture.kickoff == game.kickoff_utc, fixture
        assert fixture.date == (game.day if game.kickoff is None else None), fixture
        assert fixture.season == "2025-26"
        assert fixture.venue == "Planet Group Arena"
    assert (result.window_start, result.window_end) == (date(2025, 7, 27), date(2026, 3, 21))


def test_away_games_are_left_out_and_tbd_stays_tbd(config: ScraperConfig) -> None:
    result = scrape_body(read(PAGE), config)
    assert all(f.home == "KAA Gent" for f in result.fixtures)
    assert "Sint-Truidense VV" not in {f.away for f in result.fixtures if f.date == date(2025, 7, 27)}
    tbd = [f.away for f in result.fixtures if f.kickoff is None]
    assert tbd == [
        "RSC Anderlecht",
        "Oud-Heverlee Leuven",
        "Cercle Brugge",
        "KV Mechelen",
        "SV Zulte Waregem",
    ]


def test_a_moved_game_keeps_its_key(config: ScraperConfig) -> None:
    before = {f.key: f for f in scrape_body(read(PAGE), config).fixtures}
    after = {f.key: f for f in scrape_body(read(LATER), config, SCRAPED.replace(month=12, day=5)).fixtures}
    assert before.keys() == after.keys()
    antwerp = "jupiler-pro-league:kaa-gent:royal-antwerp-fc:2025-26"
    assert before[antwerp].kickoff == datetime(2025, 12, 14, 13, 30, tzinfo=BRUSSELS)
    assert after[antwerp].kickoff == datetime(2025, 12, 13, 20, 45, tzinfo=BRUSSELS)
    anderlecht = "jupiler-pro-league:kaa-gent:rsc-anderlecht:2025-26"
    assert before[anderlecht].date == date(2026, 1, 17)
    assert after[anderlecht].kickoff == datetime(2026, 1, 18, 18, 30, tzinfo=BRUSSELS)
    # Postponed with its stale date kept: the date stays, the time is no longer known.
    westerlo = "jupiler-pro-league:kaa-gent:kvc-westerlo:2025-26"
    assert (after[westerlo].date, after[westerlo].kickoff) == (date(2025, 12, 27), None)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {antwerp, anderlecht, westerlo}


def test_one_item_per_row() -> None:
    items = list(rows(Selector(body=read(PAGE), type="html"), HtmlSelectors()))
    assert len(items) == 30
    first = items[0]
    assert (first.home, first.away, first.when, first.time) == (
        "Sint-Truidense VV",
        "KAA Gent",
        "zo 27 jul",
        "19u15",
    )
    assert first.competition == "Jupiler Pro League"


def test_a_source_id_selector_keys_by_the_match_link(config: ScraperConfig) -> None:
    selectors = HtmlSelectors(id=".//a/@href")
    outcome = parse_html(
        read(PAGE), "u", selectors, zone=BRUSSELS, reference=SCRAPED.date(), default_competition="x"
    )
    assert outcome.games[1].source_id == "/nl/team/games/jpl/2/kaa-gent/raal-la-louviere/"


def test_one_cell_with_date_and_time(config: ScraperConfig) -> None:
    page = b"""<table><tr class="g"><td>KAA Gent</td><td>Club Brugge</td><td>zo 24 nov 2024 20u45</td></tr>
    <tr class="g"><td>KV Kortrijk</td><td>KAA Gent</td><td>za 30 nov 2024 om 18.30</td></tr></table>"""
    selectors = HtmlSelectors(
        row="//tr[@class='g']",
        home="td[1]",
        away="td[2]",
        datetime="td[3]",
        date=None,
        time=None,
        competition=None,
    )
    outcome = parse_html(
        page, "u", selectors, zone=BRUSSELS, reference=date(2024, 11, 1), default_competition="JPL"
    )
    assert [g.kickoff for g in outcome.games] == [
        datetime(2024, 11, 24, 19, 45, tzinfo=UTC),
        datetime(2024, 11, 30, 17, 30, tzinfo=UTC),
    ]
    assert outcome.games[0].competition == "JPL"


def test_home_games_recognised_by_aliases(config: ScraperConfig) -> None:
    page = read(PAGE).replace(b">KAA Gent<", b">K.A.A. Gent<", 3)
    result = scrape_body(page, config)
    assert len(result.fixtures) == 15
    assert {f.home for f in result.fixtures} == {"KAA Gent"}


def test_a_row_with_31_february_makes_the_scrape_partial(config: ScraperConfig) -> None:
    page = read(PAGE).replace(b"zo 31 aug", b"zo 31 feb", 1)
    result = scrape_body(page, config)
    assert result.healthy and not result.complete
    assert result.rows_parsed == 29 and len(result.fixtures) == 14
    assert any("row 5" in r and "no such date" in r for r in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty page"),
        (b"   \n", "empty page"),
        (b"<html><body><p>Onderhoud</p></body></html>", "no fixture rows found"),
        (bytes(range(256)) * 50, "no fixture rows found"),
    ],
)
def test_pages_with_nothing_on_them_are_unhealthy(body: bytes, reason: str, config: ScraperConfig) -> None:
    result = scrape_body(body, config)
    assert not result.healthy and not result.complete
    assert any(reason in r for r in result.reasons), result.reasons


def test_a_truncated_page_keeps_what_it_could_read(config: ScraperConfig) -> None:
    page = read(PAGE)
    result = scrape_body(page[: len(page) // 2], config)
    assert result.rows_found >= 14
    assert 0 < len(result.fixtures) < 15
    assert all(f.home == "KAA Gent" for f in result.fixtures)


def test_a_page_of_mostly_unreadable_rows_is_unhealthy(config: ScraperConfig) -> None:
    page = re.sub(rb'class="fixture__date">[^<]*<', b'class="fixture__date">datum volgt<', read(PAGE))
    result = scrape_body(page, config)
    assert not result.healthy
    assert any("none of the 30 rows" in r for r in result.reasons)
