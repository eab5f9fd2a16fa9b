"""CloudSync's durable state on disk: the synced revision and the outbox, in one SQLite file.

The outbox holds what must reach AWS even if the Pi is offline or restarts: job status
updates for IoT (lane ``iot``) and job rows for the jobs table (lane ``jobs``). Each lane
is delivered oldest first; the two lanes are independent, so DynamoDB being down does not
hold back IoT job updates. An entry leaves the outbox only after it was delivered, or as a
dead letter (with the reason, kept for ``ghela sync status``) once it was refused for good.
An entry that failed waits for its own ``retry_at`` (see :mod:`ghela.cloudsync.outbox`).

SQLite gives atomic commits (a crash never leaves half an entry) without a server.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ghela.core.errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    lane TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_lane ON outbox (lane, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY,
    lane TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""
_COLUMNS_ADDED = {"retry_at": "TEXT", "last_error": "TEXT NOT NULL DEFAULT ''"}
"""Outbox columns newer than the first state files; added to an older file when opened."""

SYNCED_REVISION = "synced_revision"
RESYNC_REQUESTED = "resync_requested"


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    lane: str
    payload: dict[str, Any]
    attempts: int
    retry_at: datetime | None = None
    last_error: str = ""


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    lane: str
    payload: dict[str, Any]
    attempts: int
    reason: str
    at: datetime


_ENTRY = "seq, lane, payload, attempts, retry_at, last_error"


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    retry_at = datetime.fromisoformat(row[4]) if row[4] else None
    return OutboxEntry(row[0], row[1], json.loads(row[2]), row[3], retry_at, row[5])


class StateStore:
    """Thread-safe access to the state file; every write is one committed transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            present = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
            for column, kind in _COLUMNS_ADDED.items():
                if column not in present:
                    self._db.execute(f"ALTER TABLE outbox ADD COLUMN {column} {kind}")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open CloudSync state {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- key/value state

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM state WHERE key = ?", (key,))

    @property
    def synced_revision(self) -> int:
        return int(self.get(SYNCED_REVISION, "0") or 0)

    @synced_revision.setter
    def synced_revision(self, revision: int) -> None:
        self.put(SYNCED_REVISION, str(revision))

    # ----------------------------------------------------------------- outbox

    def enqueue(self, *entries: tuple[str, dict[str, Any]]) -> None:
        """Append ``(lane, payload)`` entries in one transaction (all or none)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO outbox (lane, payload) VALUES (?, ?)",
                    [(lane, json.dumps(payload)) for lane, payload in entries],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def head(self, lane: str) -> OutboxEntry | None:
        """The oldest undelivered entry of ``lane``."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ENTRY} FROM outbox WHERE lane = ? ORDER BY seq LIMIT 1", (lane,)
            ).fetchone()
        return _entry(row) if row else None

    def due(self, lane: str, now: datetime) -> list[OutboxEntry]:
        """``lane``'s entries to try now (never tried, or their retry time has come), oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ENTRY} FROM outbox WHERE lane = ? AND (retry_at IS NULL OR retry_at <= ?) "
                "ORDER BY seq",
                (lane, now.astimezone(UTC).isoformat()),
            ).fetchall()
        return [_entry(row) for row in rows]

    def next_retry(self, lane: str) -> datetime | None:
        """When the earliest waiting entry of ``lane`` is due again (None: none waits)."""
        with self._lock:
            row = self._db.execute("SELECT MIN(retry_at) FROM outbox WHERE lane = ?", (lane,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def pending(self, lane: str | None = None) -> list[OutboxEntry]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ENTRY} FROM outbox WHERE ? IS NULL OR lane = ? ORDER BY seq", (lane, lane)
            ).fetchall()
        return [_entry(row) for row in rows]

    def delivered(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def attempted(self, seq: int) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", (seq,))

    def retry_later(self, seq: int, at: datetime, error: str) -> None:
        """The entry failed for now: try it again at ``at``, not before."""
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET retry_at = ?, last_error = ? WHERE seq = ?",
                (at.astimezone(UTC).isoformat(), error[:2000], seq),
            )

    def dead_letter(self, seq: int, reason: str, at: datetime) -> None:
        """Move an entry refused for good out of the outbox, with the reason (one transaction)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO dead_letters (seq, lane, payload, attempts, reason, at) "
                    "SELECT seq, lane, payload, attempts, ?, ? FROM outbox WHERE seq = ?",
                    (reason[:2000], at.astimezone(UTC).isoformat(), seq),
                )
                self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def dead_letters(self) -> list[DeadLetter]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, lane, payload, attempts, reason, at FROM dead_letters ORDER BY seq"
            ).fetchall()
        return [
            DeadLetter(r[0], r[1], json.loads(r[2]), r[3], r[4], datetime.fromisoformat(r[5])) for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
