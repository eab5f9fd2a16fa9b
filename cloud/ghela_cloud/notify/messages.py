"""What a notification is (the schedule's input and the sender's event) and what it says.

Each says what to do and by when, in Dutch and English (the office speaks both); the
README lists the texts.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from ghela.core.messages import Message
from ghela.core.messages.snapshots import EventSnapshot
from ghela.core.wiretypes import Id, UtcDatetime
from pydantic import Field, ValidationError, model_validator

from ghela_cloud.api.feed import parking_deadline


class Kind(StrEnum):
    ALERT = "alert"
    """An alert starts (the light comes on)."""
    LATE_CHANGE = "late-change"
    """A game within the next days was moved or added, or got its kick-off time."""


class Notification(Message):
    kind: Kind
    device: Annotated[str, Field(min_length=1, max_length=128)]
    event_id: Id
    alert_id: Id | None = None
    revision: Annotated[int, Field(ge=0, le=2**53)]
    """The event's revision the notification was planned from."""
    starts_at: UtcDatetime | None = None
    """An alert's start as planned (alerts only): the change its notice is about."""

    @model_validator(mode="after")
    def _alert_has_its_start(self) -> Notification:
        if (self.kind is Kind.ALERT) != (self.alert_id is not None and self.starts_at is not None):
            raise ValueError("an alert notification has alert_id and starts_at; a late change neither")
        return self

    @property
    def key(self) -> str:
        """The idempotency key: one per alert and start, or per event and revision.

        An alert's notice is keyed by its start, not the event's revision: the schedule
        firing at the start and the planner's catch-up for an alert already lit (a sync
        that arrives mid-alert, or any later sync while it lights) are the same notice and
        go out once; an alert moved to another start is a new notice. A late change is
        one per revision of the event.
        """
        if self.kind is Kind.ALERT and self.starts_at is not None:  # always, by the validator
            start = f"{self.starts_at:%Y%m%dT%H%M%SZ}"
            return f"{self.kind}#{self.device}#{self.event_id}#{self.alert_id}#{start}"
        return f"{self.kind}#{self.device}#{self.event_id}#0#{self.revision}"


def decode_notification(raw: Any) -> Notification | str:
    """The sender's input (a schedule's ``Input`` or the planner's invoke payload, as an
    object or JSON text) as a notification, or why it is not one (naming the field)."""
    try:
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
        return Notification.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "(notification)"
        return f"{where}: {first.get('msg', 'invalid')}"[:500]
    except (ValueError, TypeError, RecursionError, OverflowError, UnicodeError) as exc:
        return f"(notification): cannot be decoded ({type(exc).__name__})"


def alert_label(event: EventSnapshot, alert_id: int | None) -> str:
    return next((a.label for a in event.alerts if a.alert_id == alert_id), "") or "alert"


def render(notification: Notification, event: EventSnapshot, zone: ZoneInfo) -> tuple[str, str]:
    """(title, text): one short line for push and subject, the text for e-mail and chat."""
    deadline = parking_deadline(event)
    by = f"{deadline.astimezone(zone):%H:%M}" if deadline is not None else "?"
    day = f"{deadline.astimezone(zone):%d/%m}" if deadline is not None else ""
    if notification.kind is Kind.ALERT:
        label = alert_label(event, notification.alert_id)
        title = f"Parking leeg tegen {by} / Parking empty by {by}"
        text = (
            f"{event.title}: {label}. Haal je auto vóór {by} van de parking (boete 500 EUR per auto).\n"
            f"{event.title}: {label}. Move your car off the lot by {by} (500 EUR fine per car)."
        )
    else:
        start = f"{event.start.astimezone(zone):%d/%m %H:%M}" if event.start else "?"
        title = f"Gewijzigd: {event.title} / Changed: {event.title}"
        text = (
            f"{event.title} is nu op {start}: parking leeg tegen {day} {by}.\n"
            f"{event.title} is now on {start}: parking empty by {day} {by}."
        )
    return title, text


LATE_WINDOW = timedelta(days=7)
"""A change to a game starting within this window is announced at once."""


def within_late_window(start: datetime | None, now: datetime) -> bool:
    return start is not None and now <= start <= now + LATE_WINDOW
