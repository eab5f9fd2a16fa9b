"""The light function: half-open windows, "steady beats blink", the next change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.light import OFF, light_at, next_change_after

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@dataclass
class Window:
    id: int
    lit_from: datetime | None
    ends_at: datetime
    pattern: str


def window(
    alert_id: int, start_min: int, end_min: int, pattern: str = "steady", lit: bool = True
) -> Window:
    return Window(
        alert_id,
        T0 + timedelta(minutes=start_min) if lit else None,
        T0 + timedelta(minutes=end_min),
        pattern,
    )


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_off_with_no_alerts() -> None:
    assert light_at([], T0) == OFF
    assert not OFF.on


@pytest.mark.parametrize(("minute", "on"), [(-0.001, False), (0, True), (59.999, True), (60, False)])
def test_window_edges_are_half_open(minute: float, on: bool) -> None:
    assert light_at([window(1, 0, 60)], at(minute)).on is on


def test_steady_beats_blink_and_all_lit_alerts_are_named() -> None:
    alerts = [window(1, 0, 60, "blink"), window(2, 30, 90, "steady"), window(3, 45, 120, "blink")]
    assert light_at(alerts, at(10)).pattern is LightPattern.BLINK
    assert light_at(alerts, at(50)).pattern is LightPattern.STEADY
    assert light_at(alerts, at(50)).alert_ids == (1, 2, 3)
    assert light_at(alerts, at(100)).pattern is LightPattern.BLINK
    assert light_at(alerts, at(100)).alert_ids == (3,)


def test_never_lit_alert_is_ignored() -> None:
    assert light_at([window(1, 0, 60, lit=False)], at(10)) == OFF


def test_next_change_is_the_earliest_boundary() -> None:
    lit_now = [window(1, 0, 60), window(2, 30, 90)]
    assert next_change_after(lit_now, at(70), at(40)) == at(60)
    assert next_change_after(lit_now, at(50), at(40)) == at(50)
    assert next_change_after([], at(70), at(40)) == at(70)
    assert next_change_after([], None, at(40)) is None
