"""Every person-made command: what it changes, what it refuses, and idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import NoReturn

import pytest
from ghela.core.clock import FrozenClock
from ghela.core.decoding import WHOLE, first_field
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import (
    AddAlert,
    CancelEvent,
    CommandRequest,
    CommandStatus,
    CreateEvent,
    DeleteEvent,
    SnoozeActive,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateAlert,
    UpdateEvent,
)
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.light import light_at
from ghela.scheduler.outlook import outlook
from ghela.scheduler.store import Store
from ghela.scheduler.work import Work
from pydantic import ValidationError

from tests.scheduler.helpers import alerts, events, game, revision, run, scrape

CONCERT = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)


def _concert(handler: CommandHandler, clock: FrozenClock) -> int:
    result = run(handler, CreateEvent(title="Concert", start=CONCERT), clock)
    assert result.status is CommandStatus.APPLIED
    return int(result.data["event_id"])


def test_create_event_gets_the_standard_plan(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    result = run(handler, CreateEvent(title="Concert", start=CONCERT), clock, "c1")
    assert result.status is CommandStatus.APPLIED
    assert result.revision == 1
    planned = alerts(store, result.data["event_id"])
    assert [a.id for a in planned] == result.data["alert_ids"]
    assert [a.starts_at for a in planned] == [CONCERT - timedelta(hours=6), CONCERT - timedelta(hours=4)]
    assert all(a.rule and not a.custom for a in planned)


def test_create_event_with_its_own_alerts(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    spec = AlertSpec(offset_minutes=-60, duration_minutes=15, pattern="blink", label="doors")
    result = run(handler, CreateEvent(title="Party", start=CONCERT, alerts=[spec]), clock)
    [alert] = alerts(store, result.data["event_id"])
    assert (alert.starts_at, alert.custom, alert.label) == (CONCERT - timedelta(hours=1), True, "doors")


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (CreateEvent(title="Past", start=datetime(2026, 11, 25, 11, 0, tzinfo=UTC)), "start", "future"),
        (SnoozeAlert(alert_id=31), "alert_id", "alert 31 does not exist"),
        (UnsnoozeAlert(alert_id=31), "alert_id", "alert 31 does not exist"),
        (UpdateAlert(alert_id=31, duration_minutes=5), "alert_id", "alert 31 does not exist"),
        (CancelEvent(event_id=12), "event_id", "event 12 does not exist"),
        (DeleteEvent(event_id=12), "event_id", "event 12 does not exist"),
        (UpdateEvent(event_id=12, title="x"), "event_id", "event 12 does not exist"),
        (AddAlert(event_id=12, alert=AlertSpec(offset_minutes=-5)), "event_id", "event 12 does not exist"),
        (SnoozeActive(minutes=10), "minutes", "no alert is active now"),
    ],
)
def test_invalid_commands_are_rejected_naming_the_field(
    handler: CommandHandler, store: Store, clock: FrozenClock, command: object, field: str, message: str
) -> None:
    result = run(handler, command, clock)
    assert result.status is CommandStatus.REJECTED
    assert result.field == field
    assert message in result.message
    assert events(store) == [] and revision(store) == 0


def test_same_command_id_twice_changes_nothing(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    first = run(handler, CreateEvent(title="Concert", start=CONCERT), clock, "same")
    second = run(handler, CreateEvent(title="Concert", start=CONCERT), clock, "same")
    assert second.status is CommandStatus.DUPLICATE
    assert (second.data, second.revision, second.message) == (first.data, first.revision, first.message)
    assert len(events(store)) == 1 and revision(store) == 1


def test_a_rejected_id_stays_rejected(handler: CommandHandler, clock: FrozenClock) -> None:
    assert run(handler, SnoozeActive(), clock, "button-1").status is CommandStatus.REJECTED
    again = run(handler, SnoozeActive(), clock, "button-1")
    assert again.status is CommandStatus.REJECTED and again.message == "no alert is active now"


def test_update_event_moves_its_alerts_and_keeps_snoozes(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    event_id = _concert(handler, clock)
    early, final = alerts(store, event_id)
    run(handler, SnoozeAlert(alert_id=final.id, minutes=15), clock)
    run(handler, SnoozeAlert(alert_id=early.id), clock)
    added = run(handler, AddAlert(event_id=event_id, alert=AlertSpec(offset_minutes=-30)), clock)
    fixed_at = CONCERT - timedelta(days=1)
    fixed = run(handler, AddAlert(event_id=event_id, alert=AlertSpec(at=fixed_at)), clock)
    later = CONCERT + timedelta(days=1)
    result = run(handler, UpdateEvent(event_id=event_id, start=later, title="Concert (moved)"), clock)
    assert result.status is CommandStatus.APPLIED
    [event] = events(store)
    assert (event.state, event.title, event.start) == ("updated", "Concert (moved)", later)
    by_id = {a.id: a for a in alerts(store, event_id)}
    assert by_id[early.id].starts_at == later - timedelta(hours=6) and by_id[early.id].silenced
    assert by_id[final.id].starts_at == later - timedelta(hours=4)
    assert by_id[final.id].snoozed_until == final.starts_at + timedelta(minutes=15)
    assert by_id[added.data["alert_id"]].starts_at == later - timedelta(minutes=30)
    assert by_id[fixed.data["alert_id"]].starts_at == fixed_at
    assert len(by_id) == 4


def test_update_event_refusals(handler: CommandHandler, clock: FrozenClock) -> None:
    event_id = _concert(handler, clock)
    with pytest.raises(ValidationError) as nothing:  # the command model's own rule (ghela.core.rules)
        UpdateEvent(event_id=event_id)
    assert first_field(nothing.value) == WHOLE
    past = run(handler, UpdateEvent(event_id=event_id, start=clock.now() - timedelta(hours=1)), clock)
    assert (past.field, past.message) == ("start", "start must be in the future")
    early_end = run(handler, UpdateEvent(event_id=event_id, end=CONCERT - timedelta(hours=1)), clock)
    assert (early_end.field, early_end.message) == ("end", "end must be after start")


def test_cancel_stops_alerts_and_delete_leaves_a_tombstone(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    event_id = _concert(handler, clock)
    clock.set(CONCERT - timedelta(hours=3, minutes=30))
    assert outlook(store, clock.now()).decision.on
    assert run(handler, CancelEvent(event_id=event_id), clock).status is CommandStatus.APPLIED
    assert not outlook(store, clock.now()).decision.on
    assert all(a.lit_from is None for a in alerts(store, event_id))
    again = run(handler, CancelEvent(event_id=event_id), clock)
    assert again.status is CommandStatus.APPLIED and "already" in again.message
    assert (
        run(handler, AddAlert(event_id=event_id, alert=AlertSpec(offset_minutes=-5)), clock).field
        == "event_id"
    )
    deleted = run(handler, DeleteEvent(event_id=event_id), clock)
    assert deleted.status is CommandStatus.APPLIED
    assert events(store) == [] and alerts(store, event_id) == []


def test_games_are_cancelled_not_deleted(handler: CommandHandler, store: Store, clock: FrozenClock) -> None:
    run(handler, scrape([game("g1", CONCERT)], clock.now()), clock)
    result = run(handler, DeleteEvent(event_id=1), clock)
    assert (result.status, result.field) == (CommandStatus.REJECTED, "event_id")
    assert "games are cancelled, not deleted" in result.message
    assert len(events(store)) == 1


def test_add_alert_refusals(handler: CommandHandler, clock: FrozenClock) -> None:
    run(handler, scrape([game("tbd", day=CONCERT.date())], clock.now()), clock)
    relative = run(handler, AddAlert(event_id=1, alert=AlertSpec(offset_minutes=-60)), clock)
    assert (relative.status, relative.field) == (CommandStatus.REJECTED, "alert.offset_minutes")
    fixed = run(handler, AddAlert(event_id=1, alert=AlertSpec(at=CONCERT - timedelta(hours=2))), clock)
    assert fixed.status is CommandStatus.APPLIED
    over = run(handler, AddAlert(event_id=1, alert=AlertSpec(at=clock.now() - timedelta(hours=2))), clock)
    assert (over.status, over.field) == (CommandStatus.REJECTED, "alert")


def test_update_alert_makes_it_custom_so_replanning_keeps_it(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    event_id = _concert(handler, clock)
    early, _ = alerts(store, event_id)
    result = run(handler, UpdateAlert(alert_id=early.id, offset_minutes=-420, pattern="steady"), clock)
    assert result.status is CommandStatus.APPLIED
    run(handler, UpdateEvent(event_id=event_id, start=CONCERT + timedelta(hours=2)), clock)
    changed = next(a for a in alerts(store, event_id) if a.id == early.id)
    assert changed.custom and changed.pattern == "steady"
    assert changed.starts_at == CONCERT + timedelta(hours=2) - timedelta(minutes=420)
    assert len(alerts(store, event_id)) == 2
    # Refused by the command model itself (ghela.core.rules), before any handler sees it;
    # tests/cloud/test_same_refusals.py sends them through the Scheduler's command topic.
    with pytest.raises(ValidationError) as both:
        UpdateAlert(alert_id=early.id, offset_minutes=-5, at=CONCERT)
    assert first_field(both.value) == "at"
    with pytest.raises(ValidationError) as nothing:
        UpdateAlert(alert_id=early.id)
    assert first_field(nothing.value) == WHOLE


def test_snooze_for_minutes_and_unsnooze(handler: CommandHandler, store: Store, clock: FrozenClock) -> None:
    event_id = _concert(handler, clock)
    _, final = alerts(store, event_id)
    clock.set(final.starts_at + timedelta(minutes=10))
    assert outlook(store, clock.now()).decision.alert_ids == (final.id,)
    snoozed = run(handler, SnoozeAlert(alert_id=final.id, minutes=15), clock)
    assert snoozed.status is CommandStatus.APPLIED
    view = outlook(store, clock.now())
    assert not view.decision.on
    assert view.next_change == clock.now() + timedelta(minutes=15)
    run(handler, UnsnoozeAlert(alert_id=final.id), clock)
    assert outlook(store, clock.now()).decision.on
    clock.set(final.ends_at)
    over = run(handler, SnoozeAlert(alert_id=final.id, minutes=5), clock)
    assert (over.status, over.field) == (CommandStatus.REJECTED, "alert_id")


def test_snooze_active_is_the_button(handler: CommandHandler, store: Store, clock: FrozenClock) -> None:
    event_id = _concert(handler, clock)
    other = run(
        handler,
        AddAlert(event_id=event_id, alert=AlertSpec(offset_minutes=-250, duration_minutes=60)),
        clock,
    )
    final = next(a for a in alerts(store, event_id) if a.rule == "final call")
    clock.set(final.starts_at + timedelta(minutes=20))
    lit = outlook(store, clock.now()).decision.alert_ids
    assert set(lit) == {final.id, other.data["alert_id"]}
    result = run(handler, SnoozeActive(), clock)
    assert result.status is CommandStatus.APPLIED and set(result.data["alert_ids"]) == set(lit)
    assert not outlook(store, clock.now()).decision.on
    assert outlook(store, clock.now()).next_change is None


def test_every_change_bumps_the_revision_once(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    event_id = _concert(handler, clock)
    assert revision(store) == 1
    run(handler, UpdateEvent(event_id=event_id, title="Renamed"), clock)
    assert revision(store) == 2 and events(store)[0].revision == 2
    run(handler, SnoozeActive(), clock)  # rejected: nothing changes
    assert revision(store) == 2


def test_an_unexpected_fault_rolls_everything_back(store: Store, clock: FrozenClock, config) -> None:
    handler = CommandHandler(store, config)
    _concert(handler, clock)

    def explode(work: Work, request: CommandRequest) -> NoReturn:
        raise RuntimeError("disk on fire")

    handler._dispatch = explode  # type: ignore[method-assign]  # the fault, injected mid-transaction
    with pytest.raises(RuntimeError):
        handler.apply(CommandRequest(command_id="boom", command=CancelEvent(event_id=1)), clock.now())
    assert revision(store) == 1 and events(store)[0].state == "scheduled"


def test_office_hours_move_a_weekend_games_alerts_to_friday(store: Store, clock: FrozenClock) -> None:
    office = {"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00", "policy": "move"}
    handler = CommandHandler(store, SchedulerConfig.model_validate({"officeHours": office}))
    saturday_evening = datetime(2026, 12, 5, 19, 45, tzinfo=UTC)  # 20:45 in Brussels
    result = run(handler, scrape([game("sat", saturday_evening)], clock.now()), clock)
    assert result.data["added"] == [1]
    early, final = alerts(store, 1)
    friday_close = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # 18:00 in Brussels
    # Stacked back to back, in their order: the office sees both.
    assert (final.starts_at, final.ends_at) == (friday_close - timedelta(hours=1), friday_close)
    assert (early.starts_at, early.ends_at) == (friday_close - timedelta(hours=2), final.starts_at)
    assert light_at([early, final], friday_close - timedelta(minutes=90)).pattern is LightPattern.BLINK
    assert light_at([early, final], friday_close - timedelta(minutes=30)).pattern is LightPattern.STEADY


def test_events_finish_when_their_time_is_over(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, scrape([game("tbd", day=date(2026, 11, 27)), game("g", CONCERT)], clock.now()), clock)
    clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # midnight in Brussels
    assert handler.finish_past(clock.now()) == 1
    assert [e.state for e in events(store)] == ["finished", "scheduled"]
    assert revision(store) == 2
    assert run(handler, CancelEvent(event_id=1), clock).field == "event_id"
