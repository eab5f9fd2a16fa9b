"""The SQLite file: pragmas, migrations, transactions, changes since a revision."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from ghela.core.clock import FrozenClock
from ghela.core.errors import StorageError
from ghela.core.messages.commands import CreateEvent, DeleteEvent, SnoozeAlert
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.migrations import LATEST, migrate
from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AlertRow, EventRow
from sqlmodel import SQLModel

from tests.scheduler.helpers import alerts, events, game, revision, run, scrape

KICKOFF = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)


def test_wal_and_foreign_keys_are_on(store: Store) -> None:
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("foreign_keys") == 1
    assert store.schema_version == LATEST
    assert store.integrity_check() == []


def test_tables_agree_with_the_migrations(store: Store) -> None:
    with contextlib.closing(sqlite3.connect(store.path)) as raw:
        for table in SQLModel.metadata.sorted_tables:
            columns = {row[1] for row in raw.execute(f"PRAGMA table_info({table.name})")}
            assert columns == {column.name for column in table.columns}, table.name
            indexes = {row[1] for row in raw.execute(f"PRAGMA index_list({table.name})") if row[3] == "c"}
            assert indexes == {index.name for index in table.indexes}, table.name


def test_migration_from_version_1_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert migrate(raw, target=1) == 1
        raw.execute(
            "INSERT INTO event (id, kind, key, title, start, local_date, finishes_at, state, revision,"
            " created_at)"
            " VALUES (7, 'game', 'g7', 'KAA Gent – KRC Genk', '2026-12-06 17:30:00.000000', '2026-12-06',"
            " '2026-12-06 19:30:00.000000', 'scheduled', 3, '2026-11-01 10:00:00.000000')"
        )
        raw.execute(
            "INSERT INTO alert (id, event_id, rule, label, offset_minutes, duration_minutes, pattern,"
            " starts_at, ends_at, snoozed_until) VALUES"
            " (11, 7, 'final call', 'final call', -240, 60, 'steady', '2026-12-06 13:30:00.000000',"
            " '2026-12-06 14:30:00.000000', '2026-12-06 13:45:00.000000')"
        )
        raw.execute("INSERT INTO meta (key, value) VALUES ('revision', '3')")
    store = Store(path)
    try:
        assert store.schema_version == LATEST
        [event] = events(store)
        assert (event.id, event.title, event.start, event.revision) == (
            7,
            "KAA Gent – KRC Genk",
            KICKOFF,
            3,
        )
        [alert] = alerts(store, 7)
        assert alert.lit_from == datetime(2026, 12, 6, 13, 45, tzinfo=UTC)  # derived by the migration
        assert outlook(store, datetime(2026, 12, 6, 14, 0, tzinfo=UTC)).decision.alert_ids == (11,)
        assert revision(store) == 3
    finally:
        store.close()


def test_a_database_from_newer_software_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    with contextlib.closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("INSERT INTO schema_version VALUES (99, '2030-01-01 00:00:00')")
    with pytest.raises(StorageError, match="newer"):
        Store(path)


def test_a_failing_transaction_writes_nothing(
    store: Store, handler: CommandHandler, clock: FrozenClock
) -> None:
    run(handler, CreateEvent(title="Concert", start=KICKOFF), clock)
    with pytest.raises(StorageError, match="FOREIGN KEY"), store.write() as session:
        repo = Repository(session)
        event = repo.event(1)
        assert event is not None
        event.title = "half-written"
        repo.set_revision(99)
        repo.add(
            AlertRow(event_id=404, duration_minutes=5, pattern="steady", starts_at=KICKOFF, ends_at=KICKOFF)
        )
    assert events(store)[0].title == "Concert" and revision(store) == 1


def test_changes_since_pages_by_whole_revisions_oldest_first(
    store: Store, handler: CommandHandler, clock: FrozenClock
) -> None:
    run(
        handler, scrape([game(f"g{i}", KICKOFF + timedelta(days=i)) for i in range(3)], clock.now()), clock
    )  # r1
    custom = run(handler, CreateEvent(title="Party", start=KICKOFF), clock)  # r2
    run(handler, SnoozeAlert(alert_id=1, minutes=10), clock)  # r3: event 1 again
    run(handler, DeleteEvent(event_id=custom.data["event_id"]), clock)  # r4: a tombstone
    with store.read() as session:
        repo = Repository(session)
        first = repo.changes_since(0, 2)  # revision 1 has 3 events: sent whole
        assert ([e.id for e in first.events], first.revision, first.more) == ([2, 3], 1, True)
        whole = repo.changes_since(0, 1)
        assert ([e.id for e in whole.events], whole.revision, whole.more) == ([2, 3], 1, True)
        rest = repo.changes_since(1, 10)
        assert ([e.id for e in rest.events], rest.deleted, rest.revision, rest.more) == ([1], [4], 4, False)
        nothing = repo.changes_since(4, 10)
        assert (nothing.events, nothing.deleted, nothing.revision, nothing.more) == ([], [], 4, False)


def test_two_writers_on_one_file(tmp_path: Path, config, clock: FrozenClock) -> None:
    """The CLI and the Scheduler each open the file; both writes land, and data_version tells."""
    first, second = Store(tmp_path / "shared.db"), Store(tmp_path / "shared.db")
    try:
        before = first.data_version()
        run(CommandHandler(second, config), CreateEvent(title="From the CLI", start=KICKOFF), clock)
        assert first.data_version() != before
        run(CommandHandler(first, config), CreateEvent(title="From the service", start=KICKOFF), clock)
        assert [e.title for e in events(first)] == ["From the CLI", "From the service"]
    finally:
        first.close()
        second.close()


def test_event_rows_store_utc(store: Store) -> None:
    with pytest.raises(StorageError, match="naive"), store.write() as session:
        session.add(
            EventRow(
                kind="custom",
                key="k",
                title="t",
                state="scheduled",
                revision=1,
                created_at=datetime(2026, 1, 1),
            )
        )
        session.flush()


def test_migration_from_version_2_keeps_games_as_their_sources_views(tmp_path: Path) -> None:
    """A database of the single-source release: each game becomes its source's view, so the
    next scrape neither adds it again nor takes it for vanished; a cancelled game has none."""
    path = tmp_path / "v2.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert migrate(raw, target=2) == 2
        for event_id, key, state in (
            (7, "jpl:kaa-gent:krc-genk:2026-27", "scheduled"),
            (8, "x", "cancelled"),
        ):
            raw.execute(
                "INSERT INTO event (id, kind, key, title, away, venue, source, start, local_date,"
                " finishes_at, state, revision, created_at) VALUES (?, 'game', ?, 'KAA Gent – KRC Genk',"
                " 'KRC Genk',"
                " 'Planet Group Arena', 'kaagent.be', '2026-12-06 17:30:00.000000', '2026-12-06',"
                " '2026-12-06 19:30:00.000000', ?, 3, '2026-11-01 10:00:00.000000')",
                (event_id, key, state),
            )
        raw.execute("INSERT INTO meta (key, value) VALUES ('revision', '3')")
    store = Store(path)
    try:
        assert store.schema_version == LATEST == 5
        assert [(e.id, e.state, e.disputed) for e in events(store)] == [
            (7, "scheduled", False),
            (8, "cancelled", False),
        ]
        with store.read() as session:
            repo = Repository(session)
            [view] = repo.views_of(7)
            assert (view.source, view.key, view.start, view.local_date) == (
                "kaagent.be",
                "jpl:kaa-gent:krc-genk:2026-27",
                KICKOFF,
                date(2026, 12, 6),
            )
            assert repo.views_of(8) == [] and repo.overrides_of(7) == []
        handler = CommandHandler(store, SchedulerConfig())
        clock = FrozenClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
        fixture = game("jpl:kaa-gent:krc-genk:2026-27", KICKOFF, away="KRC Genk")
        result = run(
            handler, scrape([fixture], clock.now(), window=(date(2026, 12, 1), date(2026, 12, 31))), clock
        )
        assert result.data["added"] == [] and result.data["cancelled"] == []  # the same game, id 7
        assert [e.id for e in events(store)] == [7, 8]
    finally:
        store.close()
