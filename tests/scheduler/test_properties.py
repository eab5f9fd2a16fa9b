"""Property tests: random command sequences never break the Scheduler's invariants.

- the same command id applied again changes nothing (and answers as the first time did);
- no alert exists without its event;
- a cancelled event has no lit (active) alert, now or ever;
- every alert's derived ``lit_from`` agrees with its snooze, silence and event state;
- the revision only grows, and no event is newer than it.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ghela.core.alertwindow import lit_from
from ghela.core.clock import FrozenClock
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
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AlertRow, EventRow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tests.scheduler.helpers import game, scrape

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KEYS = [f"game-{i}" for i in range(5)]

ids = st.integers(min_value=1, max_value=12)
hours_ahead = st.integers(min_value=1, max_value=24 * 6)
minutes = st.integers(min_value=1, max_value=600)

fixture_lists = st.lists(
    st.tuples(st.sampled_from(KEYS), st.one_of(st.none(), hours_ahead)),
    max_size=5,
    unique_by=lambda f: f[0],
)
ops = st.one_of(
    st.tuples(st.just("scrape"), fixture_lists, st.booleans(), st.booleans()),
    st.tuples(st.just("create"), hours_ahead),
    st.tuples(st.just("update_event"), ids, hours_ahead),
    st.tuples(st.just("cancel"), ids),
    st.tuples(st.just("delete"), ids),
    st.tuples(st.just("add_alert"), ids, st.integers(min_value=-600, max_value=60), minutes),
    st.tuples(st.just("update_alert"), ids, st.integers(min_value=-600, max_value=60)),
    st.tuples(st.just("snooze"), ids, st.one_of(st.none(), minutes)),
    st.tuples(st.just("unsnooze"), ids),
    st.tuples(st.just("button"), st.one_of(st.none(), minutes)),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=24 * 60)),
    st.tuples(st.just("replay"), st.integers(min_value=0, max_value=100)),
)


def _command(op: tuple, now: datetime) -> object | None:
    kind = op[0]
    if kind == "scrape":
        fixtures = [
            game(key, day=(now + timedelta(days=3)).date())
            if ahead is None
            else game(key, now + timedelta(hours=ahead))
            for key, ahead in op[1]
        ]
        window = (date(2026, 1, 1), date(2027, 12, 31))
        return scrape(fixtures, now, healthy=op[2], complete=op[3], window=window)
    if kind == "create":
        return CreateEvent(title="Custom", start=now + timedelta(hours=op[1]))
    if kind == "update_event":
        return UpdateEvent(event_id=op[1], start=now + timedelta(hours=op[2]))
    if kind == "cancel":
        return CancelEvent(event_id=op[1])
    if kind == "delete":
        return DeleteEvent(event_id=op[1])
    if kind == "add_alert":
        return AddAlert(event_id=op[1], alert=AlertSpec(offset_minutes=op[2], duration_minutes=op[3]))
    if kind == "update_alert":
        return UpdateAlert(alert_id=op[1], offset_minutes=op[2])
    if kind == "snooze":
        return SnoozeAlert(alert_id=op[1], minutes=op[2])
    if kind == "unsnooze":
        return UnsnoozeAlert(alert_id=op[1])
    if kind == "button":
        return SnoozeActive(minutes=op[1])
    return None


def _dump(store: Store) -> tuple:
    with store.read() as session:
        rows = [repr(sorted(row.model_dump().items())) for row in session.exec(select(EventRow))]
        rows += [repr(sorted(row.model_dump().items())) for row in session.exec(select(AlertRow))]
    return tuple(sorted(rows))


def _check_invariants(store: Store, now: datetime, last_revision: int) -> int:
    with store.read() as session:
        events = {e.id: e for e in session.exec(select(EventRow))}
        all_alerts = list(session.exec(select(AlertRow)))
        revision = Repository(session).revision()
    assert revision >= last_revision
    assert all(e.revision <= revision for e in events.values())
    for alert in all_alerts:
        event = events.get(alert.event_id)
        assert event is not None, f"alert {alert.id} has no event"
        live = event.state != "cancelled"
        assert alert.lit_from == lit_from(
            alert.starts_at, alert.ends_at, alert.snoozed_until, alert.silenced, live
        )
        if event.state == "cancelled":
            assert alert.lit_from is None
    for alert_id in outlook(store, now).decision.alert_ids:
        lit = next(a for a in all_alerts if a.id == alert_id)
        assert events[lit.event_id].state != "cancelled"
    return revision


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ops, min_size=1, max_size=25))
def test_random_command_sequences_keep_the_invariants(sequence: list[tuple]) -> None:
    clock = FrozenClock(START)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "prop.db")
        try:
            handler = CommandHandler(store, SchedulerConfig())
            history: list[tuple[CommandRequest, object]] = []
            revision = 0
            for index, op in enumerate(sequence):
                if op[0] == "advance":
                    clock.advance(minutes=op[1])
                    handler.finish_past(clock.now())
                elif op[0] == "replay":
                    if not history:
                        continue
                    request, first = history[op[1] % len(history)]
                    before = _dump(store)
                    again = handler.apply(request, clock.now()).result
                    assert _dump(store) == before
                    assert again.status is (
                        CommandStatus.DUPLICATE if first.status is CommandStatus.APPLIED else first.status
                    )
                    assert (again.message, again.data) == (first.message, first.data)
                else:
                    command = _command(op, clock.now())
                    request = CommandRequest(command_id=f"cmd-{index}", command=command)
                    result = handler.apply(request, clock.now()).result
                    assert result.status in (CommandStatus.APPLIED, CommandStatus.REJECTED), result
                    history.append((request, result))
                revision = _check_invariants(store, clock.now(), revision)
        finally:
            store.close()
