"""Stored rows as the shared message models (what the cloud's read copy and the CLI see)."""

from __future__ import annotations

from ghela.core.messages import AlertSnapshot, EventKind, EventSnapshot, EventState, LightPattern
from ghela.scheduler.tables import AlertRow, EventRow


def alert_snapshot(alert: AlertRow) -> AlertSnapshot:
    return AlertSnapshot(
        alert_id=alert.id or 0,
        label=alert.label,
        starts_at=alert.starts_at,
        ends_at=alert.ends_at,
        pattern=LightPattern(alert.pattern),
        offset_minutes=alert.offset_minutes,
        snoozed_until=alert.snoozed_until,
        silenced=alert.silenced,
        custom=alert.custom,
    )


def event_snapshot(event: EventRow, alerts: list[AlertRow]) -> EventSnapshot:
    return EventSnapshot(
        event_id=event.id or 0,
        kind=EventKind(event.kind),
        key=event.key,
        title=event.title,
        home=event.home,
        away=event.away,
        competition=event.competition,
        venue=event.venue,
        start=event.start,
        date=event.local_date if event.start is None else None,
        end=event.end,
        state=EventState(event.state),
        revision=event.revision,
        alerts=[alert_snapshot(alert) for alert in alerts],
    )
