"""The planner's rule for one change of an event: a schedule for an alert to come, the
notice at once for an alert that lights already, nothing for one that has ended; the
schedule's notice and the catch-up's are one notice (one idempotency key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot, EventState
from ghela.core.wiretypes import LightPattern
from ghela_cloud.notify.messages import Kind
from ghela_cloud.notify.planning import plan_change, schedule_name

START = datetime(2026, 12, 20, 13, 30, tzinfo=UTC)


def game(revision: int, starts_at: datetime = START) -> EventSnapshot:
    return EventSnapshot(
        event_id=12,
        kind="game",
        key="jpl-kaa-gent-club-brugge",
        title="KAA Gent - Club Brugge",
        start=starts_at + timedelta(hours=4),
        state=EventState.SCHEDULED,
        revision=revision,
        alerts=[
            AlertSnapshot(
                alert_id=31,
                label="final call",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                pattern=LightPattern.STEADY,
            )
        ],
    )


def test_an_alert_to_come_gets_a_schedule_and_no_notice_yet() -> None:
    plan = plan_change("pi", None, game(5), START - timedelta(days=10))
    assert [u.name for u in plan.upserts] == [schedule_name("pi", 31)]
    assert plan.now == [] and plan.deletes == []


def test_an_alert_that_lights_already_is_announced_at_once_and_keeps_no_schedule() -> None:
    early = plan_change("pi", None, game(5), START - timedelta(days=10))
    [scheduled] = [u.notification for u in early.upserts]
    late = plan_change("pi", game(5), game(6), START + timedelta(minutes=20))  # a sync mid-alert
    assert late.upserts == [] and late.deletes == [schedule_name("pi", 31)]
    [notice] = late.now
    assert notice.kind is Kind.ALERT and notice.alert_id == 31 and notice.revision == 6
    assert notice.key == scheduled.key  # the schedule's and the catch-up's: sent once


def test_an_ended_alert_plans_nothing_and_a_moved_one_is_a_new_notice() -> None:
    ended = plan_change("pi", game(5), game(6), START + timedelta(hours=1))
    assert ended.upserts == [] and ended.now == []
    moved = plan_change("pi", game(5), game(6, START + timedelta(hours=2)), START + timedelta(minutes=20))
    [upsert] = moved.upserts
    before = plan_change("pi", None, game(5), START - timedelta(days=10)).upserts[0].notification
    assert upsert.at == START + timedelta(hours=2) and upsert.notification.key != before.key
