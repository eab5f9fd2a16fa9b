"""Stored items → API views, and the lookups of an event or an alert the event routes share."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from ghela.core.decoding import validate
from ghela.core.errors import InvalidInput
from ghela.core.eventtime import finishes_at

from ghela_cloud.api.eventmodels import AlertView, EventView
from ghela_cloud.api.services import Services

log = Logger(service="ghela-api", child=True)

_EVENT_FIELDS = frozenset(EventView.model_fields)


def event_view(item: dict[str, Any]) -> EventView | None:
    """The view of a stored event item, or None (logged) if the item is malformed."""
    fields = {k: v for k, v in item.items() if k in _EVENT_FIELDS}
    try:
        return validate(EventView, fields, "stored event")
    except InvalidInput as exc:
        where = f"{str(item.get('device'))[:100]}/{str(item.get('sk'))[:100]}"
        log.warning("skipping malformed event item %s: %s", where, exc)
        return None


def load_event(services: Services, device: str, event_id: int) -> EventView:
    item = services.events.get_event(device, event_id)
    view = event_view(item) if item is not None else None
    if view is None:
        raise NotFoundError(f"event {event_id} not found on {device}")
    return view


def load_alert(services: Services, device: str, alert_id: int) -> tuple[EventView, AlertView]:
    for item in services.events.list_events(device):
        view = event_view(item)
        if view is None:
            continue
        for alert in view.alerts:
            if alert.alert_id == alert_id:
                return view, alert
    raise NotFoundError(f"alert {alert_id} not found on {device}")


def relevant_until(event: EventView, zone: ZoneInfo) -> datetime | None:
    """The last instant an event matters: when it is over (the Scheduler's rule, with the
    default length; a date-only game's day ends in the venue's ``zone``), or its last alert's end."""
    candidates: list[datetime] = [alert.ends_at for alert in event.alerts]
    over = finishes_at(event.start, event.date if event.start is None else None, event.end, zone)
    if over is not None:
        candidates.append(over)
    return max(candidates) if candidates else None


def sort_key(event: EventView) -> tuple[str, int]:
    if event.start is not None:
        return (event.start.isoformat(), event.event_id)
    if event.date is not None:
        return (event.date.isoformat(), event.event_id)
    return ("9999", event.event_id)
