"""CloudSync's durable state on disk: the synced revision and the outbox, in one SQLite file.

The outbox holds what must reach AWS even if the Pi is offline or restarts: job status
updates for IoT (lane ``iot``) and job rows for the jobs table (lane ``jobs``). Each lane
is delivered strictly in order; the two lanes are independent, so DynamoDB being down does
not hold back IoT job updates. An entry leaves the outbox only after it was delivered.

SQLite gives atomic commits (a crash never leaves half an entry) without a server.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
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
"""

SYNCED_REVISION = "synced_revision"
RESYNC_REQUESTED = "resync_requested"


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    lane: str
    payload: dict[str, Any]
    attempts: int


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
                "SELECT seq, lane, payload, attempts FROM outbox WHERE lane = ? ORDER BY seq LIMIT 1",
                (lane,),
            ).fetchone()
        return OutboxEntry(row[0], row[1], json.loads(row[2]), row[3]) if row else None

    def pending(self, lane: str | None = None) -> list[OutboxEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, lane, payload, attempts FROM outbox WHERE ? IS NULL OR lane = ? ORDER BY seq",
                (lane, lane),
            ).fetchall()
        return [OutboxEntry(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def delivered(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def attempted(self, seq: int) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", (seq,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
