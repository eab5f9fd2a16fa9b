"""From one change of an event in the read copy to the schedules and immediate notices it needs.

Pure: the planner applies the plan to EventBridge Scheduler. One schedule per alert, named
from the device and alert id, so a re-planned alert updates its schedule instead of adding
one; an alert that is gone, silenced, snoozed past its start, already started, or whose
event is cancelled or finished has none.

An alert that lights already (started, not ended) when a change of its event arrives is
announced at once instead: a Pi that comes online mid-alert, or whose first sync reaches
the cloud after the alert's start (``ghela up --demo`` under load), still gets staff their
final call. Every later change while it lights asks again; the notice's key (the alert and
its start, :attr:`~ghela_cloud.notify.messages.Notification.key`) makes the sender send it
once, whether the schedule or a catch-up got there first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot, EventState

from ghela_cloud.notify.messages import Kind, Notification, within_late_window

QUIET_STATES = frozenset({EventState.CANCELLED, EventState.FINISHED})


def schedule_name(device: str, alert_id: int) -> str:
    """Scheduler names are [0-9a-zA-Z-_.]{1,64}; a thing name may be 128 characters, so hash it."""
    digest = hashlib.sha256(device.encode("utf-8")).hexdigest()[:24]
    return f"alert-{digest}-{alert_id}"


@dataclass(frozen=True)
class Upsert:
    name: str
    at: datetime
    notification: Notification


@dataclass
class Plan:
    upserts: list[Upsert] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    now: list[Notification] = field(default_factory=list)
    """Late changes, and alerts that light already: announced at once."""


def will_light(event: EventSnapshot, alert: AlertSnapshot) -> bool:
    """Neither the event cancelled or over, nor the alert silenced or snoozed past its start."""
    if event.state in QUIET_STATES or alert.silenced:
        return False
    return alert.snoozed_until is None or alert.snoozed_until < alert.starts_at


def plan_change(device: str, old: EventSnapshot | None, new: EventSnapshot | None, now: datetime) -> Plan:
    plan = Plan()
    wanted: dict[str, Upsert] = {}
    if new is not None:
        for alert in new.alerts:
            if not will_light(new, alert) or now >= alert.ends_at:
                continue
            notification = Notification(
                kind=Kind.ALERT,
                device=device,
                event_id=new.event_id,
                alert_id=alert.alert_id,
                revision=new.revision,
                starts_at=alert.starts_at,
            )
            if alert.starts_at > now:
                name = schedule_name(device, alert.alert_id)
                wanted[name] = Upsert(name, alert.starts_at, notification)
            else:
                plan.now.append(notification)  # lights already: its final call, once
    plan.upserts = list(wanted.values())
    before = {schedule_name(device, a.alert_id) for a in (old.alerts if old is not None else [])}
    if new is not None:
        before |= {schedule_name(device, a.alert_id) for a in new.alerts}
    plan.deletes = sorted(before - wanted.keys())
    if new is not None and new.kind == "game" and _late_change(old, new, now):
        plan.now.append(
            Notification(kind=Kind.LATE_CHANGE, device=device, event_id=new.event_id, revision=new.revision)
        )
    return plan


def _late_change(old: EventSnapshot | None, new: EventSnapshot, now: datetime) -> bool:
    """Added, moved, or given its kick-off time, and now starting within the late window."""
    if new.state in QUIET_STATES or not within_late_window(new.start, now):
        return False
    return old is None or old.start != new.start
