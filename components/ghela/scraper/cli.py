"""``ghela scrape SOURCE``: one scrape of a URL or file, shown so a person can judge the source.

Prints the home fixtures with their Brussels kick-off, the health verdict and its reasons
(``--json``: the ScrapeResult as published). Exit 0 when the scrape is healthy, 1 when it
is not; a source that cannot be fetched at all is one error line and exit 1.

``--config FILE`` reads a Scraper configuration (YAML or JSON, the recipe's camelCase
keys): SOURCE may then be one of its sources' names, and a URL or file is read with the
selectors and settings of its first source of the same kind — so new selectors can be
tried on a page before they are deployed.

``--compare`` scrapes every enabled source of the configuration (or the defaults) in one
crawl and shows them side by side, game by game (one row per game, as the Scheduler's merge
matches games across sources), marking the kick-offs the sources disagree on. Exit 0 when
every source is healthy and they all agree.

Fetching is the Scraper's own: one Scrapy crawl in a child process
(:mod:`ghela.scraper.crawler`), so a failure reads as it happened ("the name
www.kaagent.be does not resolve").
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import yaml

from ghela.core.clock import SystemClock, venue_zone
from ghela.core.config import load_config
from ghela.core.errors import ConfigurationError, InvalidInput
from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.core.names import same_game
from ghela.scraper.config import ScraperConfig, SourceConfig, check_location
from ghela.scraper.crawler import ChildCrawl
from ghela.scraper.dutch import WEEKDAYS
from ghela.scraper.pages import is_http
from ghela.scraper.scrape import SourceScraper

DUTCH_WEEKDAYS = {number: name for name, number in WEEKDAYS.items() if len(name) == 2}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scrape", help="scrape one fixtures page or calendar feed now and show what was found"
    )
    parser.add_argument(
        "source",
        metavar="SOURCE",
        nargs="?",
        help="an http(s) URL, a file:// URL, a file path or a source's name",
    )
    parser.add_argument(
        "--compare", action="store_true", help="scrape every configured source and show them side by side"
    )
    parser.add_argument("--kind", choices=["html", "ics"], help="the source's kind (default: guessed)")
    parser.add_argument("--json", action="store_true", help="print the ScrapeResult as JSON")
    parser.add_argument(
        "--config", type=Path, help="a Scraper configuration (YAML/JSON) for selectors, club and sources"
    )
    parser.set_defaults(func=run)


def guess_kind(location: str) -> str:
    """``ics`` for a name ending in .ics or a webcal/ical-looking URL, else ``html``."""
    lowered = location.lower().split("?")[0]
    return "ics" if lowered.endswith((".ics", ".ical", ".ifb")) or "ical" in lowered else "html"


def run(args: argparse.Namespace) -> int:
    config = read_config(args.config)
    if args.compare:
        return compare(config, args.json)
    if args.source is None:
        raise InvalidInput("give a SOURCE, or --compare for every configured source", field="source")
    source = choose_source(config, args.source, args.kind)
    config = config.model_copy(update={"sources": [source]})
    now = SystemClock().now()
    fetched = ChildCrawl(config)([source], now, threading.Event())[source.name]
    if fetched.error is not None:
        raise InvalidInput(fetched.error, field="source")
    result = SourceScraper(source, config).judge(now, fetched)
    print(result.model_dump_json(indent=2) if args.json else render(result, source.kind, config.zone))
    return 0 if result.healthy else 1


def compare(config: ScraperConfig, as_json: bool) -> int:
    """Every enabled source in one crawl, side by side; 0 when all are healthy and agree."""
    sources = [source for source in config.sources if source.enabled]
    if not sources:
        raise InvalidInput("the configuration has no enabled source to compare", field="config")
    now = SystemClock().now()
    pages = ChildCrawl(config)(sources, now, threading.Event())
    results = [SourceScraper(source, config).judge(now, pages[source.name]) for source in sources]
    games = side_by_side(results)
    if as_json:
        print("[" + ",\n".join(result.model_dump_json() for result in results) + "]")
    else:
        print(render_comparison(results, games, config.zone))
    disagree = any(len({kickoff_text(f, config.zone) for f in row if f is not None}) > 1 for row in games)
    missing = any(None in row for row in games)
    return 0 if all(r.healthy for r in results) and not disagree and not missing else 1


def side_by_side(results: Sequence[ScrapeResult]) -> list[list[Fixture | None]]:
    """One row per game, one column per result: the fixture that source lists, or None."""
    rows: list[list[Fixture | None]] = []
    for column, result in enumerate(results):
        for fixture in result.fixtures:
            row = next(
                (
                    r
                    for r in rows
                    if r[column] is None and any(f is not None and _same(f, fixture) for f in r)
                ),
                None,
            )
            if row is None:
                row = [None] * len(results)
                rows.append(row)
            row[column] = fixture
    return sorted(rows, key=lambda row: min(_day(f) for f in row if f is not None))


def _day(fixture: Fixture) -> date:
    if fixture.kickoff is not None:
        return fixture.kickoff.date()
    assert fixture.date is not None  # a Fixture has exactly one of kickoff and date
    return fixture.date


def _same(a: Fixture, b: Fixture) -> bool:
    return same_game(a.away, _day(a), b.away, _day(b))


def render_comparison(results: Sequence[ScrapeResult], games: list[list[Fixture | None]], zone: str) -> str:
    header = ["game", *[r.source for r in results], ""]
    table = [header]
    for row in games:
        first = next(f for f in row if f is not None)
        cells = [kickoff_text(f, zone) if f is not None else "– not listed" for f in row]
        listed = {c for c, f in zip(cells, row, strict=True) if f is not None}
        note = "DISAGREE" if len(listed) > 1 else ("missing in some" if None in row else "")
        table.append([f"{first.home} - {first.away}", *cells, note])
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.append("")
    for result in results:
        verdict = ("healthy" if result.healthy else "UNHEALTHY") + (
            ", complete" if result.complete else ", partial"
        )
        lines.append(f"{result.source}: {verdict}, {len(result.fixtures)} home fixtures")
        lines += [f"  - {reason}" for reason in result.reasons[:5]]
    return "\n".join(lines)


def read_config(path: Path | None) -> ScraperConfig:
    """The configuration in ``path`` (YAML or JSON), or the defaults."""
    if path is None:
        return ScraperConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise ConfigurationError(f"cannot read configuration {path}: {reason}") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"configuration {path} is not a mapping of keys to values")
    return load_config(ScraperConfig, raw)


def choose_source(config: ScraperConfig, name_or_location: str, kind: str | None) -> SourceConfig:
    """A configured source by name, or a new one for a URL or file like the configured ones."""
    for source in config.sources:
        if source.name == name_or_location:
            return source if kind is None else source.model_copy(update={"kind": kind})
    location = name_or_location
    try:
        check_location(location)
    except ValueError as exc:
        raise InvalidInput(f"SOURCE {exc}", field="source") from None
    if not is_http(location) and not location.lower().startswith("file://"):
        location = str(Path(location).expanduser())
    kind = kind or guess_kind(location)
    like = next((source for source in config.sources if source.kind == kind), None)
    if like is None:
        return SourceConfig(name="cli", kind=kind, url=location)
    return like.model_copy(update={"name": "cli", "url": location, "enabled": True})


def render(result: ScrapeResult, kind: str, zone_name: str) -> str:
    """A readable report: verdict, the home fixtures as a table, the reasons."""
    health = "healthy" if result.healthy else "UNHEALTHY"
    verdict = health + (", complete" if result.complete else ", partial")
    window = f"{result.window_start} .. {result.window_end}" if result.window_start else "none"
    status = f"HTTP {result.http_status}" if result.http_status is not None else "file"
    lines = [
        f"source:   {result.fixtures[0].source_url if result.fixtures else result.source} ({kind})",
        f"verdict:  {verdict} ({status}; {result.rows_parsed} of {result.rows_found} rows read; "
        f"dates {window})",
        "",
        f"home fixtures: {len(result.fixtures)}",
    ]
    rows = [("kick-off (" + zone_name + ")", "home", "away", "competition")]
    rows += [(kickoff_text(f, zone_name), f.home, f.away, f.competition) for f in result.fixtures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append(("  " + cells).rstrip())
    if result.reasons:
        lines += ["", "reasons:"] + [f"  - {reason}" for reason in result.reasons]
    return "\n".join(lines)


def kickoff_text(fixture: Fixture, zone_name: str) -> str:
    if fixture.kickoff is not None:
        local = fixture.kickoff.astimezone(venue_zone(zone_name))
        return f"{DUTCH_WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}"
    assert fixture.date is not None
    return f"{DUTCH_WEEKDAYS[fixture.date.weekday()]} {fixture.date:%Y-%m-%d} time TBD"
