"""Planning alerts: offsets as real durations, TBD mornings in the venue zone, office hours
(moved alerts stacked back to back), and local times the clocks skip or repeat."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from ghela.core.alertwindow import lit_from
from ghela.core.clock import venue_zone
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.config import OfficeHours, OfficePolicy, SchedulerConfig
from ghela.scheduler.planning import (
    MIN_MOVED_MINUTES,
    PlannedAlert,
    fit_office_hours,
    in_office_hours,
    local_instant,
    move_before,
    plan_alerts,
)
from hypothesis import given, settings
from hypothesis import strategies as st

BRUSSELS = venue_zone("Europe/Brussels")


def test_plan_for_a_known_kickoff() -> None:
    kickoff = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # 18:30 in Brussels
    planned = plan_alerts(SchedulerConfig(), BRUSSELS, kickoff, None)
    assert [(a.rule, a.starts_at, a.ends_at, a.pattern) for a in planned] == [
        ("early warning", kickoff - timedelta(hours=6), kickoff - timedelta(hours=5), LightPattern.BLINK),
        ("final call", kickoff - timedelta(hours=4), kickoff - timedelta(hours=3), LightPattern.STEADY),
    ]


def test_plan_for_a_date_without_time_warns_that_morning_in_the_venue_zone() -> None:
    planned = plan_alerts(SchedulerConfig(), BRUSSELS, None, date(2026, 12, 13))
    assert len(planned) == 1
    assert planned[0].starts_at == datetime(2026, 12, 13, 7, 30, tzinfo=UTC)  # 08:30 CET
    assert planned[0].offset_minutes is None
    summer = plan_alerts(SchedulerConfig(), BRUSSELS, None, date(2026, 8, 2))
    assert summer[0].starts_at == datetime(2026, 8, 2, 6, 30, tzinfo=UTC)  # 08:30 CEST


def test_tbd_rule_can_be_disabled() -> None:
    config = SchedulerConfig.model_validate({"tbdRule": {"enabled": False}})
    assert plan_alerts(config, BRUSSELS, None, date(2026, 12, 13)) == []


DST_SUNDAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]


def test_local_instant_in_the_spring_gap_is_the_instant_right_after_it() -> None:
    gap = local_instant(date(2026, 3, 29), time(2, 30), BRUSSELS)
    assert gap == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, when the clocks jump
    assert local_instant(date(2026, 3, 29), time(2, 0), BRUSSELS) == gap
    assert local_instant(date(2026, 3, 29), time(3, 0), BRUSSELS) == gap
    twice = local_instant(date(2026, 10, 25), time(2, 30), BRUSSELS)
    assert twice == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


@pytest.mark.parametrize("sunday", DST_SUNDAYS, ids=str)
def test_tbd_rule_at_a_time_the_clocks_skip_or_repeat_never_fails(sunday: date) -> None:
    config = SchedulerConfig.model_validate({"tbdRule": {"localTime": "02:30"}})
    [warning] = plan_alerts(config, BRUSSELS, None, sunday)
    local = warning.starts_at.astimezone(BRUSSELS)
    if sunday.month == 3:  # 02:30 does not exist: right after the gap
        assert (local.time(), local.utcoffset()) == (time(3, 0), timedelta(hours=2))
    else:  # 02:30 happens twice: the first one, still in summer time
        assert (local.time(), local.utcoffset()) == (time(2, 30), timedelta(hours=2))


OFFICE = OfficeHours(days=[1, 2, 3, 4, 5], start=time(8), end=time(18), policy=OfficePolicy.MOVE)


def _alert(local: datetime, minutes: int = 60, rule: str = "r", offset: int | None = -240) -> PlannedAlert:
    return PlannedAlert(
        rule=rule,
        label=rule,
        starts_at=local.astimezone(UTC),
        duration_minutes=minutes,
        pattern=LightPattern.STEADY,
        offset_minutes=offset,
    )


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def _spans(alerts: list[PlannedAlert]) -> list[tuple[str, datetime, datetime]]:
    return [(a.rule, a.starts_at, a.ends_at) for a in alerts]


def test_alert_inside_or_overlapping_office_hours_is_kept() -> None:
    inside = _alert(_local(2026, 12, 2, 10))
    assert fit_office_hours([inside], OFFICE, BRUSSELS) == [inside]
    overlapping = _alert(_local(2026, 12, 2, 17, 30))
    assert fit_office_hours([overlapping], OFFICE, BRUSSELS) == [overlapping]


def test_alert_on_a_saturday_moves_to_friday_closing_time() -> None:
    [moved] = fit_office_hours([_alert(_local(2026, 12, 5, 14, 30))], OFFICE, BRUSSELS)
    assert moved.starts_at == _local(2026, 12, 4, 17)
    assert moved.ends_at == _local(2026, 12, 4, 18)
    assert moved.offset_minutes == -240 - (21 * 60 + 30)  # 21.5 h earlier than planned


def test_alert_in_the_evening_moves_to_that_day_closing_time() -> None:
    [moved] = fit_office_hours([_alert(_local(2026, 12, 2, 19), minutes=30)], OFFICE, BRUSSELS)
    assert (moved.starts_at, moved.ends_at) == (_local(2026, 12, 2, 17, 30), _local(2026, 12, 2, 18))
    assert moved.offset_minutes == -240 - 90


def test_a_sunday_games_alerts_are_stacked_before_friday_closing_time() -> None:
    config = SchedulerConfig.model_validate({"officeHours": OFFICE.model_dump(by_alias=True)})
    kickoff = _local(2026, 12, 6, 14, 30)  # early warning 08:30, final call 10:30, Sunday
    planned = plan_alerts(config, BRUSSELS, kickoff.astimezone(UTC), None)
    assert _spans(planned) == [
        ("early warning", _local(2026, 12, 4, 16), _local(2026, 12, 4, 17)),
        ("final call", _local(2026, 12, 4, 17), _local(2026, 12, 4, 18)),
    ]
    # The offsets say where they ended up, relative to the kick-off.
    assert [a.offset_minutes for a in planned] == [
        int((a.starts_at - kickoff).total_seconds() // 60) for a in planned
    ]
    assert [a.pattern for a in planned] == [LightPattern.BLINK, LightPattern.STEADY]


@pytest.mark.parametrize("sunday", DST_SUNDAYS, ids=str)
def test_a_game_on_a_dst_sunday_stacks_in_fridays_venue_time(sunday: date) -> None:
    config = SchedulerConfig.model_validate({"officeHours": OFFICE.model_dump(by_alias=True)})
    kickoff = datetime.combine(sunday, time(13, 30), tzinfo=BRUSSELS)  # alerts 07:30 and 09:30
    friday = sunday - timedelta(days=2)  # on the other side of the clock change
    early, final = plan_alerts(config, BRUSSELS, kickoff.astimezone(UTC), None)
    assert (final.starts_at, final.ends_at) == (
        datetime.combine(friday, time(17), tzinfo=BRUSSELS),
        datetime.combine(friday, time(18), tzinfo=BRUSSELS),
    )
    assert (early.starts_at, early.ends_at) == (
        datetime.combine(friday, time(16), tzinfo=BRUSSELS),
        final.starts_at,
    )
    # Real durations: the offsets count the hour the clocks gained or lost in between.
    assert kickoff - final.starts_at == timedelta(minutes=-(final.offset_minutes or 0))
    assert kickoff - early.starts_at == timedelta(minutes=-(early.offset_minutes or 0))


def test_an_alert_inside_office_hours_is_not_touched_when_another_moves() -> None:
    config = SchedulerConfig.model_validate({"officeHours": OFFICE.model_dump(by_alias=True)})
    kickoff = _local(2026, 12, 7, 13)  # Monday: early warning 07:00-08:00, final call 09:00-10:00
    early, final = plan_alerts(config, BRUSSELS, kickoff.astimezone(UTC), None)
    assert (final.starts_at, final.ends_at) == (_local(2026, 12, 7, 9), _local(2026, 12, 7, 10))
    assert final.offset_minutes == -240
    assert (early.starts_at, early.ends_at) == (_local(2026, 12, 4, 17), _local(2026, 12, 4, 18))


def test_three_moved_alerts_keep_their_order_and_durations() -> None:
    alerts = [
        _alert(_local(2026, 12, 5, 9), minutes=45, rule="a", offset=None),
        _alert(_local(2026, 12, 6, 9), minutes=30, rule="b", offset=None),
        _alert(_local(2026, 12, 5, 20), minutes=90, rule="c", offset=None),
    ]
    assert _spans(fit_office_hours(alerts, OFFICE, BRUSSELS)) == [
        ("a", _local(2026, 12, 4, 15, 15), _local(2026, 12, 4, 16)),
        ("b", _local(2026, 12, 4, 17, 30), _local(2026, 12, 4, 18)),
        ("c", _local(2026, 12, 4, 16), _local(2026, 12, 4, 17, 30)),
    ]


SHORT = OfficeHours(days=[1, 2, 3, 4, 5], start=time(8), end=time(9, 30), policy=OfficePolicy.MOVE)


def test_stacking_past_the_opening_clips_the_earlier_alert_to_start_at_the_opening() -> None:
    saturday = [_alert(_local(2026, 12, 5, 10), rule="early"), _alert(_local(2026, 12, 5, 12), rule="final")]
    assert _spans(fit_office_hours(saturday, SHORT, BRUSSELS)) == [
        ("early", _local(2026, 12, 4, 8), _local(2026, 12, 4, 8, 30)),  # 30 of its 60 minutes
        ("final", _local(2026, 12, 4, 8, 30), _local(2026, 12, 4, 9, 30)),
    ]


def test_less_room_than_the_minimum_moves_the_alert_to_the_period_before() -> None:
    office = SHORT.model_copy(update={"end": time(9, 10)})  # 10 minutes left before the final call
    saturday = [_alert(_local(2026, 12, 5, 10), rule="early"), _alert(_local(2026, 12, 5, 12), rule="final")]
    assert MIN_MOVED_MINUTES > 10
    assert _spans(fit_office_hours(saturday, office, BRUSSELS)) == [
        ("early", _local(2026, 12, 3, 8, 10), _local(2026, 12, 3, 9, 10)),  # Thursday, whole
        ("final", _local(2026, 12, 4, 8, 10), _local(2026, 12, 4, 9, 10)),
    ]
    # An alert shorter than the minimum only needs room for itself.
    short = _alert(_local(2026, 12, 5, 10), minutes=5, rule="short")
    assert _spans(fit_office_hours([short, saturday[1]], office, BRUSSELS))[0] == (
        "short",
        _local(2026, 12, 4, 8, 5),
        _local(2026, 12, 4, 8, 10),
    )


def test_an_alert_with_no_room_is_dropped() -> None:
    office = SHORT.model_copy(update={"end": time(8, 10)})  # never 15 minutes of room
    assert fit_office_hours([_alert(_local(2026, 12, 5, 10))], office, BRUSSELS) == []
    assert move_before(_alert(_local(2026, 12, 5, 10)), _local(2026, 12, 5, 10), office, BRUSSELS) is None


def test_office_hours_that_start_in_the_spring_gap_open_right_after_it() -> None:
    office = OfficeHours(days=[7], start=time(2, 30), end=time(3, 30), policy=OfficePolicy.MOVE)
    [moved] = fit_office_hours([_alert(_local(2026, 3, 30, 10))], office, BRUSSELS)
    # 02:30 does not exist that Sunday: the period is 03:00-03:30 CEST, 30 minutes.
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    )
    assert moved.duration_minutes == 30
    # On the autumn Sunday the same hours run from the first 02:30 to 03:30 CET: 2 real hours.
    [autumn] = fit_office_hours([_alert(_local(2026, 10, 26, 10), minutes=180)], office, BRUSSELS)
    assert (autumn.starts_at, autumn.ends_at) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
    )


def test_skip_policy_drops_alerts_outside_office_hours() -> None:
    office = OFFICE.model_copy(update={"policy": OfficePolicy.SKIP})
    assert fit_office_hours([_alert(_local(2026, 12, 5, 14, 30))], office, BRUSSELS) == []
    config = SchedulerConfig.model_validate({"officeHours": office.model_dump(by_alias=True)})
    sunday_evening_game = _local(2026, 12, 6, 20, 45)
    assert plan_alerts(config, BRUSSELS, sunday_evening_game.astimezone(UTC), None) == []
    weekday_game = _local(2026, 12, 2, 20, 45)
    assert [a.rule for a in plan_alerts(config, BRUSSELS, weekday_game.astimezone(UTC), None)] == [
        "early warning",
        "final call",
    ]


@settings(max_examples=300, deadline=None)
@given(
    kickoff=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    start_hour=st.integers(min_value=0, max_value=12),
    hours=st.integers(min_value=1, max_value=11),
    days=st.sets(st.integers(min_value=1, max_value=7), min_size=1),
)
def test_moved_alerts_keep_their_order_and_never_overlap(
    kickoff: datetime, start_hour: int, hours: int, days: set[int]
) -> None:
    office = OfficeHours(
        days=sorted(days), start=time(start_hour), end=time(start_hour + hours), policy=OfficePolicy.MOVE
    )
    config = SchedulerConfig.model_validate({"officeHours": office.model_dump(by_alias=True)})
    start = kickoff.replace(second=0, microsecond=0, tzinfo=UTC)
    plain = plan_alerts(SchedulerConfig(), BRUSSELS, start, None)
    fitted = {a.rule: a for a in plan_alerts(config, BRUSSELS, start, None)}
    assert set(fitted) == {a.rule for a in plain}  # there is always room within 14 days
    moved = [fitted[a.rule] for a in plain if fitted[a.rule] != a]
    for alert in fitted.values():
        assert in_office_hours(alert, office, BRUSSELS)
        assert alert.offset_minutes == int((alert.starts_at - start).total_seconds() // 60)
    for before, after in itertools.pairwise(moved):
        assert before.ends_at <= after.starts_at
    for original in plain:
        alert = fitted[original.rule]
        assert alert.ends_at <= original.ends_at
        assert min(original.duration_minutes, MIN_MOVED_MINUTES) <= alert.duration_minutes
        assert alert.duration_minutes <= original.duration_minutes


@pytest.mark.parametrize(
    ("snoozed", "silenced", "live", "expected"),
    [
        (None, False, True, "start"),
        ("before", False, True, "start"),
        ("middle", False, True, "middle"),
        ("end", False, True, None),
        (None, True, True, None),
        (None, False, False, None),
    ],
)
def test_lit_from(snoozed: str | None, silenced: bool, live: bool, expected: str | None) -> None:
    start = datetime(2026, 12, 2, 10, tzinfo=UTC)
    end = start + timedelta(hours=1)
    points = {
        "start": start,
        "before": start - timedelta(minutes=5),
        "middle": start + timedelta(minutes=20),
    }
    points["end"] = end
    got = lit_from(start, end, points.get(snoozed or ""), silenced, live)
    assert got == (points[expected] if expected else None)
