"""``ghela schedule``: upcoming events and their alerts as a table in the venue's time.

Under a game whose sources disagree, what each source says (it is planned from the
earliest); under a game a person corrected, "source says X, set to Y by Z" and the command
that follows the source again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.core.messages.snapshots import OverrideField, OverrideSnapshot
from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.snapshots import override_snapshots
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AlertRow, EventRow, SourceView

DAY = "%a %d %b"
DAY_TIME = "%a %d %b %H:%M"


def _local(moment: datetime, zone: ZoneInfo, fmt: str) -> str:
    return moment.astimezone(zone).strftime(fmt)


def _when(event: EventRow, zone: ZoneInfo) -> str:
    if event.start is not None:
        return _local(event.start, zone, DAY_TIME)
    day = event.local_date.strftime(DAY) if event.local_date else "?"
    return f"{day} TBD"


def _alert_line(alert: AlertRow, zone: ZoneInfo, now: datetime) -> str:
    span = f"{_local(alert.starts_at, zone, DAY_TIME)}–{_local(alert.ends_at, zone, '%H:%M')}"
    notes = []
    if alert.silenced:
        notes.append("silenced")
    elif alert.snoozed_until is not None and alert.snoozed_until > alert.starts_at:
        notes.append(f"snoozed until {_local(alert.snoozed_until, zone, '%H:%M')}")
    if alert.custom:
        notes.append("custom")
    if alert.lit_from is not None and alert.lit_from <= now < alert.ends_at:
        notes.append("LIT NOW")
    elif alert.ends_at <= now:
        notes.append("over")
    label = alert.label or "(no label)"
    return f"        #{alert.id:<5} {span:<24} {alert.pattern:<7} {label:<30} {', '.join(notes)}".rstrip()


def _said(view: SourceView, zone: ZoneInfo) -> str:
    if view.start is not None:
        return _local(view.start, zone, DAY_TIME)
    return f"{view.local_date.strftime(DAY) if view.local_date else '?'} TBD"


def _value(field: str, value: str, zone: ZoneInfo) -> str:
    if field == OverrideField.START and "T" in value:
        return _local(datetime.fromisoformat(value), zone, DAY_TIME)
    if field == OverrideField.CANCELLED:
        return {"true": "cancelled", "listed": "listed", "gone": "not listed"}.get(value, value)
    return value


def override_line(event_id: int, override: OverrideSnapshot, zone: ZoneInfo) -> str:
    """``source says X, set to Y by Z`` and how to follow the source again."""
    said = _value(override.field, override.source_value, zone)
    value = _value(override.field, override.value, zone)
    return (
        f"        {override.field.value}: source says {said}, set to {value} by {override.by}"
        f" — follow the source: ghela event follow {event_id} --field {override.field.value}"
    )


def _source_lines(event: EventRow, views: list[SourceView], zone: ZoneInfo) -> list[str]:
    if not event.disputed:
        return []
    said = "; ".join(f"{view.source} says {_said(view, zone)}" for view in views)
    return [f"        sources disagree, planned from the earliest: {said}"]


def render_schedule(store: Store, now: datetime, zone: ZoneInfo, days: int, include_cancelled: bool) -> str:
    view = outlook(store, now)
    light = view.decision.pattern.value
    if view.decision.on:
        light += f" (alerts {', '.join(map(str, view.decision.alert_ids))})"
    lines = [
        f"Schedule from {_local(now, zone, DAY_TIME)} ({zone.key}), next {days} days — light now: {light}",
        "",
    ]
    with store.read() as session:
        repo = Repository(session)
        events = repo.upcoming(now, now + timedelta(days=days), include_cancelled)
        ids = [event.id or 0 for event in events]
        alerts = repo.alerts_of_events(ids)
        views, overrides = repo.views_and_overrides(ids)
    if not events:
        lines.append("No upcoming events.")
        return "\n".join(lines)
    lines.append(f"  {'ID':>4}  {'WHEN':<17} {'EVENT':<44} {'STATE':<10}")
    for event in events:
        title = event.title + (f" ({event.competition})" if event.competition else "")
        event_id = event.id or 0
        lines.append(f"  {event_id:>4}  {_when(event, zone):<17} {title[:44]:<44} {event.state}")
        lines.extend(_source_lines(event, views[event_id], zone))
        made = override_snapshots(event, views[event_id], overrides[event_id], zone)
        lines.extend(override_line(event_id, override, zone) for override in made)
        lines.extend(_alert_line(alert, zone, now) for alert in alerts[event_id])
    return "\n".join(lines)
