"""The person-made commands: custom events, alerts, snoozes, and corrections of games.

A person's change to a game (its kick-off, title, venue, or cancelling it) is an override
(:mod:`ghela.scheduler.overrides`): stored with who and when, kept under later scrapes.

Each function applies one command within a :class:`~ghela.scheduler.work.Work` and returns
``(message, data)``; an invalid command raises :class:`InvalidCommand` or :class:`NotFound`
naming the field, before or after changing rows — the caller's transaction rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ghela.core.errors import InvalidCommand, NotFound
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import (
    AddAlert,
    CancelEvent,
    CreateEvent,
    DeleteEvent,
    SnoozeActive,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateAlert,
    UpdateEvent,
)
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.snapshots import EventKind, EventState, OverrideField
from ghela.core.rules import END_AFTER_START
from ghela.scheduler.overrides import set_override, settle
from ghela.scheduler.tables import AlertRow, EventRow
from ghela.scheduler.work import Work

Outcome = tuple[str, dict[str, Any]]


def _event(work: Work, event_id: int, field: str = "event_id") -> EventRow:
    event = work.repo.event(event_id)
    if event is None:
        raise NotFound(f"event {event_id} does not exist", field=field)
    return event


def _live_event(work: Work, event_id: int) -> EventRow:
    event = _event(work, event_id)
    if not work.is_live(event):
        raise InvalidCommand(f"event {event_id} is {event.state}", field="event_id")
    return event


def _alert(work: Work, alert_id: int) -> tuple[AlertRow, EventRow]:
    alert = work.repo.alert(alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist", field="alert_id")
    return alert, _event(work, alert.event_id)


def _future(work: Work, moment: datetime, field: str) -> None:
    if moment <= work.now:
        raise InvalidCommand(f"{field} must be in the future", field=field)


def _spec_start(event: EventRow, spec: AlertSpec, field: str) -> datetime:
    if spec.at is not None:
        return spec.at
    if event.start is None:
        raise InvalidCommand(
            f"event {event.id} has no kick-off time yet: give the alert a fixed time (at)",
            field=f"{field}.offset_minutes",
        )
    return event.start + timedelta(minutes=spec.offset_minutes or 0)


def _add_spec(work: Work, event: EventRow, spec: AlertSpec, field: str) -> AlertRow:
    starts_at = _spec_start(event, spec, field)
    if starts_at + timedelta(minutes=spec.duration_minutes) <= work.now:
        raise InvalidCommand("the alert would be over before now", field=field)
    return work.add_alert(
        event,
        starts_at=starts_at,
        minutes=spec.duration_minutes,
        pattern=spec.pattern,
        label=spec.label,
        offset_minutes=spec.offset_minutes,
        at=spec.at,
    )


def create_event(work: Work, command: CreateEvent, command_id: str) -> Outcome:
    _future(work, command.start, "start")
    event = work.event_row(
        EventKind.CUSTOM.value, f"custom:{command_id}", command.title, uses_plan=command.alerts is None
    )
    work.set_time(event, command.start, None, command.end)
    work.new_event(event)
    if command.alerts is None:
        work.replan(event)
    else:
        for index, spec in enumerate(command.alerts):
            _add_spec(work, event, spec, f"alerts.{index}")
    alert_ids = [alert.id for alert in work.repo.alerts_of(event.id or 0)]
    return f"event {event.id} created", {"event_id": event.id, "alert_ids": alert_ids}


def update_event(work: Work, command: UpdateEvent) -> Outcome:
    event = _live_event(work, command.event_id)
    start = command.start if command.start is not None else event.start
    if command.start is not None:
        _future(work, command.start, "start")
    end = command.end if command.end is not None else event.end
    if end is not None:
        if start is None:
            raise InvalidCommand("an end needs a start", field="end")
        if end <= start:
            raise InvalidCommand(END_AFTER_START, field="end")
    if event.kind == EventKind.GAME.value:
        return _correct_game(work, event, command, end)
    if command.venue is not None:
        event.venue = command.venue
    if command.title is not None:
        event.title = command.title
    if command.start is not None or command.end is not None:
        moved = command.start is not None and command.start != event.start
        work.set_time(event, start, None if start is not None else event.local_date, end)
        if moved:
            event.state = EventState.UPDATED.value
        work.replan(event)
    work.touch(event)
    work.activity[ActivityKind.EVENT_UPDATED] += 1
    return f"event {event.id} updated", {"event_id": event.id}


def _correct_game(work: Work, event: EventRow, command: UpdateEvent, end: datetime | None) -> Outcome:
    """A person's correction of a game: each field an override; the game settled on them."""
    corrections = {
        OverrideField.START: command.start.isoformat() if command.start is not None else None,
        OverrideField.TITLE: command.title,
        OverrideField.VENUE: command.venue,
    }
    for field, value in corrections.items():
        if value is not None:
            set_override(work, event, field, value, command.by)
    if command.end is not None:
        event.end = end
    start = command.start or event.start
    work.set_time(event, start, None if start is not None else event.local_date, event.end)
    settle(work, event)
    work.replan(event)
    work.touch(event)
    work.activity[ActivityKind.EVENT_UPDATED] += 1
    set_by = f" by {command.by}" if command.by else ""
    return f"event {event.id} updated{set_by}; later scrapes keep it", {"event_id": event.id}


