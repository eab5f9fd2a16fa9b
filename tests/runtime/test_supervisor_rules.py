"""The restart rules as pure logic: backoff, and 3 errors within an hour mean BROKEN."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.core.backoff import Backoff
from ghela_tools.runtime.restart import ErrorWindow, restart_backoff

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(initial=1.0, cap=5.0, factor=2.0)
    assert [backoff.delay_after(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert [restart_backoff().delay_after(n) for n in (1, 2, 6, 7, 100)] == [1.0, 2.0, 32.0, 60.0, 60.0]


def test_three_errors_within_an_hour_are_broken() -> None:
    window = ErrorWindow()
    assert window.record(NOON) is False
    assert window.record(NOON + timedelta(minutes=20)) is False
    assert window.record(NOON + timedelta(minutes=59)) is True


def test_an_hour_without_error_resets_the_count() -> None:
    window = ErrorWindow()
    window.record(NOON)
    window.record(NOON + timedelta(minutes=10))
    assert window.count(NOON + timedelta(minutes=70)) == 0
    assert window.record(NOON + timedelta(minutes=70)) is False
    assert window.record(NOON + timedelta(minutes=80)) is False
    assert window.record(NOON + timedelta(minutes=90)) is True


def test_errors_spread_over_more_than_an_hour_never_break() -> None:
    window = ErrorWindow()
    moments = [NOON + timedelta(minutes=35 * n) for n in range(10)]
    assert [window.record(moment) for moment in moments] == [False] * 10
    assert window.count(moments[-1]) == 2
