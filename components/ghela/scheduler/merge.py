"""Several sources' views of one game merged into what is planned (pure).

Missing a real game costs 500 EUR a car, a spurious alert a glance, so:

- a game is planned while **any** source lists it (the union);
- when the sources disagree on when it is, it is planned from the **earliest** of them and
  marked disputed (the earliest day; on that day a known kick-off before "time not known");
- title and venue come from the game's primary source (the one that first listed it) while
  it lists the game, else from the first by name, so they do not flap between scrapes.

A person's override then wins over the merged value of its field (:mod:`ghela.scheduler.overrides`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class View:
    """One source's listing of a game."""

    source: str
    title: str
    start: datetime | None
    local_date: date | None
    venue: str = ""


@dataclass(frozen=True)
class Merged:
    """What the sources together say of a game."""

    start: datetime | None
    local_date: date | None
    title: str
    venue: str
    disputed: bool


def _day(view: View, zone: ZoneInfo) -> date:
    if view.start is not None:
        return view.start.astimezone(zone).date()
    assert view.local_date is not None
    return view.local_date


def _earliest_first(view: View, zone: ZoneInfo) -> tuple[date, bool, datetime, str]:
    """The earliest day first; on one day a known kick-off before "time not known yet"."""
    return (_day(view, zone), view.start is None, view.start or datetime.min.replace(tzinfo=UTC), view.source)


def disagree(views: Sequence[View], zone: ZoneInfo) -> bool:
    """Whether the listings put the game on different days, or at different known times.

    A listing without a time on the same day as one with a time is not a disagreement:
    one source simply knows more.
    """
    days = {_day(v, zone) for v in views}
    starts = {v.start for v in views if v.start is not None}
    return len(days) > 1 or len(starts) > 1


def merge(views: Sequence[View], zone: ZoneInfo, primary: str = "") -> Merged:
    """The planned game from one or more listings (``primary``: the source of its details)."""
    if not views:
        raise ValueError("a game is merged from at least one listing")
    first = next((v for v in views if v.source == primary), None) or min(views, key=lambda v: v.source)
    earliest = min(views, key=lambda v: _earliest_first(v, zone))
    return Merged(
        start=earliest.start,
        local_date=_day(earliest, zone),
        title=first.title,
        venue=first.venue,
        disputed=disagree(views, zone),
    )
