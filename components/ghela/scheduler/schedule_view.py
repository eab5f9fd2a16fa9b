"""``ghela schedule``: upcoming events and their alerts as a table in the venue's time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AlertRow, EventRow

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
        alerts = repo.alerts_of_events([event.id or 0 for event in events])
    if not events:
        lines.append("No upcoming events.")
        return "\n".join(lines)
    lines.append(f"  {'ID':>4}  {'WHEN':<17} {'EVENT':<44} {'STATE':<10}")
    for event in events:
        title = event.title + (f" ({event.competition})" if event.competition else "")
        lines.append(f"  {event.id:>4}  {_when(event, zone):<17} {title[:44]:<44} {event.state}")
        lines.extend(_alert_line(alert, zone, now) for alert in alerts[event.id or 0])
    return "\n".join(lines)
