"""Dutch (and numeric) match dates and kick-off times, as fixture pages write them.

``parse_when("zo 24 nov", "20u45", reference=...)`` gives a :class:`When`: the local date
and, when the time is fixed, the local kick-off time. Times not yet fixed ("TBD", "nog te
bepalen", "uitgesteld", nothing at all) give a date with no time. Anything else that is not
a date or a time raises :class:`WhenError` naming the text.

Dates without a year get one from the football season of the reference instant (July to
June): a "za 2 aug" scraped in November is this season's August, a "za 17 jan" next
January. A weekday written beside the date must agree with the date found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

SEASON_START_MONTH = 7

MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "febr": 2, "februari": 2, "february": 2,
    "mrt": 3, "maa": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

WEEKDAYS = {
    "ma": 0, "maandag": 0, "mon": 0,
    "di": 1, "dinsdag": 1, "tue": 1,
    "wo": 2, "woensdag": 2, "wed": 2,
    "do": 3, "donderdag": 3, "thu": 3,
    "vr": 4, "vrijdag": 4, "fri": 4,
    "za": 5, "zaterdag": 5, "sat": 5,
    "zo": 6, "zondag": 6, "sun": 6,
}  # fmt: skip

UNKNOWN_TIME_WORDS = (
    "tbd", "tba", "t.b.d.", "t.b.a.", "nog te bepalen", "n.t.b.", "ntb", "nog niet gekend", "onbekend",
    "uitgesteld", "postponed", "afgelast", "nader te bepalen",
)  # fmt: skip
"""Words that mean the kick-off time is not (or no longer) fixed."""

PLACEHOLDERS = ("", "-", "--", "?", "...", "…", "x")
"""Whole cell texts that mean the same."""

_WEEKDAY = r"(?:(?P<weekday>[a-z]+)\.?,?\s+)?"
_NAMED_DATE = re.compile(
    _WEEKDAY + r"(?P<day>\d{1,2})\.?\s+(?P<month>[a-z]+)\.?(?:\s+(?P<year>\d{4}))?(?!\d)"
)
_NUMERIC_DATE = re.compile(
    _WEEKDAY + r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{4}|\d{2}))?(?![\d:])"
)
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_TIME = re.compile(r"(?<![\d])(?P<hour>\d{1,2})\s*(?:u|h|:|\.)\s*(?P<minute>\d{2})?(?![\d])")


class WhenError(ValueError):
    """A date or time text that cannot be read; the message quotes it."""


@dataclass(frozen=True)
class When:
    """A local match date, and the local kick-off time when it is fixed."""

    day: date
    kickoff: time | None


def season_start_year(reference: date) -> int:
    """The year the football season containing ``reference`` began (seasons start in July)."""
    return reference.year if reference.month >= SEASON_START_MONTH else reference.year - 1


def season_label(day: date) -> str:
    """``2025-26`` for any date from July 2025 to June 2026."""
    start = season_start_year(day)
    return f"{start}-{(start + 1) % 100:02d}"


def infer_year(month: int, day: int, reference: date, weekday: int | None) -> date:
    """The date ``day``/``month`` in the season around ``reference``.

    The reference's season is tried first, then the next and the previous (a page can list
    next season's first games in June). With a weekday, the first candidate whose weekday
    matches wins; without, the reference's season wins unless the date would lie more than
    300 days before the reference.
    """
    start = season_start_year(reference)
    candidates: list[date] = []
    for season in (start, start + 1, start - 1):
        year = season if month >= SEASON_START_MONTH else season + 1
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29 February outside a leap year
    if not candidates:
        raise WhenError(f"no such date: day {day} of month {month}")
    if weekday is not None:
        for candidate in candidates:
            if candidate.weekday() == weekday:
                return candidate
        raise WhenError(f"day {day} of month {month} is not on the weekday written beside it")
    first = candidates[0]
    if first < reference - timedelta(days=300) and len(candidates) > 1:
        return candidates[1]
    return first


def _weekday(text: str | None) -> int | None:
    if text is None:
        return None
    if text not in WEEKDAYS:
        raise WhenError(f"unknown weekday {text!r}")
    return WEEKDAYS[text]


def _build(day: int, month: int, year: int | None, weekday: int | None, reference: date) -> date:
    if not 1 <= month <= 12:
        raise WhenError(f"no month {month}")
    if year is None:
        return infer_year(month, day, reference, weekday)
    try:
        found = date(year, month, day)
    except ValueError:
        raise WhenError(f"no such date: {day}-{month}-{year}") from None
    if weekday is not None and found.weekday() != weekday:
        raise WhenError(f"{found.isoformat()} is not on the weekday written beside it")
    return found


def parse_date(text: str, reference: date) -> tuple[date, str]:
    """The date in ``text`` and what is left of the text once the date is taken out."""
    lowered = " ".join(text.lower().split())
    match = _ISO_DATE.search(lowered)
    if match:
        found = _build(int(match["day"]), int(match["month"]), int(match["year"]), None, reference)
        return found, lowered[: match.start()] + " " + lowered[match.end() :]
    for pattern in (_NAMED_DATE, _NUMERIC_DATE):
        for match in pattern.finditer(lowered):
            month_text = match["month"]
            if month_text.isdigit():
                month = int(month_text)
                if not 1 <= month <= 12:
                    continue  # "20.45" is a time, not the 20th of month 45
            elif month_text in MONTHS:
                month = MONTHS[month_text]
            else:
                continue
            year_text = match["year"]
            year = None
            if year_text is not None:
                year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
            weekday_text = match["weekday"]
            if weekday_text is not None and weekday_text not in WEEKDAYS:
                weekday_text = None  # a word before the date that is not a weekday
            found = _build(int(match["day"]), month, year, _weekday(weekday_text), reference)
            return found, lowered[: match.start()] + " " + lowered[match.end() :]
    raise WhenError(f"no date in {text!r}")


def parse_time(text: str) -> time | None:
    """The kick-off time in ``text``; None when the text says it is not fixed yet."""
    lowered = " ".join(text.lower().split())
    match = _TIME.search(lowered)
    if match is not None:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if hour > 23 or minute > 59:
            raise WhenError(f"no such time: {match.group(0)!r}")
        return time(hour, minute)
    stripped = lowered.strip(" ,;|/")
    if stripped in PLACEHOLDERS or any(word in stripped for word in UNKNOWN_TIME_WORDS):
        return None
    raise WhenError(f"no kick-off time in {text!r}")


def parse_when(date_text: str, time_text: str | None, reference: date) -> When:
    """A date (and time) from a date cell and a time cell, or from one cell with both."""
    day, rest = parse_date(date_text, reference)
    return When(day, parse_time(rest if time_text is None else time_text))
