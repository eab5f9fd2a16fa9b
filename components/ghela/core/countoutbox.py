"""A publisher's outbox of counted messages (Activity, JobOutcome), in one SQLite file.

Each message gets the next sequence number of this outbox and stays until Metrics confirms
it (``Counted``). The outbox has its own random ``sender`` id, made with the file: a new
file (a fresh install, a damaged file set aside) starts again at 1 under a new name, so
Metrics never mistakes its messages for old ones. Every change is one committed
transaction with ``synchronous=FULL``, so a message accepted here survives a power cut.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from ghela.core.bus import model_for
from ghela.core.errors import StorageError
from ghela.core.messages.counted import Sequenced

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS taken_keys (key TEXT PRIMARY KEY);
"""
KEYS_KEPT = 10_000
"""A publisher re-publishes a keyed count only right after a kill, so the newest keys suffice."""


@dataclass(frozen=True)
class Entry:
    seq: int
    topic: str
    message: Sequenced


class CountOutbox:
    """Thread-safe; ``append`` numbers and keeps a message, ``confirmed`` lets go of them."""

    def __init__(self, path: str | Path, component: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = self._open(component)
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.damaged-{uuid.uuid4().hex[:8]}")
            self.path.rename(aside)
            log.error("count outbox %s was damaged (%s); moved it to %s", self.path, exc, aside)
            try:
                self._db = self._open(component)
            except sqlite3.DatabaseError as again:
                raise StorageError(f"cannot open count outbox {self.path}: {again}") from again

    def _open(self, component: str) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('sender', ?)", (f"{component}-{uuid.uuid4().hex[:12]}",)
            )
            db.execute("INSERT OR IGNORE INTO meta VALUES ('next_seq', '1')")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('acked', '0')")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _meta(self, key: str) -> str:
        value: str = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]
        return value

    @property
    def sender(self) -> str:
        with self._lock:
            return self._meta("sender")

    @property
    def acked(self) -> int:
        with self._lock:
            return int(self._meta("acked"))

    def append(self, topic: str, message: Sequenced) -> Sequenced | None:
        """Keep ``message`` under the next number; returns it stamped, ready to publish.

        None when its ``key`` was taken before: that count is already kept (or sent).
        """
        body = message.model_dump_json(exclude={"sender", "seq", "acked"})
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                if message.key is not None:
                    taken = self._db.execute("INSERT OR IGNORE INTO taken_keys VALUES (?)", (message.key,))
                    if taken.rowcount == 0:
                        self._db.execute("ROLLBACK")
                        return None
                    self._db.execute(
                        "DELETE FROM taken_keys WHERE rowid <= (SELECT MAX(rowid) FROM taken_keys) - ?",
                        (KEYS_KEPT,),
                    )
                seq = int(self._meta("next_seq"))
                self._db.execute("UPDATE meta SET value = ? WHERE key = 'next_seq'", (str(seq + 1),))
                self._db.execute("INSERT INTO entries VALUES (?, ?, ?)", (seq, topic, body))
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StorageError(f"count outbox {self.path.name}: {exc}") from exc
            return self._stamped(seq, message)

    def pending(self) -> list[Entry]:
        """Every message Metrics has not confirmed, oldest first, stamped for sending again."""
        with self._lock:
            rows = self._db.execute("SELECT seq, topic, body FROM entries ORDER BY seq").fetchall()
            entries = []
            for seq, topic, body in rows:
                message = model_for(topic).model_validate_json(body)
                assert isinstance(message, Sequenced)
                entries.append(Entry(seq, topic, self._stamped(seq, message)))
            return entries

    def confirmed(self, seq: int) -> bool:
        """Metrics stored everything up to ``seq``: forget it. True if that was news."""
        with self._lock:
            if seq <= int(self._meta("acked")):
                return False
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM entries WHERE seq <= ?", (seq,))
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'acked'", (str(seq),))
            self._db.execute("COMMIT")
            return True

    def _stamped(self, seq: int, message: Sequenced) -> Sequenced:
        return message.model_copy(
            update={"sender": self._meta("sender"), "seq": seq, "acked": int(self._meta("acked"))}
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()
