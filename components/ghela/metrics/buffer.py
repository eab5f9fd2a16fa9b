"""The offline buffer: datapoints waiting for CloudWatch, kept on disk (SQLite).

Every datapoint is written here before it is sent and removed only once CloudWatch has
accepted it, so neither an outage nor a restart loses one. The buffer is bounded: when it
is full the oldest datapoints are dropped first, and the number dropped is kept (across
restarts) and logged. Each change is one SQLite transaction, so a crash leaves it whole.
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
        rows = [(p.metric, p.device, p.timestamp.astimezone(UTC).isoformat(), p.value) for p in points]
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT INTO datapoints (metric, device, timestamp, value) VALUES (?, ?, ?, ?)", rows
            )
            (size,) = self._db.execute("SELECT COUNT(*) FROM datapoints").fetchone()
            excess = size - self.max_datapoints
            if excess > 0:
                self._db.execute(
                    "DELETE FROM datapoints WHERE id IN (SELECT id FROM datapoints ORDER BY id LIMIT ?)",
                    (excess,),
                )
                self._db.execute(
                    "INSERT INTO counters VALUES ('dropped', ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                    (excess,),
                )
        if excess > 0:
            log.warning(
                "metrics buffer full (%d datapoints): dropped the %d oldest (%d dropped in total)",
                self.max_datapoints, excess, self.dropped,
            )
            return excess
        return 0

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
