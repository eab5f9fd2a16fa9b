"""The offline buffer: bounded, oldest dropped first (and counted), survives reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghela.metrics.buffer import Datapoint, DatapointBuffer

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def points(n: int, start: int = 0) -> list[Datapoint]:
    indexes = range(start, start + n)
    return [Datapoint("EventsAdded", "pi", T0 + timedelta(minutes=5 * i), float(i)) for i in indexes]


def test_points_come_back_oldest_first_with_their_timestamps(tmp_path) -> None:
    buffer = DatapointBuffer(tmp_path / "b.sqlite3", 100)
    buffer.add(points(3))
    stored = buffer.oldest(2)
    assert [s.point for s in stored] == points(2)
    assert stored[0].point.timestamp.tzinfo is not None
    buffer.remove(s.id for s in stored)
    assert [s.point for s in buffer.oldest(10)] == points(1, start=2)


def test_a_full_buffer_drops_the_oldest_and_counts_the_drop(tmp_path, caplog) -> None:
    buffer = DatapointBuffer(tmp_path / "b.sqlite3", 100)
    assert buffer.add(points(80)) == 0
    assert buffer.add(points(50, start=80)) == 30
    assert len(buffer) == 100
    assert buffer.oldest(1)[0].point.value == 30.0
    assert buffer.dropped == 30
    assert "dropped the 30 oldest" in caplog.text


def test_reopening_loses_nothing_and_keeps_the_drop_count(tmp_path) -> None:
    path = tmp_path / "work" / "b.sqlite3"
    buffer = DatapointBuffer(path, 100)
    buffer.add(points(120))
    buffer.close()
    again = DatapointBuffer(path, 100)
    assert [s.point for s in again.oldest(1000)] == points(100, start=20)
    assert again.dropped == 20


def test_a_damaged_file_is_kept_aside_and_a_new_buffer_started(tmp_path, caplog) -> None:
    path = tmp_path / "b.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    buffer = DatapointBuffer(path, 100)
    buffer.add(points(1))
    assert len(buffer) == 1
    assert [p.name for p in tmp_path.glob("b.sqlite3.damaged-*")]
    assert "damaged" in caplog.text
