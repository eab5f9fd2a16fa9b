"""Forward-only schema migrations, so an update never loses stored events.

Each migration is plain SQL, applied in its own transaction together with the row that
records its version in ``schema_version``. The tables in :mod:`ghela.scheduler.tables`
describe the schema after the last migration; a test checks that they agree.

Version 1 was the first schema (ids use AUTOINCREMENT: an id is never reused, so a stale
"snooze alert 31" from the cloud can never hit a different alert). Version 2 added
``alert.lit_from`` (the derived, indexed "lights from" instant that makes the light
decision a range query) and fills it in. Version 3 keeps what each source lists of a game
(``source_view``, so games are planned from the union of sources) and the corrections
people make (``override``), and marks games whose sources disagree (``event.disputed``).
Every game a source gave before becomes that source's view, so the first scrape after the
update neither adds it again nor takes it for vanished. Version 4 added
``unsent_activity``: what a command counted, written in the command's own transaction and
removed once it is in the count outbox (see :mod:`ghela.core.countedbus`), so a kill between
the two loses no count. Version 5 keeps when a moved event was before it last moved
(``event.previous_start`` / ``previous_date``), so staff see "moved from X to Y".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ghela.core.clock import SystemClock
from ghela.core.errors import StorageError

V1 = """
CREATE TABLE meta (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE event (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind VARCHAR NOT NULL,
    key VARCHAR NOT NULL UNIQUE,
    title VARCHAR NOT NULL,
    home VARCHAR NOT NULL DEFAULT '',
    away VARCHAR NOT NULL DEFAULT '',
    competition VARCHAR NOT NULL DEFAULT '',
    season VARCHAR NOT NULL DEFAULT '',
    venue VARCHAR NOT NULL DEFAULT '',
    source VARCHAR NOT NULL DEFAULT '',
    source_url VARCHAR NOT NULL DEFAULT '',
    start DATETIME,
    local_date DATE,
    "end" DATETIME,
    finishes_at DATETIME,
    state VARCHAR NOT NULL,
    uses_plan BOOLEAN NOT NULL DEFAULT 1,
    revision INTEGER NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_event_kind ON event (kind);
CREATE INDEX ix_event_source ON event (source);
CREATE INDEX ix_event_start ON event (start);
CREATE INDEX ix_event_local_date ON event (local_date);
CREATE INDEX ix_event_state_finishes_at ON event (state, finishes_at);
CREATE INDEX ix_event_revision ON event (revision);
CREATE TABLE alert (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    rule VARCHAR,
    label VARCHAR NOT NULL DEFAULT '',
    offset_minutes INTEGER,
    at DATETIME,
    duration_minutes INTEGER NOT NULL,
    pattern VARCHAR NOT NULL,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    snoozed_until DATETIME,
    silenced BOOLEAN NOT NULL DEFAULT 0,
    custom BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX ix_alert_event_id ON alert (event_id);
CREATE INDEX ix_alert_ends_at ON alert (ends_at);
CREATE TABLE tombstone (event_id INTEGER NOT NULL PRIMARY KEY, revision INTEGER NOT NULL);
CREATE INDEX ix_tombstone_revision ON tombstone (revision);
CREATE TABLE applied_command (
    command_id VARCHAR NOT NULL PRIMARY KEY,
    op VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    result VARCHAR NOT NULL,
    applied_at DATETIME NOT NULL
);
"""

V2 = """
ALTER TABLE alert ADD COLUMN lit_from DATETIME;
CREATE INDEX ix_alert_lit_from ON alert (lit_from);
UPDATE alert SET lit_from = CASE
    WHEN silenced THEN NULL
    WHEN (SELECT state FROM event WHERE event.id = alert.event_id) = 'cancelled' THEN NULL
    WHEN snoozed_until IS NULL OR snoozed_until <= starts_at THEN starts_at
    WHEN snoozed_until >= ends_at THEN NULL
    ELSE snoozed_until
END;
"""

V3 = """
ALTER TABLE event ADD COLUMN disputed BOOLEAN NOT NULL DEFAULT 0;
CREATE TABLE source_view (
    event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    source VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    away VARCHAR NOT NULL DEFAULT '',
    venue VARCHAR NOT NULL DEFAULT '',
    start DATETIME,
    local_date DATE,
    seen_at DATETIME NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE INDEX ix_source_view_event_id ON source_view (event_id);
CREATE TABLE override (
    event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    field VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    set_by VARCHAR NOT NULL,
    set_at DATETIME NOT NULL,
    PRIMARY KEY (event_id, field)
);
INSERT INTO source_view (event_id, source, key, title, away, venue, start, local_date, seen_at)
    SELECT id, source, key, title, away, venue, start, local_date, created_at
    FROM event WHERE kind = 'game' AND source != '' AND state != 'cancelled'
"""

V4 = """
CREATE TABLE unsent_activity (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    command_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    count INTEGER NOT NULL,
    at DATETIME NOT NULL
);
"""

V5 = """
ALTER TABLE event ADD COLUMN previous_start DATETIME;
ALTER TABLE event ADD COLUMN previous_date DATE;
"""

MIGRATIONS: Sequence[str] = (V1, V2, V3, V4, V5)
"""``MIGRATIONS[n - 1]`` takes the schema from version ``n - 1`` to ``n``."""

LATEST = len(MIGRATIONS)


def current_version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the database up to ``target``; returns the version it is at.

    ``connection`` must be in autocommit mode (``isolation_level=None``) so each migration
    runs in the explicit transaction opened here.
    """
    version = current_version(connection)
    if version > LATEST:
        raise StorageError(
            f"database schema version {version} is newer than this software knows ({LATEST}); "
            "refusing to touch it"
        )
    if version == 0:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)"
        )
    while version < target:
        script = MIGRATIONS[version]
        version += 1
        statements = [s.strip() for s in script.split(";") if s.strip()]
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (version, SystemClock().now().replace(tzinfo=None).isoformat(sep=" ")),
            )
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            connection.execute("ROLLBACK")
            raise StorageError(f"migration to schema version {version} failed: {exc}") from exc
    return version
