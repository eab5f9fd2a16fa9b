"""The pattern engine and the hold signal: pure timing, no threads, no GPIO."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from ghela.core.messages.light import LightCommand
from ghela.core.wiretypes import LightPattern
from ghela.light.holdsignal import blink_count, next_alert_signal
from ghela.light.pattern import Plan

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MS = timedelta(milliseconds=1)


def command(pattern: LightPattern = LightPattern.STEADY, **fields: object) -> LightCommand:
    return LightCommand(pattern=pattern, issued_at=T0, **fields)


def test_steady_is_on_from_receipt_until_the_half_open_end() -> None:
    plan = Plan.from_command(command(until=T0 + timedelta(minutes=30)), T0, HOUR)
    assert plan.relay_at(T0)
    assert plan.relay_at(T0 + timedelta(minutes=30) - MS)
    assert not plan.relay_at(T0 + timedelta(minutes=30))
    assert plan.next_change(T0) == T0 + timedelta(minutes=30)
    assert plan.next_change(T0 + timedelta(minutes=30)) is None


@pytest.mark.parametrize(("on_ms", "off_ms"), [(500, 500), (200, 800), (1000, 250)])
def test_blink_edges_follow_on_and_off_times(on_ms: int, off_ms: int) -> None:
    plan = Plan.from_command(command(LightPattern.BLINK, on_ms=on_ms, off_ms=off_ms), T0, HOUR)
    on, period = on_ms * MS, (on_ms + off_ms) * MS
    for cycle in range(3):
        start = T0 + cycle * period
        assert plan.relay_at(start) and plan.relay_at(start + on - MS)
        assert not plan.relay_at(start + on) and not plan.relay_at(start + period - MS)
        assert plan.next_change(start) == start + on
        assert plan.next_change(start + on) == start + period


def test_without_until_the_fail_safe_ends_the_plan() -> None:
    plan = Plan.from_command(command(), T0, HOUR)
    assert plan.ends_at == T0 + HOUR and plan.cut_by_max_on
    assert plan.expired(T0 + HOUR - MS) is None
    ended = plan.expired(T0 + HOUR)
    assert ended is not None and ended.pattern is LightPattern.OFF
    assert ended.reason == "maximum on-time reached" and ended.since == T0 + HOUR


def test_until_beyond_the_maximum_is_cut_and_until_before_it_is_kept() -> None:
    far = Plan.from_command(command(until=T0 + 3 * HOUR), T0, HOUR)
    near = Plan.from_command(command(until=T0 + timedelta(minutes=10)), T0, HOUR)
    assert (far.ends_at, far.cut_by_max_on) == (T0 + HOUR, True)
    assert (near.ends_at, near.cut_by_max_on) == (T0 + timedelta(minutes=10), False)
    ended = near.expired(T0 + timedelta(minutes=10))
    assert ended is not None and ended.reason == "until reached"


def test_a_command_whose_until_has_passed_is_off() -> None:
    plan = Plan.from_command(command(until=T0 - MS), T0, HOUR)
    assert plan.pattern is LightPattern.OFF and plan.reason == "until already passed"


def test_the_fail_safe_counts_from_the_last_command_received() -> None:
    first = Plan.from_command(command(LightPattern.BLINK, on_ms=300, off_ms=300), T0, HOUR)
    resent = Plan.from_command(
        command(LightPattern.BLINK, on_ms=300, off_ms=300), T0 + timedelta(minutes=50, milliseconds=100),
        HOUR, current=first,
    )
    assert resent.ends_at == T0 + timedelta(minutes=110, milliseconds=100)
    assert resent.since == T0  # same pattern: the blink keeps its rhythm
    changed = Plan.from_command(command(LightPattern.STEADY), T0 + timedelta(minutes=5), HOUR, current=first)
    assert changed.since == T0 + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("ahead", "expected"),
    [
        (None, ("none", 0)),
        (timedelta(minutes=-5), ("none", 0)),
        (timedelta(minutes=30), ("hours", 1)),
        (timedelta(hours=1), ("hours", 1)),
        (timedelta(hours=2, minutes=30), ("hours", 3)),
        (timedelta(hours=9), ("hours", 9)),
        (timedelta(hours=9, seconds=1), ("days", 1)),
        (timedelta(days=2, hours=1), ("days", 3)),
        (timedelta(days=40), ("days", 7)),
    ],
)
def test_hold_signal_counts_hours_then_days(ahead: timedelta | None, expected: tuple[str, int]) -> None:
    assert blink_count(T0, None if ahead is None else T0 + ahead) == expected


def test_hold_signal_sequence_is_pause_blinks_pause() -> None:
    signal = next_alert_signal(T0, T0 + timedelta(hours=2, minutes=10))
    assert not signal.relay_at(T0) and signal.next_change(T0) == T0 + timedelta(seconds=1)
    lit = [signal.relay_at(T0 + timedelta(milliseconds=ms)) for ms in range(0, 4000, 50)]
    rises = sum(1 for before, now in itertools.pairwise(lit) if now and not before)
    assert rises == 3
    assert signal.end == T0 + timedelta(seconds=2) + 3 * timedelta(milliseconds=600)
    assert not signal.covers(signal.end)
    none = next_alert_signal(T0, None)
    assert none.relay_at(T0 + timedelta(seconds=1)) and none.relay_at(T0 + timedelta(seconds=4) - MS)
