"""Random bytes and mangled recorded pages never crash a parser (Hypothesis)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from ghela.core.messages.scrape import ScrapeResult
from ghela.scraper.config import HtmlSelectors
from ghela.scraper.dutch import WhenError, parse_when
from ghela.scraper.health import FetchFacts, verdict
from ghela.scraper.ics import parse_ics
from ghela.scraper.page import parse_html
from ghela.scraper.teams import Club
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scraper.conftest import BRUSSELS, read

PAGE = read("kaagent-wedstrijden-2025-26.html")
FEED = read("kaagent-thuis-2024-25.ics")
CLUB = Club("KAA Gent", ["Gent", "AA Gent"])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mangled(original: bytes) -> st.SearchStrategy[bytes]:
    """The recorded file cut short, with a slice replaced by random bytes."""
    return st.tuples(
        st.integers(0, len(original)), st.integers(0, len(original)), st.binary(max_size=200)
    ).map(lambda t: original[: min(t[0], t[1])] + t[2] + original[max(t[0], t[1]) :])


def check(outcome_games: int, rows: int) -> None:
    assert 0 <= outcome_games <= rows


@FAST
@given(st.one_of(st.binary(max_size=2000), mangled(PAGE)))
def test_html_parser_never_raises(body: bytes) -> None:
    outcome = parse_html(
        body,
        "https://x/",
        HtmlSelectors(),
        zone=BRUSSELS,
        reference=date(2025, 11, 20),
        default_competition="F",
    )
    check(len(outcome.games), outcome.rows_found)
    when = datetime(2025, 11, 20, tzinfo=BRUSSELS)
    facts = FetchFacts("u", 200)
    judged = verdict("s", when, facts, outcome, [], previous_count=None, min_ratio=0.5, agree_scrapes=3)
    assert isinstance(judged.result, ScrapeResult) and judged.streak is None


@FAST
@given(st.one_of(st.binary(max_size=2000), mangled(FEED)))
def test_ics_parser_never_raises(body: bytes) -> None:
    outcome = parse_ics(
        body, "u", zone=BRUSSELS, club=CLUB, venue_names=["Planet Group Arena"], default_competition="F"
    )
    check(len(outcome.games), outcome.rows_found)


@FAST
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=30)))
def test_date_parser_raises_only_when_error(date_text: str, time_text: str | None) -> None:
    with contextlib.suppress(WhenError):
        parse_when(date_text, time_text, date(2025, 11, 20))


GOOD_EVENT = (
    "BEGIN:VEVENT\r\nUID:good\r\nDTSTART:20261220T173000Z\r\n"
    "SUMMARY:KAA Gent - Antwerp [JPL]\r\nEND:VEVENT\r\n"
)


def _hostile_event(year: int, stamp: str) -> str:
    if stamp == "date":
        start = f"DTSTART;VALUE=DATE:{year:04d}0101"
    else:
        start = f"DTSTART:{year:04d}1231T235900{stamp}"
    return f"BEGIN:VEVENT\r\nUID:bad\r\n{start}\r\nSUMMARY:KAA Gent - Club Brugge [JPL]\r\nEND:VEVENT\r\n"


@FAST
@given(
    st.one_of(st.integers(1, 1999), st.integers(2101, 9999), st.sampled_from([1, 9999])),
    st.sampled_from(["Z", "", "date"]),
)
def test_an_event_outside_2000_to_2100_loses_only_its_own_row(year: int, stamp: str) -> None:
    """9999-12-31T23:59 used to overflow while converting and lose the whole feed."""
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    feed = head + _hostile_event(year, stamp) + GOOD_EVENT
    outcome = parse_ics(
        (feed + "END:VCALENDAR\r\n").encode(), "u", zone=BRUSSELS, club=CLUB,
        venue_names=["Planet Group Arena"], default_competition="F",
    )
    assert [g.away for g in outcome.games] == ["Antwerp"]
    assert outcome.rows_found == 2 and len(outcome.row_errors) == 1 and not outcome.problems
    assert "2000-2100" in outcome.row_errors[0]
