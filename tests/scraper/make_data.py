"""Builds the recorded pages and feeds under ``tests/scraper/data`` from ../shared/fixtures.

Run by hand (``.venv/bin/python -m tests.scraper.make_data [FIXTURES_DIR]``); its output is
committed and the tests replay it, so no test needs the network or the shared folder.

- ``kaagent-wedstrijden-2025-26.html``: the club's fixtures page for 2025/26 as of
  2025-11-20, all 30 league games of KAA Gent (home and away), Dutch dates without a year,
  times in "20u45", "20:45" and "18.30" shapes, games not yet fixed as "TBD",
  "nog te bepalen" or an empty cell. openfootball's 2025/26 times are one hour behind
  Brussels, so one hour is added (as the CSV notes).
- ``kaagent-wedstrijden-2025-26-later.html``: the same page on 2025-12-05: the home game
  against Royal Antwerp moved from Sunday 13:30 to Saturday 20:45, Westerlo postponed
  ("uitgesteld", stale date kept), Anderlecht fixed at Sunday 18 January 18:30.
- ``kaagent-thuis-2024-25.ics``: a home-games feed for 2024/25: league, championship
  play-offs and cup home games, "Home - Away [TAG]" titles, mostly TZID=Europe/Brussels,
  cup games in UTC.
- the 2012 pair of calendar files and the CSV of Brussels kick-offs, copied verbatim.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ghela.core.names import normalise
from icalendar import Calendar, Event

BRUSSELS = ZoneInfo("Europe/Brussels")
CLUB = "KAA Gent"
DATA = Path(__file__).parent / "data"
MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTH_NAMES = [
    "Januari", "Februari", "Maart", "April", "Mei", "Juni",
    "Juli", "Augustus", "September", "Oktober", "November", "December",
]  # fmt: skip
WEEKDAYS = ["ma", "di", "wo", "do", "vr", "za", "zo"]
_DATE_LINE = re.compile(
    r"^\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>[A-Z][a-z]{2})/(?P<day>\d+)(?: (?P<year>\d{4}))?\s*$"
)
_MATCH = re.compile(
    r"^\s+(?:(?P<time>\d{1,2}\.\d{2})\s+)?(?P<home>\S.*?)\s+v\s+(?P<away>\S.*?)(?:\s{2,}.*)?$"
)
_ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Match:
    day: date
    kickoff: time | None
    home: str
    away: str
    stage: str


def read_openfootball(path: Path, hour_shift: int = 0) -> list[Match]:
    """Every match in an openfootball text file (times carried within a date, as it writes them)."""
    matches: list[Match] = []
    stage, year, day, current = "", 0, None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("»"):
            stage = line[1:].strip()
            continue
        dated = _DATE_LINE.match(line)
        if dated:
            year = int(dated["year"]) if dated["year"] else year
            day = date(year, _ENGLISH_MONTHS.index(dated["mon"]) + 1, int(dated["day"]))
            current = None
            continue
        found = _MATCH.match(line)
        if found is None or day is None:
            continue
        if found["time"]:
            hour, minute = (int(part) for part in found["time"].split("."))
            current = time((hour + hour_shift) % 24, minute)
        matches.append(Match(day, current, found["home"].strip(), found["away"].strip(), stage))
    return matches


def gent_games(matches: list[Match]) -> list[Match]:
    return [m for m in matches if CLUB in (m.home, m.away)]


def dutch_date(day: date, with_year: bool) -> str:
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def dutch_time(at: time | None, index: int, postponed: bool = False) -> str:
    if postponed:
        return "uitgesteld"
    if at is None:
        return ["TBD", "nog te bepalen", ""][index % 3]
    shape = ["{h}u{m:02d}", "{h}:{m:02d}", "{h}.{m:02d}"][index % 3]
    return shape.format(h=at.hour, m=at.minute)


def season_page(games: list[Match], title: str, postponed: frozenset[str] = frozenset()) -> str:
    """A fixtures page in the shape the default selectors expect, grouped by month."""
    rows: list[str] = []
    month = None
    for index, game in enumerate(sorted(games, key=lambda g: (g.day, g.kickoff or time(0)))):
        if (game.day.year, game.day.month) != month:
            if month is not None:
                rows.append("  </ul>")
            month = (game.day.year, game.day.month)
            rows.append(
                f'  <h2 class="fixtures__month">{MONTH_NAMES[game.day.month - 1]} {game.day.year}</h2>'
            )
            rows.append('  <ul class="fixture-list">')
        opponent = game.away if game.home == CLUB else game.home
        slug = "/".join(normalise(team) for team in (game.home, game.away))
        when = dutch_date(game.day, with_year=game.day.month == 1 and index % 2 == 0)
        at = dutch_time(game.kickoff, index, opponent in postponed)
        rows.append(
            f'    <li class="fixture fixture--{"home" if game.home == CLUB else "away"}">\n'
            f'      <a class="fixture__link" href="/nl/team/games/jpl/{index + 1}/{slug}/">\n'
            f'        <span class="fixture__competition">Jupiler Pro League</span>\n'
            f'        <time class="fixture__date">{when}</time>\n'
            f'        <span class="fixture__time">{at}</span>\n'
            f'        <span class="fixture__team fixture__team--home">{html.escape(game.home)}</span>\n'
            f'        <span class="fixture__vs">-</span>\n'
            f'        <span class="fixture__team fixture__team--away">{html.escape(game.away)}</span>\n'
            f"      </a>\n"
            f"    </li>"
        )
    rows.append("  </ul>")
    body = "\n".join(rows)
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Wedstrijden | KAA Gent</title>\n</head>\n<body>\n"
        '<header class="site-header"><nav><a href="/nl">Home</a></nav></header>\n'
        f'<main>\n<h1>{title}</h1>\n<section class="fixtures">\n{body}\n</section>\n</main>\n'
        "<footer>&copy; KAA Gent</footer>\n</body>\n</html>\n"
    )


def later_page(games: list[Match]) -> str:
    """The 2025-26 page two weeks later: one game moved, one postponed, one fixed."""
    moved = []
    for game in games:
        if game.home == CLUB and game.away == "Royal Antwerp FC":
            game = replace(game, day=game.day - timedelta(days=1), kickoff=time(20, 45))
        elif game.home == CLUB and game.away == "RSC Anderlecht":
            game = replace(game, day=date(2026, 1, 18), kickoff=time(18, 30))
        moved.append(game)
    return season_page(moved, "Kalender 2025-2026", postponed=frozenset({"KVC Westerlo"}))


def home_feed(league: list[Match], cup: list[Match]) -> bytes:
    """KAA Gent's 2024/25 home games as a calendar feed, as a fixtures service writes one."""
    calendar = Calendar()
    calendar.add("prodid", "-//fixtures feed//KAA Gent thuiswedstrijden//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "KAA Gent - thuiswedstrijden")
    games = [(g, "POI" if g.stage.startswith("Championship") else "JPL") for g in league if g.home == CLUB]
    games += [(g, "Beker") for g in cup if g.home == CLUB]
    for number, (game, tag) in enumerate(sorted(games, key=lambda item: item[0].day), start=1):
        assert game.kickoff is not None
        start = datetime.combine(game.day, game.kickoff, tzinfo=BRUSSELS)
        event = Event()
        event.add("uid", f"kaagent-home-2024-25-{number:03d}@fixtures.example")
        event.add("dtstamp", datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
        event.add("summary", f"{game.home} - {game.away} [{tag}]")
        event.add("dtstart", start.astimezone(UTC) if tag == "Beker" else start)
        event.add(
            "dtend",
            (start + timedelta(hours=2)).astimezone(UTC) if tag == "Beker" else start + timedelta(hours=2),
        )
        event.add("location", "Planet Group Arena, Ottergemsesteenweg-Zuid 808, 9000 Gent")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_feed(games: list[Match], club: str = CLUB) -> bytes:
    """``club``'s home games among ``games`` as an independent fixtures service's feed:
    "Home - Away" titles, TZID kick-offs, all-day events where the time is not fixed."""
    calendar = Calendar()
    calendar.add("prodid", f"-//fixtures feed//{club} home//EN")
    calendar.add("version", "2.0")
    home = sorted((g for g in games if g.home == club), key=lambda g: g.day)
    for number, game in enumerate(home, start=1):
        event = Event()
        event.add("uid", f"{normalise(club)}-{game.day.isoformat()}-{number}@fixtures.example")
        event.add("dtstamp", datetime(2025, 11, 20, 9, 0, tzinfo=UTC))
        event.add("summary", f"{game.home} - {game.away}")
        if game.kickoff is None:
            event.add("dtstart", game.day)
        else:
            event.add("dtstart", datetime.combine(game.day, game.kickoff, tzinfo=BRUSSELS))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def main(fixtures: Path) -> None:
    DATA.mkdir(exist_ok=True)
    season_2025 = gent_games(
        read_openfootball(fixtures / "openfootball_belgium_2025-26_be1.txt", hour_shift=1)
    )
    (DATA / "kaagent-wedstrijden-2025-26.html").write_text(season_page(season_2025, "Kalender 2025-2026"))
    (DATA / "kaagent-wedstrijden-2025-26-later.html").write_text(later_page(season_2025))
    league_2024 = read_openfootball(fixtures / "openfootball_belgium_2024-25_be1.txt")
    cup_2024 = read_openfootball(fixtures / "openfootball_belgium_2024-25_becup.txt")
    (DATA / "kaagent-thuis-2024-25.ics").write_bytes(home_feed(league_2024, cup_2024))
    for name in ("calendar-2012-09-20.ics", "calendar-2012-11-13.ics"):
        shutil.copyfile(fixtures / "kaagent-calendar-2012" / name, DATA / name)
    shutil.copyfile(
        fixtures / "kaa_gent_home_league_kickoffs_2024-25_2025-26.csv",
        DATA / "kaa_gent_home_league_kickoffs_2024-25_2025-26.csv",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[3] / "shared" / "fixtures")
