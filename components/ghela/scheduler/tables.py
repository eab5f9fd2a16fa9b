"""The Scheduler's SQLite tables (sqlmodel), at the latest schema version.

Instants are stored as UTC (:class:`UtcDateTime` refuses naive values on the way in and
returns aware UTC values on the way out). Every row the cloud must see carries the global
``revision`` at which it last changed; deleted events leave a :class:`Tombstone`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC text."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused by the database layer")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class _Row(SQLModel):
    """Base of the tables: a row's pydantic validator is built only if it is ever used.

    sqlmodel builds no row through it (a table model's ``__init__`` validates nothing), so
    building one for every table at import (``defer_build`` off) cost every process that
    opens the database, the CLI included, about 25 ms here for nothing (``bench/cli.py``).
    """

    model_config = SQLModel.model_config.copy()  # sqlmodel's own config type, not pydantic's
    model_config["defer_build"] = True


def _utc(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), index=index, nullable=nullable))


class Meta(_Row, table=True):
    """Key/value facts about the database: the global revision, the plan last used."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class SchemaVersion(_Row, table=True):
    __tablename__ = "schema_version"
    version: int = Field(primary_key=True)
    applied_at: datetime = _utc(nullable=False)


class EventRow(_Row, table=True):
    """A game (``kind`` game, ``key`` from the fixture) or a custom event."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_state_finishes_at", "state", "finishes_at"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    key: str = Field(unique=True)
    title: str
    home: str = ""
    away: str = ""
    competition: str = ""
    season: str = ""
    venue: str = ""
    source: str = Field(default="", index=True)
    source_url: str = ""
    start: datetime | None = _utc(index=True)
    local_date: date | None = Field(default=None, index=True)
    """The venue-zone date: of ``start`` when known, else the only thing known."""
    end: datetime | None = _utc()
    finishes_at: datetime | None = _utc()
    """When the event counts as finished (end, start + eventMinutes, or the date's end)."""
    state: str
    uses_plan: bool = True
    """Whether the standard plan applies (False: a custom event created with its own alerts)."""
    revision: int = Field(index=True)
    created_at: datetime = _utc(nullable=False)
    disputed: bool = False
    """A game whose sources disagree on when it is (planned from the earliest)."""
    previous_start: datetime | None = _utc()
    """When it was before it last moved (None: never moved, or it had only a date)."""
    previous_date: date | None = None
    """The venue date it had before it last moved, when its time was not yet known."""


class SourceView(_Row, table=True):
    """What one source last listed for a game: the source's view under any override."""

    __tablename__ = "source_view"
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    source: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    """The fixture's key in that source (sources key one game differently)."""
    title: str
    away: str = ""
    venue: str = ""
    start: datetime | None = _utc()
    local_date: date | None = None
    seen_at: datetime = _utc(nullable=False)


class Override(_Row, table=True):
    """A person's correction of one field of a game, which scrapes do not undo."""

    __tablename__ = "override"
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    field: str = Field(primary_key=True)
    value: str
    """``start``: an ISO instant; ``cancelled``: ``"true"``; ``title`` / ``venue``: the text."""
    set_by: str
    set_at: datetime = _utc(nullable=False)


class AlertRow(_Row, table=True):
    """One alert of an event: ``[starts_at, ends_at)``, lit from ``lit_from``.

    ``lit_from`` is derived and indexed: ``max(starts_at, snoozed_until)``, or NULL when the
    alert can never light (silenced, snoozed past its end, or its event cancelled). The
    light decision and the next change are range queries on it and on ``ends_at``.
    """

    __tablename__ = "alert"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    rule: str | None = None
    """The plan rule that made it (its label, or the TBD rule's); NULL if a person added it."""
    label: str = ""
    offset_minutes: int | None = None
    at: datetime | None = _utc()
    duration_minutes: int
    pattern: str
    starts_at: datetime = _utc(nullable=False)
    ends_at: datetime = _utc(index=True, nullable=False)
    snoozed_until: datetime | None = _utc()
    silenced: bool = False
    custom: bool = False
    lit_from: datetime | None = _utc(index=True)


class Tombstone(_Row, table=True):
    """A deleted event, so "changes since revision N" can tell the cloud to drop it."""

    __tablename__ = "tombstone"
    event_id: int = Field(primary_key=True)
    revision: int = Field(index=True)


class AppliedCommand(_Row, table=True):
    """A command id seen before, with the result it got (for idempotency)."""

    __tablename__ = "applied_command"
    command_id: str = Field(primary_key=True)
    op: str
    origin: str
    status: str
    result: str
    """The :class:`~ghela.core.messages.commands.CommandResult` as JSON."""
    applied_at: datetime = _utc(nullable=False)


class UnsentActivity(_Row, table=True):
    """What a command counted, until it is in the count outbox (one transaction with the
    command, so a kill right after the commit loses no count)."""

    __tablename__ = "unsent_activity"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    command_id: str
    kind: str
    count: int
    at: datetime = _utc(nullable=False)
