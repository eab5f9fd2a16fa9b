"""Dutch dates and times: formats, times not yet fixed, year inference, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from ghela.scraper.dutch import When, WhenError, infer_year, parse_time, parse_when, season_label
from ghela.scraper.games import local_instant

NOVEMBER_2025 = date(2025, 11, 20)


@pytest.mark.parametrize(
    ("date_text", "time_text", "expected"),
    [
        ("zo 24 nov 2024", "20u45", When(date(2024, 11, 24), time(20, 45))),
        ("za 7 dec 2024", "18.30", When(date(2024, 12, 7), time(18, 30))),
        ("zo 30 nov", "20:45", When(date(2025, 11, 30), time(20, 45))),
        ("zaterdag 2 augustus", "20u", When(date(2025, 8, 2), time(20, 0))),
        ("vr. 19 sep.", "20h45", When(date(2025, 9, 19), time(20, 45))),
        ("za 17 jan", "TBD", When(date(2026, 1, 17), None)),
        ("za 7 mrt", "nog te bepalen", When(date(2026, 3, 7), None)),
        ("za 14 mrt", "", When(date(2026, 3, 14), None)),
        ("za 27 dec", "uitgesteld", When(date(2025, 12, 27), None)),
        ("27/12/2025", "-", When(date(2025, 12, 27), None)),
        ("2026-01-18", "18u30", When(date(2026, 1, 18), time(18, 30))),
    ],
)
def test_date_and_time_cells(date_text: str, time_text: str, expected: When) -> None:
    assert parse_when(date_text, time_text, NOVEMBER_2025) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zo 24 nov 2024 - 20u45", When(date(2024, 11, 24), time(20, 45))),
        ("24.11.2024 20.45", When(date(2024, 11, 24), time(20, 45))),
        ("20:45 zo 30 nov", When(date(2025, 11, 30), time(20, 45))),
        ("za 17 jan 2026", When(date(2026, 1, 17), None)),
    ],
)
def test_one_cell_with_date_and_time(text: str, expected: When) -> None:
    assert parse_when(text, None, NOVEMBER_2025) == expected


def test_year_follows_the_season_of_the_reference() -> None:
    assert infer_year(8, 2, NOVEMBER_2025, None) == date(2025, 8, 2)
    assert infer_year(5, 17, NOVEMBER_2025, None) == date(2026, 5, 17)
    # In June, next season's first games are listed: July is the coming one.
    assert infer_year(7, 26, date(2026, 6, 25), None) == date(2026, 7, 26)
    # A weekday picks the year when the season alone would be wrong.
    assert infer_year(11, 24, NOVEMBER_2025, weekday=6) == date(2024, 11, 24)


def test_season_label_turns_in_july() -> None:
    assert season_label(date(2025, 6, 30)) == "2024-25"
    assert season_label(date(2025, 7, 1)) == "2025-26"
    assert season_label(date(2099, 12, 1)) == "2099-00"


@pytest.mark.parametrize(
    ("date_text", "time_text", "reason"),
    [
        ("31 februari 2025", "20u", "no such date"),
        ("zo 25 nov 2024", "20u", "weekday"),
        ("di 31 feb", "20u", "no such date"),
        ("hello", "20u", "no date"),
        ("zo 24 nov 2024", "25u00", "no such time"),
        ("zo 24 nov 2024", "20u75", "no such time"),
        ("zo 24 nov 2024", "avond", "no kick-off time"),
    ],
)
def test_bad_dates_and_times_name_the_text(date_text: str, time_text: str, reason: str) -> None:
    with pytest.raises(WhenError, match=reason):
        parse_when(date_text, time_text, NOVEMBER_2025)


def test_placeholders_mean_time_unknown() -> None:
    for text in ("", "  ", "?", "TBD", "T.B.D.", "n.t.b.", "Nog te bepalen", "afgelast"):
        assert parse_time(text) is None, text


def test_kickoffs_on_dst_nights_are_never_dropped() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    # 02:30 does not exist on 29 March 2026: it becomes 03:30 summer time.
    assert local_instant(date(2026, 3, 29), time(2, 30), brussels) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on 25 October 2026: the first (summer time) is taken.
    assert local_instant(date(2026, 10, 25), time(2, 30), brussels) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert local_instant(date(2026, 7, 1), time(20, 45), brussels) == datetime(2026, 7, 1, 18, 45, tzinfo=UTC)
