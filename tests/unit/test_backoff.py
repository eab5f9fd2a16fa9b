"""The one backoff rule every retry in the project uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.core.backoff import Backoff, capped_delay


def test_delays_double_from_initial_up_to_the_cap() -> None:
    assert [capped_delay(n, 1.0, 5.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert capped_delay(3, 1.0, 60.0, factor=3.0) == 9.0


def test_a_very_long_outage_stays_at_the_cap() -> None:
    assert capped_delay(100_000, 0.05, 300.0) == 300.0


def test_backoff_counts_failures_in_a_row_and_resets_on_success() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    backoff = Backoff(initial=5, cap=20)
    assert backoff.delay() == 0.0
    assert [backoff.failed(now) - now for _ in range(4)] == [timedelta(seconds=s) for s in (5, 10, 20, 20)]
    backoff.succeeded()
    assert backoff.failed(now) - now == timedelta(seconds=5)


def test_next_delay_counts_a_failure_and_delay_after_answers_for_any_count() -> None:
    backoff = Backoff(initial=0.05, cap=0.5)
    assert [backoff.next_delay() for _ in range(6)] == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5]
    assert backoff.failures == 6
    policy = Backoff(initial=1.0, cap=60.0, factor=3.0)
    assert [policy.delay_after(n) for n in (0, 1, 2, 3, 5)] == [0.0, 1.0, 3.0, 9.0, 60.0]
    assert policy.failures == 0  # asking changes nothing
