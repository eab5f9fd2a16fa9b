"""The offline buffer: the open interval's counts and datapoints waiting for CloudWatch,
kept on disk (SQLite).

Every count is added here as it is counted, in the same transaction that records up to
which sequence number its sender has been counted (see :mod:`ghela.core.countedbus`), so a
kill loses none and a repeat adds none. Closing an interval moves its counts into
datapoints in one transaction. Every datapoint is written here before it is sent and
removed only once CloudWatch has accepted it, so neither an outage nor a restart loses one.
The buffer is bounded: when it is full the oldest datapoints are dropped first, and the
number dropped is kept (across restarts) and logged. Each change is one SQLite transaction
(rollback journal, ``synchronous=FULL``, SQLite's default), so a crash leaves it whole.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ghela.core.clock import SystemClock
from ghela.core.errors import StorageError

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datapoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    metric TEXT NOT NULL,
    device TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS open_counts (metric TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS senders (sender TEXT PRIMARY KEY, counted INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Datapoint:
    """One value of one metric for one device at one instant (unit Count)."""

    metric: str
    device: str
    timestamp: datetime
    value: float


@dataclass(frozen=True)
class Stored:
    """A datapoint with its row id in the buffer."""

    id: int
    point: Datapoint


class DatapointBuffer:
    """A bounded FIFO of datapoints in one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path, max_datapoints: int) -> None:
        self.path = Path(path)
        self.max_datapoints = max_datapoints
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            # Keep the damaged file for a person to look at; counting must go on.
            aside = self.path.with_name(f"{self.path.name}.damaged-{SystemClock().now():%Y%m%dT%H%M%S}")
            self.path.rename(aside)
            log.error("metrics buffer %s was damaged (%s); moved it to %s", self.path, exc, aside)
            try:
                return self._connect()
            except sqlite3.DatabaseError as again:
                raise StorageError(f"cannot open metrics buffer {self.path}: {again}") from again

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def add(self, points: Iterable[Datapoint]) -> int:
        """Append ``points``; returns how many of the oldest were dropped to stay in bounds."""
        with self._lock, self._transaction():
            excess = self._append_locked(points)
        return self._report_dropped(excess)

    def count(
        self, metric: str, value: int, sender: str | None = None, seq: int | None = None, acked: int = 0
    ) -> int | None:
        """Add ``value`` to ``metric`` in the open interval, once per (sender, seq).

        Returns up to which number ``sender`` is now counted (None for a message without
        a sender, which is always added). Only ``seq`` = that number + 1 is added; a repeat
        or a message after a gap adds nothing (see :mod:`ghela.core.countedbus`).
        """
        with self._lock, self._transaction():
            if sender is None or seq is None:
                self._add_count_locked(metric, value)
                return None
            row = self._db.execute("SELECT counted FROM senders WHERE sender = ?", (sender,)).fetchone()
            counted = max(row[0] if row else 0, acked)
            if seq == counted + 1:
                self._add_count_locked(metric, value)
                counted = seq
            self._db.execute(
                "INSERT INTO senders VALUES (?, ?) "
                "ON CONFLICT(sender) DO UPDATE SET counted = excluded.counted",
                (sender, counted),
            )
            return counted

    def open_counts(self) -> dict[str, int]:
        """What the open interval has counted so far (metrics with a count only)."""
        with self._lock:
            return dict(self._db.execute("SELECT metric, value FROM open_counts").fetchall())

    def close_interval(self, start: datetime, device: str, heartbeat: bool, metrics: Iterable[str]) -> int:
        """Turn the open counts into datapoints stamped ``start``, in one transaction.

        With ``heartbeat`` every metric gets a datapoint (0 when nothing was counted) and
        Heartbeat is 1; without, only metrics with a count. Returns how many were dropped.
        """
        with self._lock, self._transaction():
            counts = dict(self._db.execute("SELECT metric, value FROM open_counts").fetchall())
            if heartbeat:
                counts = {name: counts.get(name, 0) for name in metrics} | {"Heartbeat": 1}
            points = [Datapoint(name, device, start, value) for name, value in counts.items()]
            self._db.execute("DELETE FROM open_counts")
            excess = self._append_locked(points) if points else 0
        return self._report_dropped(excess)

    def _add_count_locked(self, metric: str, value: int) -> None:
        self._db.execute(
            "INSERT INTO open_counts VALUES (?, ?) "
            "ON CONFLICT(metric) DO UPDATE SET value = value + excluded.value",
            (metric, value),
        )

    def _append_locked(self, points: Iterable[Datapoint]) -> int:
        rows = [(p.metric, p.device, p.timestamp.astimezone(UTC).isoformat(), p.value) for p in points]
        self._db.executemany(
            "INSERT INTO datapoints (metric, device, timestamp, value) VALUES (?, ?, ?, ?)", rows
        )
        (size,) = self._db.execute("SELECT COUNT(*) FROM datapoints").fetchone()
        excess = size - self.max_datapoints
        if excess <= 0:
            return 0
        self._db.execute(
            "DELETE FROM datapoints WHERE id IN (SELECT id FROM datapoints ORDER BY id LIMIT ?)", (excess,)
        )
        self._db.execute(
            "INSERT INTO counters VALUES ('dropped', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (excess,),
        )
        return excess

    def _report_dropped(self, excess: int) -> int:
        if excess > 0:
            log.warning(
                "metrics buffer full (%d datapoints): dropped the %d oldest (%d dropped in total)",
                self.max_datapoints, excess, self.dropped,
            )
        return excess

    def oldest(self, limit: int) -> list[Stored]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, metric, device, timestamp, value FROM datapoints ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [
            Stored(row[0], Datapoint(row[1], row[2], datetime.fromisoformat(row[3]), row[4])) for row in rows
        ]

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock, self._transaction():
            self._db.executemany("DELETE FROM datapoints WHERE id = ?", [(i,) for i in ids])

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM datapoints").fetchone()[0]

    @property
    def dropped(self) -> int:
        """Datapoints dropped because the buffer was full, since the file was made."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = 'dropped'").fetchone()
        return row[0] if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error (then a StorageError)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self._db.execute("COMMIT")
            return
        self._db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"metrics buffer write failed: {exc}") from exc
