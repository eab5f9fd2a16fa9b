"""What happens next: the one rule behind ``ghela next``, ``GET /next`` and the page's first line.

A pure function of event snapshots (the device builds them from its database, the cloud
reads them from the DynamoDB read copy), so both sides answer the same:

- the next alert is the one that lights first among those not over yet: lit now, or the
  earliest :func:`~ghela.core.alertwindow.lit_from` after ``now`` (a snooze moves it, a
  silenced alert or a cancelled event never lights — the Scheduler's own rule, reused);
- "parking empty by" is the end of that event's last alert that lights: for a game, the
  final call, which ends when the parking must be empty (3 hours before kick-off).

The line is written in the venue's zone, the one configured, passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from ghela.core.alertwindow import lit_from
from ghela.core.messages import Message
from ghela.core.messages.snapshots import EventSnapshot, EventState
from ghela.core.wiretypes import Id, LightPattern, UtcDatetime

NONE_LINE = "Next: nothing planned"


class NextUp(Message):
    event_id: Id
    alert_id: Id
    what: str
    """The event as staff name it: "KAA Gent–RSC Anderlecht", or a custom event's title."""
    light_at: UtcDatetime
    """When the light comes on (the past, when it is lit now)."""
    pattern: LightPattern
    empty_by: UtcDatetime
    """The end of the event's last alert that lights."""

    def lit(self, now: datetime) -> bool:
        return self.light_at <= now


def event_name(event: EventSnapshot) -> str:
    return f"{event.home}–{event.away}" if event.home and event.away else event.title


def next_up(events: Iterable[EventSnapshot], now: datetime) -> NextUp | None:
    """The alert that lights next (or is lit now) and what it is for; None if none will."""
    best: NextUp | None = None
    for event in events:
        live = event.state is not EventState.CANCELLED
        windows = [
            (start, alert)
            for alert in event.alerts
            if (start := lit_from(alert.starts_at, alert.ends_at, alert.snoozed_until, alert.silenced, live))
            is not None
            and alert.ends_at > now
        ]
        if not windows:
            continue
        start, alert = min(windows, key=lambda pair: (pair[0], pair[1].alert_id))
        if best is not None and (best.light_at, best.alert_id) <= (start, alert.alert_id):
            continue
        best = NextUp(
            event_id=event.event_id,
            alert_id=alert.alert_id,
            what=event_name(event),
            light_at=start,
            pattern=alert.pattern,
            empty_by=max(a.ends_at for _, a in windows),
        )
    return best


def next_line(up: NextUp | None, now: datetime, zone: ZoneInfo) -> str:
    """``Next: light on Sat 14:45 — KAA Gent–RSC Anderlecht, parking empty by 17:45``."""
    if up is None:
        return NONE_LINE
    light_at, empty_at = up.light_at.astimezone(zone), up.empty_by.astimezone(zone)
    empty_by = empty_at.strftime("%H:%M" if empty_at.date() == light_at.date() else "%a %H:%M")
    if up.lit(now):
        return f"Now: light on — {up.what}, parking empty by {empty_by}"
    when = light_at.strftime("%a %H:%M")
    return f"Next: light on {when} — {up.what}, parking empty by {empty_by}"
