"""The DST weekends of 2026 and 2027: no alert moved, dropped or doubled.

Games on each of those weekends (Saturday evening, Sunday afternoon, a kick-off whose
early warning spans the clock change itself, and a game whose time is not yet known) are
planned, then the light is walked from Friday to Monday from one "next change" to the next,
as the Scheduler sleeps. Every alert must light exactly once, for exactly its planned
real duration, at the planned instant. With office hours (``move``), a DST Sunday game's
alerts are stacked back to back before Friday's close, in Friday's venue time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from ghela.core.clock import FrozenClock, venue_zone
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.outlook import outlook
from ghela.scheduler.store import Store

from tests.scheduler.helpers import alerts, events, game, run, scrape

BRUSSELS = venue_zone()

DST_SUNDAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS).astimezone(UTC)


def walk(store: Store, start: datetime, end: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each alert's lit intervals, seen by jumping from one next change to the next."""
    lit: dict[int, list[tuple[datetime, datetime]]] = {}
    since: dict[int, datetime] = {}
    t: datetime | None = start
    steps = 0
    while t is not None and t < end:
        view = outlook(store, t)
        now_lit = set(view.decision.alert_ids)
        for alert_id in now_lit - set(since):
            since[alert_id] = t
        for alert_id in set(since) - now_lit:
            lit.setdefault(alert_id, []).append((since.pop(alert_id), t))
        t = view.next_change
        steps += 1
        assert steps < 1000
    return lit


@pytest.mark.parametrize("sunday", DST_SUNDAYS, ids=str)
def test_dst_weekend(sunday: date, store: Store, handler: CommandHandler) -> None:
    saturday = sunday - timedelta(days=1)
    clock = FrozenClock(_local(sunday - timedelta(days=10), 12))
    fixtures = [
        game("sat-evening", _local(saturday, 20, 45)),
        game("sun-afternoon", _local(sunday, 13, 30), away="KRC Genk"),
        game("sun-morning", _local(sunday, 8, 0), away="Standard"),  # warnings span the change
        game("sun-tbd", day=sunday, away="Cercle Brugge"),
    ]
    assert run(handler, scrape(fixtures, clock.now()), clock).data["added"] == [1, 2, 3, 4]
    planned = {a.id: a for e in events(store) for a in alerts(store, e.id)}
    assert len(planned) == 7

    by_event = {e.key: e for e in events(store)}
    for key in ("sat-evening", "sun-afternoon", "sun-morning"):
        event = by_event[key]
        early, final = alerts(store, event.id)
        # Offsets are real durations before the kick-off instant.
        assert event.start is not None
        assert event.start - early.starts_at == timedelta(hours=6)
        assert event.start - final.ends_at == timedelta(hours=3)
        assert final.ends_at - final.starts_at == timedelta(hours=1)
    # The afternoon game's alerts read as planned on the wall clock after the change...
    early, final = alerts(store, by_event["sun-afternoon"].id)
    assert early.starts_at.astimezone(BRUSSELS).time() == time(7, 30)
    assert final.ends_at.astimezone(BRUSSELS).time() == time(10, 30)
    # ... the TBD game is warned at 08:30 local on the Sunday itself.
    [tbd] = alerts(store, by_event["sun-tbd"].id)
    assert tbd.starts_at.astimezone(BRUSSELS).replace(tzinfo=None) == datetime.combine(sunday, time(8, 30))

    lit = walk(store, _local(saturday - timedelta(days=1), 0), _local(sunday + timedelta(days=1), 12))
    assert set(lit) == set(planned), "an alert was dropped"
    for alert_id, intervals in lit.items():
        alert = planned[alert_id]
        assert intervals == [(alert.starts_at, alert.ends_at)], f"alert {alert_id} moved or doubled"


def test_the_early_warning_across_the_spring_change_keeps_its_real_duration(
    store: Store, handler: CommandHandler
) -> None:
    sunday = date(2026, 3, 29)
    clock = FrozenClock(_local(sunday, 0) - timedelta(days=3))
    # Kick-off 06:00 CEST: the early warning starts 6 real hours earlier, 23:00 CET on the
    # Saturday; the wall clock shows 7 hours between them because 02:00-03:00 does not exist.
    kickoff = _local(sunday, 6)
    run(handler, scrape([game("early-bird", kickoff)], clock.now()), clock)
    early, _ = alerts(store, 1)
    assert early.starts_at.astimezone(BRUSSELS).strftime("%H:%M %Z") == "23:00 CET"
    assert kickoff.astimezone(BRUSSELS).strftime("%H:%M %Z") == "06:00 CEST"
    assert kickoff - early.starts_at == timedelta(hours=6)


@pytest.mark.parametrize("kickoff", [time(13, 30), time(8, 0)], ids=["afternoon", "morning"])
@pytest.mark.parametrize("sunday", DST_SUNDAYS, ids=str)
def test_office_hours_stack_a_dst_sunday_games_alerts_on_friday(
    sunday: date, kickoff: time, store: Store
) -> None:
    office = {"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00", "policy": "move"}
    handler = CommandHandler(store, SchedulerConfig.model_validate({"officeHours": office}))
    friday = sunday - timedelta(days=2)
    clock = FrozenClock(_local(sunday - timedelta(days=10), 12))
    # The morning game's alerts (02:00 and 04:00) straddle the clock change itself.
    run(handler, scrape([game("sunday", _local(sunday, kickoff.hour, kickoff.minute))], clock.now()), clock)
    [event] = events(store)
    early, final = alerts(store, event.id)
    planned = {early.id: early, final.id: final}
    # Back to back before Friday's close, in Friday's venue time (the other side of the change).
    assert (early.starts_at, early.ends_at, final.ends_at) == (
        _local(friday, 16),
        final.starts_at,
        _local(friday, 18),
    )
    assert event.start is not None
    assert early.offset_minutes is not None and final.offset_minutes is not None
    assert event.start - early.starts_at == timedelta(minutes=-early.offset_minutes)
    assert event.start - final.starts_at == timedelta(minutes=-final.offset_minutes)
    lit = walk(store, _local(friday, 0), _local(sunday + timedelta(days=1), 12))
    assert set(lit) == set(planned), "an alert was dropped"
    for alert_id, intervals in lit.items():
        alert = planned[alert_id]
        assert intervals == [(alert.starts_at, alert.ends_at)], f"alert {alert_id} moved or doubled"
