"""What a notification is (the schedule's input and the sender's event) and what it says.

Each says what to do and by when, in Dutch and English (the office speaks both); the
README lists the texts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from ghela.core.messages import EventSnapshot, Id, Message
from pydantic import Field

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
    """The event's revision the notification was planned from: with the alert, the change."""

    @property
    def key(self) -> str:
        """The idempotency key: one per alert (or event) and change."""
        return f"{self.kind}#{self.device}#{self.event_id}#{self.alert_id or 0}#{self.revision}"


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
