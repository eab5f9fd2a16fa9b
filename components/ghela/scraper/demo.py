"""A home-games calendar feed for demonstrations (``ghela up --demo``).

:func:`write_demo_feed` writes an ICS feed whose KAA Gent home games kick off at the given
instants (say, 3 h 5 min from now), so the whole system can be watched planning and
switching alerts within minutes. Kick-offs are written in Europe/Brussels with a TZID, as
a real fixtures feed does; games whose kick-off is not fixed yet are all-day events, as
fixtures services publish them. An opponent is picked per game from a fixed list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from ghela.core.clock import SystemClock, as_utc, venue_zone

OPPONENTS = (
    "Club Brugge KV",
    "RSC Anderlecht",
    "Royal Antwerp FC",
    "KRC Genk",
    "Standard Liège",
    "Union Saint-Gilloise",
    "Cercle Brugge",
    "KV Mechelen",
)
VENUE = "Planet Group Arena, Gent"


def demo_feed(
    kickoffs: list[datetime],
    *,
    undecided: Sequence[date] = (),
    written_at: datetime | None = None,
    club: str = "KAA Gent",
    zone: str = "Europe/Brussels",
) -> bytes:
    """The feed's bytes: one home game per kick-off (aware datetimes; naive ones are refused)
    and one all-day game (kick-off not yet known) per date in ``undecided``."""
    local = venue_zone(zone)
    stamp = as_utc(written_at, field="written_at") if written_at else SystemClock().now()
    calendar = Calendar()
    calendar.add("prodid", "-//Ghelamco Alert//demo home games//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{club} - thuiswedstrijden (demo)")
    starts: list[datetime | date] = [as_utc(k, field="kickoff").astimezone(local) for k in kickoffs]
    starts.extend(undecided)
    for number, start in enumerate(sorted(starts, key=_sort_key), start=1):
        event = Event()
        event.add("uid", f"ghela-demo-{number:03d}@ghelamco-alert")
        event.add("dtstamp", stamp)
        event.add("summary", f"{club} - {OPPONENTS[(number - 1) % len(OPPONENTS)]} [Demo]")
        event.add("dtstart", start)
        event.add("dtend", start + (timedelta(hours=2) if isinstance(start, datetime) else timedelta(days=1)))
        event.add("location", VENUE)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _sort_key(start: datetime | date) -> date:
    return start.date() if isinstance(start, datetime) else start


def write_demo_feed(
    path: Path | str,
    kickoffs: list[datetime],
    written_at: datetime | None = None,
    undecided: Sequence[date] = (),
) -> Path:
    """Write the demo feed to ``path`` (atomically: a scrape never reads half a file)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    partial.write_bytes(demo_feed(kickoffs, undecided=undecided, written_at=written_at))
    partial.replace(target)
    return target
