"""Venue times the clock change skips or repeats: found, and resolved one documented way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ghela.core.clock import venue_zone
from ghela.scheduler.localtime import LocalKind, classify, gap_end, lenient_instant, utc_offsets

BRUSSELS = venue_zone("Europe/Brussels")


@pytest.mark.parametrize(
    ("wall", "kind"),
    [
        ("2026-03-29 01:59", LocalKind.NORMAL),
        ("2026-03-29 02:00", LocalKind.GAP),
        ("2026-03-29 02:30", LocalKind.GAP),
        ("2026-03-29 02:59:59", LocalKind.GAP),
        ("2026-03-29 03:00", LocalKind.NORMAL),
        ("2026-10-25 01:59", LocalKind.NORMAL),
        ("2026-10-25 02:00", LocalKind.TWICE),
        ("2026-10-25 02:30", LocalKind.TWICE),
        ("2026-10-25 03:00", LocalKind.NORMAL),
        ("2027-03-28 02:15", LocalKind.GAP),
        ("2027-10-31 02:45", LocalKind.TWICE),
        ("2026-12-06 18:30", LocalKind.NORMAL),
    ],
)
def test_classify_brussels(wall: str, kind: LocalKind) -> None:
    assert classify(datetime.fromisoformat(wall), BRUSSELS) is kind


def test_offsets_of_a_time_that_happens_twice() -> None:
    assert utc_offsets(datetime(2026, 10, 25, 2, 30), BRUSSELS) == (timedelta(hours=2), timedelta(hours=1))
    assert utc_offsets(datetime(2026, 12, 6, 18, 30), BRUSSELS) == (timedelta(hours=1), timedelta(hours=1))


@pytest.mark.parametrize(
    ("zone", "wall", "jump"),
    [
        ("Europe/Brussels", "2026-03-29 02:30", "2026-03-29T03:00+02:00"),
        ("Europe/Brussels", "2027-03-28 02:00", "2027-03-28T03:00+02:00"),
        ("America/New_York", "2026-03-08 02:30", "2026-03-08T03:00-04:00"),
        ("Australia/Lord_Howe", "2026-10-04 02:15", "2026-10-04T02:30+11:00"),  # a 30-minute change
    ],
)
def test_gap_end_is_the_instant_the_clocks_jump(zone: str, wall: str, jump: str) -> None:
    assert gap_end(datetime.fromisoformat(wall), venue_zone(zone)) == datetime.fromisoformat(jump)


def test_lenient_instant_never_fails() -> None:
    assert lenient_instant(datetime(2026, 3, 29, 2, 30), BRUSSELS) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert lenient_instant(datetime(2026, 10, 25, 2, 30), BRUSSELS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )  # the first 02:30, still summer time
    assert lenient_instant(datetime(2026, 12, 6, 18, 30), BRUSSELS) == datetime(
        2026, 12, 6, 17, 30, tzinfo=UTC
    )
