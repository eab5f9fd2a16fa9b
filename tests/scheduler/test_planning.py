"""Planning alerts: offsets as real durations, TBD mornings in the venue zone, office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from ghela.core.clock import venue_zone
from ghela.core.messages import LightPattern
from ghela.scheduler.config import OfficeHours, OfficePolicy, SchedulerConfig
from ghela.scheduler.planning import PlannedAlert, fit_office_hours, lit_from, local_instant, plan_alerts

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


def test_local_instant_in_the_spring_gap_is_one_deterministic_instant() -> None:
    gap = local_instant(date(2026, 3, 29), time(2, 30), BRUSSELS)
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    twice = local_instant(date(2026, 10, 25), time(2, 30), BRUSSELS)
    assert twice == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


OFFICE = OfficeHours(days=[1, 2, 3, 4, 5], start=time(8), end=time(18), policy=OfficePolicy.MOVE)


def _alert(local: datetime, minutes: int = 60) -> PlannedAlert:
    return PlannedAlert(
        rule="r",
        label="r",
        starts_at=local.astimezone(UTC),
        duration_minutes=minutes,
        pattern=LightPattern.STEADY,
        offset_minutes=-240,
    )


def test_alert_inside_or_overlapping_office_hours_is_kept() -> None:
    inside = _alert(datetime(2026, 12, 2, 10, 0, tzinfo=BRUSSELS))
    assert fit_office_hours(inside, OFFICE, BRUSSELS) == inside
    overlapping = _alert(datetime(2026, 12, 2, 17, 30, tzinfo=BRUSSELS))
    assert fit_office_hours(overlapping, OFFICE, BRUSSELS) == overlapping


def test_alert_on_a_saturday_moves_to_friday_closing_time() -> None:
    saturday = _alert(datetime(2026, 12, 5, 14, 30, tzinfo=BRUSSELS))
    moved = fit_office_hours(saturday, OFFICE, BRUSSELS)
    assert moved is not None
    assert moved.starts_at == datetime(2026, 12, 4, 17, 0, tzinfo=BRUSSELS)
    assert moved.ends_at == datetime(2026, 12, 4, 18, 0, tzinfo=BRUSSELS)
    assert moved.offset_minutes == -240 - (21 * 60 + 30)  # 21.5 h earlier than planned


def test_alert_in_the_evening_moves_to_that_day_closing_time() -> None:
    evening = _alert(datetime(2026, 12, 2, 19, 0, tzinfo=BRUSSELS), minutes=30)
    moved = fit_office_hours(evening, OFFICE, BRUSSELS)
    assert moved is not None
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2026, 12, 2, 17, 30, tzinfo=BRUSSELS),
        datetime(2026, 12, 2, 18, 0, tzinfo=BRUSSELS),
    )
    assert moved.offset_minutes == -240 - 90


def test_skip_policy_drops_alerts_outside_office_hours() -> None:
    office = OFFICE.model_copy(update={"policy": OfficePolicy.SKIP})
    assert (
        fit_office_hours(_alert(datetime(2026, 12, 5, 14, 30, tzinfo=BRUSSELS)), office, BRUSSELS) is None
    )
    config = SchedulerConfig.model_validate({"officeHours": office.model_dump(by_alias=True)})
    sunday_evening_game = datetime(2026, 12, 6, 20, 45, tzinfo=BRUSSELS)
    assert plan_alerts(config, BRUSSELS, sunday_evening_game.astimezone(UTC), None) == []
    weekday_game = datetime(2026, 12, 2, 20, 45, tzinfo=BRUSSELS)
    assert [a.rule for a in plan_alerts(config, BRUSSELS, weekday_game.astimezone(UTC), None)] == [
        "early warning",
        "final call",
    ]


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
