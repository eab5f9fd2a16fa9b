"""When an event is over: one rule for the Scheduler (which finishes events) and the cloud.

The Scheduler marks an event finished at this instant; the cloud API uses the same rule to
tell upcoming events from past ones in the read copy (``GET /events``, the calendar feed).
The cloud cannot read a device's configuration, so it takes the default length; a device
configured otherwise (``eventMinutes``) differs from it only in how long a started game
stays listed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_EVENT_MINUTES = 120
"""How long a game (or a custom event without an end) lasts: 90 minutes, half-time and
stoppage time, rounded up. The Scheduler's ``eventMinutes`` defaults to it."""


def finishes_at(
    start: datetime | None,
    day: date | None,
    end: datetime | None,
    zone: ZoneInfo,
    event_minutes: int = DEFAULT_EVENT_MINUTES,
) -> datetime | None:
    """The instant (UTC) an event is over: its ``end``; else ``event_minutes`` after its
    ``start``; else, for a game known only by its venue-zone ``day``, that day's end.

    Midnight with ``fold=0`` never fails: where the clocks skip it, it is the instant the
    gap begins, which is the first local time after it.
    """
    if end is not None:
        return end
    if start is not None:
        return start + timedelta(minutes=event_minutes)
    if day is not None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return None
