"""A device's events as an iCalendar feed (RFC 5545), for staff's own calendar apps.

Each event of the read copy becomes one VEVENT whose main line is what people must do:
"Parking empty by 17:45" (the README's rule: the lot must be empty 3 hours before
kick-off). It starts at that deadline and lasts until kick-off, so a calendar shows the
blocked evening; each alert that will light becomes a VALARM that long before the
deadline, so the phone rings when the light does. Times are written in the venue's zone
with its VTIMEZONE, so Outlook, Google and Apple show local time across a DST weekend.

A calendar app replaces an event it already has when the UID is the same and the
SEQUENCE higher (RFC 5545 3.8.7.4), so the UID is the device and event id (never the
time) and SEQUENCE is the event's revision in the read copy, which only grows. A
cancelled game stays in the feed with STATUS:CANCELLED, so subscribed calendars drop it.
A game whose kick-off time is not yet known is an all-day entry on its date.

icalendar is imported where a feed is built: the notify functions use this module's
parking rule only, and do not load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ghela.core.messages.snapshots import EventSnapshot, EventState

from ghela_cloud.api.eventmodels import EventView

if TYPE_CHECKING:
    from icalendar import Event

PARKING_CLEAR_BEFORE_KICKOFF = timedelta(hours=3)
"""README: "the office parking lot must be empty 3 hours before kick-off"."""

PRODID = "-//Ghelamco Alert//calendar feed//EN"


def event_uid(device: str, event_id: int) -> str:
    """Stable for the life of the event: a moved game keeps it."""
    return f"{device}-event-{event_id}@ghelamco-alert"


def parking_deadline(event: EventSnapshot) -> datetime | None:
    """When the lot must be empty: kick-off minus 3 hours for a game, the start for a custom event."""
    if event.start is None:
        return None
    return event.start - PARKING_CLEAR_BEFORE_KICKOFF if event.kind == "game" else event.start


def build_feed(device: str, events: Iterable[EventView], zone: ZoneInfo, now: datetime) -> bytes:
    """The whole calendar as bytes (``text/calendar``)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Ghelamco Alert — {device}")
    calendar.add("x-wr-timezone", zone.key)
    for event in events:
        if event.start is not None or event.date is not None:
            calendar.add_component(_vevent(device, event, zone, now))
    calendar.add_missing_timezones()
    document: bytes = calendar.to_ical()
    return document


def _vevent(device: str, event: EventView, zone: ZoneInfo, now: datetime) -> Event:
    from icalendar import Alarm, Event

    vevent = Event()
    vevent.add("uid", event_uid(device, event.event_id))
    vevent.add("sequence", event.revision)
    vevent.add("dtstamp", now)
    title = event.title
    deadline = parking_deadline(event)
    if deadline is not None and event.start is not None:
        local = deadline.astimezone(zone)
        if event.kind == "game":
            vevent.add("summary", f"Parking empty by {local:%H:%M} — {title}")
            vevent.add("dtstart", local)
            vevent.add("dtend", event.start.astimezone(zone))
        else:
            vevent.add("summary", title)
            vevent.add("dtstart", local)
            vevent.add("dtend", (event.end or event.start + timedelta(hours=1)).astimezone(zone))
        for alert in event.alerts:
            if alert.silenced:
                continue
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{alert.label or 'alert'}: parking empty by {local:%H:%M}")
            alarm.add("trigger", alert.starts_at - deadline)
            vevent.add_component(alarm)
        description = [f"Kick-off {event.start.astimezone(zone):%A %d %B %H:%M}."]
    else:
        assert event.date is not None  # build_feed skips events with neither
        vevent.add("summary", f"Kick-off time not yet known — {title}")
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + timedelta(days=1))
        description = ["The kick-off time is not yet known; this entry moves when it is."]
    for alert in event.alerts:
        start, end = alert.starts_at.astimezone(zone), alert.ends_at.astimezone(zone)
        silenced = " (silenced)" if alert.silenced else ""
        description.append(f"{alert.label or 'alert'}: {start:%H:%M}–{end:%H:%M}{silenced}")
    if description:
        vevent.add("description", "\n".join(description))
    if event.venue:
        vevent.add("location", event.venue)
    cancelled = event.state == EventState.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    return vevent
