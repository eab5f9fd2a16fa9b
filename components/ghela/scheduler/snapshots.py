"""Stored rows as the shared message models (what the cloud's read copy and the CLI see)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ghela.core.messages.snapshots import (
    AlertSnapshot,
    EventKind,
    EventSnapshot,
    EventState,
    OverrideField,
    OverrideSnapshot,
    SourceSays,
)
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.merge import merge
from ghela.scheduler.overrides import source_value, view_of
from ghela.scheduler.tables import AlertRow, EventRow, Override, SourceView


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


def source_says(view: SourceView) -> SourceSays:
    return SourceSays(
        source=view.source,
        title=view.title,
        start=view.start,
        date=view.local_date if view.start is None else None,
        venue=view.venue,
    )


def override_snapshots(
    event: EventRow, views: list[SourceView], overrides: list[Override], zone: ZoneInfo
) -> list[OverrideSnapshot]:
    """Each override with what the sources say of its field now."""
    merged = merge([view_of(v) for v in views], zone, event.source) if views else None
    return [
        OverrideSnapshot(
            field=OverrideField(row.field),
            value=row.value,
            source_value=source_value(row.field, merged),
            by=row.set_by,
            at=row.set_at,
        )
        for row in overrides
    ]


def event_snapshot(
    event: EventRow,
    alerts: list[AlertRow],
    views: list[SourceView] | None = None,
    overrides: list[Override] | None = None,
    zone: ZoneInfo | None = None,
) -> EventSnapshot:
    views, overrides = views or [], overrides or []
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
        disputed=event.disputed,
        previous_start=event.previous_start,
        previous_date=event.previous_date,
        sources=[source_says(view) for view in views],
        overrides=override_snapshots(event, views, overrides, zone or ZoneInfo("UTC")) if overrides else [],
    )
