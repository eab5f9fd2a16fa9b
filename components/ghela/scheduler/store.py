"""The SQLite file: opening it safely, migrating it, and its transactions.

- WAL journal (readers never block the writer), foreign keys on, a busy timeout so the
  CLI and the Scheduler can both write the same file.
- Write transactions start with ``BEGIN IMMEDIATE``: two writers queue on the lock instead
  of failing half-way when a read transaction tries to become a write.
- Any SQLite fault becomes a :class:`~ghela.core.errors.StorageError`; the transaction is
  rolled back, so a failed command leaves nothing half-written.
- ``PRAGMA data_version`` on a dedicated connection tells whether another connection
  (another process) committed since the last look.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ghela.core.errors import StorageError
from ghela.scheduler.migrations import migrate

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS = "FULL"
"""FULL, not NORMAL: in WAL mode NORMAL syncs only at checkpoints, so a power cut can drop
the last committed transactions. A command's result leaves the device (CloudSync reports
the job SUCCEEDED to IoT) right after its commit, so the commit must be on the disk first:
with FULL, SQLite fsyncs the WAL at every commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
``bench/scheduler.py`` prints what it costs per command."""


def _configure(dbapi_connection: sqlite3.Connection, synchronous: str = SYNCHRONOUS) -> None:
    # Autocommit at the driver level: transactions are opened explicitly in _begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.close()


def _engine(path: Path, begin: str, synchronous: str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        _configure(dbapi_connection, synchronous)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def integrity_problems(execute: Callable[[str], Iterable[Sequence[Any]]]) -> list[str]:
    """The integrity and foreign-key problems ``execute`` (any connection's) reports."""
    problems = [row[0] for row in execute("PRAGMA integrity_check")]
    if problems == ["ok"]:
        problems = []
    for row in execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key broken: table {row[0]} rowid {row[1]} -> {row[2]}")
    return problems


class Store:
    """One database file; thread-safe (each transaction uses its own pooled connection)."""

    def __init__(self, path: str | Path, synchronous: str = SYNCHRONOUS) -> None:
        """``synchronous`` is for the benchmark's comparison; the Scheduler keeps the default."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path, isolation_level=None)) as raw:
                _configure(raw, synchronous)
                self.schema_version = migrate(raw)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc
        self._writer = _engine(self.path, "BEGIN IMMEDIATE", synchronous)
        self._reader = _engine(self.path, "BEGIN", synchronous)
        self._watch_lock = threading.Lock()
        self._watcher = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        _configure(self._watcher, synchronous)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed if the block ends normally, else rolled back."""
        with self._session(self._writer) as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent snapshot for reading."""
        with self._session(self._reader) as session:
            yield session

    @contextlib.contextmanager
    def _session(self, engine: Engine) -> Iterator[Session]:
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except (SQLAlchemyError, sqlite3.Error) as exc:
            session.rollback()
            raise StorageError(f"database {self.path.name}: {exc}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def data_version(self) -> int:
        """Changes whenever any other connection commits to the file."""
        with self._watch_lock:
            return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])

    def pragma(self, name: str) -> Any:
        """The value of a read-only PRAGMA on a fresh pooled connection (for checks)."""
        with self._writer.connect() as connection:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check plus the foreign-key check; empty when all is well."""
        with self._reader.connect() as connection:
            return integrity_problems(connection.exec_driver_sql)

    def close(self) -> None:
        with self._watch_lock:
            self._watcher.close()
        self._writer.dispose()
        self._reader.dispose()
