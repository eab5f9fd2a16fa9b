"""The Scheduler's events as others see them (CloudSync, the cloud's read copy), and the changes feed.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ghela.core.messages import Message
from ghela.core.wiretypes import CommandId, Id, LightPattern, UtcDatetime, VenueDate, new_id


class EventKind(StrEnum):
    GAME = "game"
    CUSTOM = "custom"


class EventState(StrEnum):
    SCHEDULED = "scheduled"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class OverrideField(StrEnum):
    """What of a game a person can set against its sources."""

    CANCELLED = "cancelled"
    START = "start"
    TITLE = "title"
    VENUE = "venue"


class AlertSnapshot(Message):
    alert_id: Id
    label: str = ""
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    pattern: LightPattern
    offset_minutes: int | None = None
    snoozed_until: UtcDatetime | None = None
    silenced: bool = False
    """Snoozed entirely: this alert will not light."""
    custom: bool = False
    """Added or changed by a person, so re-planning keeps it."""


class SourceSays(Message):
    """What one source lists for a game (its latest scrape that listed it)."""

    source: str
    title: str
    start: UtcDatetime | None = None
    date: VenueDate | None = None
    venue: str = ""


class OverrideSnapshot(Message):
    """A person's correction of a game: "source says ``source_value``, set to ``value`` by ``by``"."""

    field: OverrideField
    value: str
    source_value: str
    by: str
    at: UtcDatetime


class EventSnapshot(Message):
    """An event with its alerts, as the cloud's read copy stores it.

    For a game, ``sources`` is what each source lists, ``disputed`` says they disagree on
    when it is (it is planned from the earliest), and ``overrides`` the corrections people
    made that scrapes do not undo.
    """

    event_id: Id
    kind: EventKind
    key: str
    title: str
    home: str = ""
    away: str = ""
    competition: str = ""
    venue: str = ""
    start: UtcDatetime | None = None
    date: VenueDate | None = None
    """Set when the kick-off time is not yet known (a date in the venue's zone)."""
    end: UtcDatetime | None = None
    state: EventState
    revision: int
    alerts: list[AlertSnapshot] = []
    disputed: bool = False
    sources: list[SourceSays] = []
    overrides: list[OverrideSnapshot] = []
    previous_start: UtcDatetime | None = None
    """When a moved event was before its last move (``date`` alone: ``previous_date``)."""
    previous_date: VenueDate | None = None


class RevisionChanged(Message):
    revision: Annotated[int, Field(ge=0)]
    at: UtcDatetime


class ChangesRequest(Message):
    request_id: CommandId = Field(default_factory=new_id)
    since_revision: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class ChangesResponse(Message):
    """Events changed after ``since_revision`` up to ``revision``, oldest change first.

    ``more`` says another request (from ``revision``) is needed to catch up.
    """

    request_id: CommandId
    since_revision: int
    revision: int
    events: list[EventSnapshot] = []
    deleted: list[Id] = []
    more: bool = False
