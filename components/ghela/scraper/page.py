"""The club site's fixtures page, read with the configured XPath selectors (parsel).

:func:`rows` gives one :class:`RowItem` of raw texts per row the row selector matches;
:func:`parse_html` reads dates, times and teams from them into a :class:`ParseOutcome`.
It needs only parsel (Scrapy's selector library), so the spider that crawls
(:mod:`ghela.scraper.spider`), ``ghela scrape`` and the tests all read a page the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from parsel import Selector

from ghela.scraper.config import HtmlSelectors
from ghela.scraper.dutch import WhenError, parse_when
from ghela.scraper.games import ParseOutcome, game_from_when


@dataclass(frozen=True)
class RowItem:
    """The raw texts of one fixture row."""

    index: int
    home: str
    away: str
    when: str
    time: str | None
    competition: str
    source_id: str


def text_of(row: Selector, expression: str | None) -> str:
    """The whitespace-normalised string value of what ``expression`` selects in ``row``."""
    if expression is None:
        return ""
    parts = []
    for found in row.xpath(expression):
        root = found.root
        scalar = isinstance(root, str | int | float | bool)
        parts.append(str(root) if scalar else found.xpath("string(.)").get(default=""))
    return " ".join(" ".join(parts).split())


def rows(page: Selector, chosen: HtmlSelectors) -> Iterator[RowItem]:
    for index, row in enumerate(page.xpath(chosen.row), start=1):
        yield RowItem(
            index=index,
            home=text_of(row, chosen.home),
            away=text_of(row, chosen.away),
            when=text_of(row, chosen.datetime or chosen.date),
            time=None if chosen.datetime else text_of(row, chosen.time),
            competition=text_of(row, chosen.competition),
            source_id=text_of(row, chosen.id),
        )


def parse_html(
    body: bytes,
    url: str,
    selectors: HtmlSelectors,
    *,
    zone: ZoneInfo,
    reference: date,
    default_competition: str,
) -> ParseOutcome:
    """Every fixture row of an HTML page, read; never raises on what the page contains."""
    outcome = ParseOutcome()
    if not body.strip():
        outcome.problems.append(f"empty page from {url}")
        return outcome
    try:
        items = list(rows(Selector(body=body, type="html"), selectors))
    except ValueError as exc:  # lxml refuses the document or an expression
        outcome.problems.append(f"page from {url} could not be read as HTML: {exc}")
        return outcome
    outcome.rows_found = len(items)
    for item in items:
        if not item.home or not item.away:
            outcome.fail_row(item.index, "no home or away team")
            continue
        competition = item.competition or default_competition
        try:
            when = parse_when(item.when, item.time, reference)
            game = game_from_when(
                item.home, item.away, competition, when, zone=zone, source_id=item.source_id or None
            )
        except WhenError as exc:
            outcome.fail_row(item.index, f"{item.home} - {item.away}: {exc}")
            continue
        except Exception as exc:  # whatever one row holds (a year 9999), it loses that row only
            outcome.fail_row(item.index, str(exc)[:300] or type(exc).__name__)
            continue
        outcome.games.append(game)
    return outcome