def cancel_event(work: Work, command: CancelEvent) -> Outcome:
    event = _event(work, command.event_id)
    if event.state == EventState.CANCELLED.value:
        return f"event {event.id} was already cancelled", {"event_id": event.id}
    if event.state == EventState.FINISHED.value:
        raise InvalidCommand(f"event {event.id} is finished", field="event_id")
    set_override(work, event, OverrideField.CANCELLED, "true", command.by)
    event.state = EventState.CANCELLED.value
    work.touch(event)
    work.refresh_event_alerts(event)
    work.activity[ActivityKind.EVENT_CANCELLED] += 1
    return f"event {event.id} cancelled", {"event_id": event.id}


def delete_event(work: Work, command: DeleteEvent) -> Outcome:
    event = _event(work, command.event_id)
    if event.kind != EventKind.CUSTOM.value:
        raise InvalidCommand(
            f"event {event.id} is a game: games are cancelled, not deleted", field="event_id"
        )
    work.repo.delete_event(event.id or 0, work.revision())
    return f"event {command.event_id} deleted", {"event_id": command.event_id}


def add_alert(work: Work, command: AddAlert) -> Outcome:
    event = _live_event(work, command.event_id)
    alert = _add_spec(work, event, command.alert, "alert")
    work.touch(event)
    return f"alert {alert.id} added to event {event.id}", {"event_id": event.id, "alert_id": alert.id}


def update_alert(work: Work, command: UpdateAlert) -> Outcome:
    alert, event = _alert(work, command.alert_id)
    # UpdateAlert itself refuses no change, an offset with a time, and the pattern off
    # (ghela.core.rules); what is left needs the stored alert and its event.
    if command.pattern is not None:
        alert.pattern = command.pattern.value
    starts_at = alert.starts_at
    if command.at is not None:
        alert.at, alert.offset_minutes, starts_at = command.at, None, command.at
    elif command.offset_minutes is not None:
        if event.start is None:
            raise InvalidCommand(f"event {event.id} has no kick-off time yet", field="offset_minutes")
        alert.at, alert.offset_minutes = None, command.offset_minutes
        starts_at = event.start + timedelta(minutes=command.offset_minutes)
    minutes = command.duration_minutes or alert.duration_minutes
    moved = command.at is not None or command.offset_minutes is not None
    if moved and starts_at + timedelta(minutes=minutes) <= work.now:
        field = "at" if command.at is not None else "offset_minutes"
        raise InvalidCommand("the alert would be over before now", field=field)
    alert.custom = True  # a person changed it: re-planning keeps it
    work.set_alert_time(event, alert, starts_at, minutes)
    work.touch(event)
    return f"alert {alert.id} updated", {"alert_id": alert.id, "event_id": event.id}


def _snooze(work: Work, alert: AlertRow, event: EventRow, minutes: int | None) -> None:
    if minutes is None:
        alert.silenced = True
    else:
        alert.snoozed_until = max(work.now, alert.starts_at) + timedelta(minutes=minutes)
    work.refresh_lit(event, alert)
    work.touch(event)
    work.activity[ActivityKind.ALERT_SNOOZED] += 1


def snooze_alert(work: Work, command: SnoozeAlert) -> Outcome:
    alert, event = _alert(work, command.alert_id)
    if alert.ends_at <= work.now:
        raise InvalidCommand(f"alert {alert.id} is already over", field="alert_id")
    _snooze(work, alert, event, command.minutes)
    how = "silenced" if command.minutes is None else f"snoozed for {command.minutes} min"
    return f"alert {alert.id} {how}", {"alert_id": alert.id, "event_id": event.id}


def unsnooze_alert(work: Work, command: UnsnoozeAlert) -> Outcome:
    alert, event = _alert(work, command.alert_id)
    if alert.snoozed_until is None and not alert.silenced:
        return f"alert {alert.id} was not snoozed", {"alert_id": alert.id, "event_id": event.id}
    alert.snoozed_until = None
    alert.silenced = False
    work.refresh_lit(event, alert)
    work.touch(event)
    return f"alert {alert.id} unsnoozed", {"alert_id": alert.id, "event_id": event.id}


def snooze_active(work: Work, command: SnoozeActive) -> Outcome:
    active = work.repo.active_alerts(work.now)
    if not active:
        raise InvalidCommand("no alert is active now", field="minutes")
    for alert in active:
        _snooze(work, alert, _event(work, alert.event_id), command.minutes)
    ids = [alert.id for alert in active]
    return f"snoozed alert(s) {', '.join(map(str, ids))}", {"alert_ids": ids}
