"""The pydantic model of every message that crosses a process boundary.

Rules that hold for every model here:

- JSON on the wire; unknown fields are refused (``extra="forbid"``) so a typo is an error,
  not a silently ignored field.
- Instants are ISO-8601 with an offset on the wire and UTC in memory (:data:`UtcDatetime`);
  a naive time is refused. Local dates (a game whose kick-off time is not yet known) are
  plain dates, meaning a date in the venue's zone (:data:`VenueDate`).
- Instants and dates lie in the years 2000–2100 (:data:`FIRST_YEAR`, :data:`LAST_YEAR`).
  Nothing real happens outside them, and Python's datetime overflows near its own ends
  (``9999-12-31T23:59:00-01:00`` cannot become UTC), so the range is checked here, in the
  models, and the API refuses with 422 what the device could not apply.
- Strings are bounded, so a huge message is refused at the boundary.

:data:`TOPIC_MODELS` maps each topic in :mod:`ghela.core.topics` to its model.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeGuard

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from ghela.core import topics
from ghela.core.firstbuild import BuiltOnFirstUse, adapter_on_first_use
from ghela.core.rules import (
    END_AFTER_START,
    NOTHING_TO_UPDATE_ALERT,
    NOTHING_TO_UPDATE_EVENT,
    ONE_TIME_NEEDED,
    ONE_TIME_NOT_BOTH,
    lit_pattern,
    refusal,
)

FIRST_YEAR = 2000
LAST_YEAR = 2100
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_AFTER_LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
_OUT_OF_RANGE = f"must lie in the years {FIRST_YEAR}-{LAST_YEAR}"


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; ValueError outside 2000–2100 (never an OverflowError)."""
    # The local year first: astimezone itself overflows within a day of year 1 or 9999.
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(_OUT_OF_RANGE)
    utc = moment.astimezone(UTC)
    if not _EARLIEST <= utc < _AFTER_LATEST:
        raise ValueError(_OUT_OF_RANGE)
    return utc


def in_range(day: date) -> date:
    """``day`` itself; ValueError outside 2000–2100."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(_OUT_OF_RANGE)
    return day


UtcDatetime = Annotated[
    AwareDatetime,
    AfterValidator(to_utc),
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str, when_used="json"),
]
"""An aware instant in 2000–2100, normalised to UTC, written as ISO-8601 with offset."""

VenueDate = Annotated[date, AfterValidator(in_range)]
"""A date in the venue's zone (a game whose kick-off time is not yet known), in 2000–2100."""

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]
Id = Annotated[int, Field(ge=1, le=2**53)]
CommandId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Minutes = Annotated[int, Field(ge=1, le=7 * 24 * 60)]
OffsetMinutes = Annotated[int, Field(ge=-14 * 24 * 60, le=24 * 60)]
"""Minutes relative to an event's start; negative is before (-180 is three hours before)."""


_COMMAND_ID = adapter_on_first_use(CommandId)


def is_command_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` is usable as a command id (to answer a sender by it)."""
    try:
        _COMMAND_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def new_id() -> str:
    """A fresh random id for a command or request."""
    return uuid.uuid4().hex


class Message(BuiltOnFirstUse, BaseModel):
    """Base of every message: strict about unknown fields, immutable once made.

    Each model's validator is built when the model is first used, not when this module is
    imported nor when a component starts (:class:`~ghela.core.firstbuild.BuiltOnFirstUse`):
    every process loads this module and uses a few of its models. (``BaseModel`` is named
    beside it for tools that read only direct bases, such as ruff's RUF012.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- Scraper


class Fixture(Message):
    """One home game as a source lists it.

    ``key`` is stable across reschedules (competition + home + away + season, or the
    source's own id). Exactly one of ``kickoff`` (time known) or ``date`` (time not yet
    known; a date in the venue's zone) is set.
    """

    key: ShortText
    home: ShortText
    away: ShortText
    competition: ShortText
    season: Annotated[str, Field(max_length=20)] = ""
    kickoff: UtcDatetime | None = None
    date: VenueDate | None = None
    venue: Annotated[str, Field(max_length=200)] = ""
    source_url: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _one_of_kickoff_or_date(self) -> Fixture:
        if (self.kickoff is None) == (self.date is None):
            raise ValueError("exactly one of kickoff (time known) or date (time unknown) is required")
        return self


class ScrapeRequest(Message):
    """Ask the Scraper to scrape now (all configured sources, or one by name)."""

    request_id: CommandId = Field(default_factory=new_id)
    source: Annotated[str, Field(max_length=200)] | None = None


class ScrapeResult(Message):
    """One scrape of one source.

    Only a result that is both ``complete`` and ``healthy`` may cancel stored games that it
    no longer lists; anything else may add and update but never cancel.
    """

    scrape_id: CommandId = Field(default_factory=new_id)
    source: ShortText
    scraped_at: UtcDatetime
    fixtures: Annotated[list[Fixture], Field(max_length=2000)]
    healthy: bool
    complete: bool
    reasons: Annotated[list[LongText], Field(max_length=100)] = []
    http_status: int | None = None
    rows_found: Annotated[int, Field(ge=0)] = 0
    rows_parsed: Annotated[int, Field(ge=0)] = 0
    window_start: VenueDate | None = None
    window_end: VenueDate | None = None
    """The dates the source covers; a complete scrape cancels only games inside it."""


# --------------------------------------------------------------------------- Light


class ScrapeVerdict(Message):
    """A source's last scrape as the device's status item reports it (the admin's health card)."""

    source: ShortText
    scraped_at: UtcDatetime
    healthy: bool
    complete: bool
    fixtures: Annotated[int, Field(ge=0)]
    reasons: Annotated[list[LongText], Field(max_length=3)] = []

    @classmethod
    def of(cls, result: ScrapeResult) -> ScrapeVerdict:
        return cls(
            source=result.source,
            scraped_at=result.scraped_at,
            healthy=result.healthy,
            complete=result.complete,
            fixtures=len(result.fixtures),
            reasons=result.reasons[:3],
        )


# --------------------------------------------------------------------------- Every component


class ComponentState(StrEnum):
    """The Greengrass lifecycle states a component can say of itself (the nucleus's names)."""

    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    ERRORED = "ERRORED"


MAX_STARTS = 10**9


class ComponentHealth(Message):
    """A component's own account of itself (:mod:`ghela.core.selfreport`), for the health card."""

    component: ShortText
    state: ComponentState
    starts: Annotated[int, Field(ge=1, le=MAX_STARTS)]
    """How often its process has started in this work folder (restarts = starts - 1)."""
    started_at: UtcDatetime
    """When this process started."""
    at: UtcDatetime
    """When it said so."""


class HealthRequest(Message):
    """Ask every component for its ComponentHealth now (CloudSync does at start)."""

    request_id: CommandId = Field(default_factory=new_id)


class LightPattern(StrEnum):
    OFF = "off"
    STEADY = "steady"
    BLINK = "blink"


LitPattern = Annotated[
    LightPattern,
    AfterValidator(lit_pattern),
    WithJsonSchema({"type": "string", "enum": [LightPattern.STEADY.value, LightPattern.BLINK.value]}),
]
"""The pattern of an alert: steady or blink (:data:`ghela.core.rules.STEADY_OR_BLINK`)."""


class LightCommand(Message):
    """What the light should do from now until ``until`` (then off unless told again)."""

    command_id: CommandId = Field(default_factory=new_id)
    pattern: LightPattern
    on_ms: Annotated[int, Field(ge=50, le=60_000)] = 500
    off_ms: Annotated[int, Field(ge=50, le=60_000)] = 500
    until: UtcDatetime | None = None
    alert_ids: Annotated[list[Id], Field(max_length=1000)] = []
    next_alert_at: UtcDatetime | None = None
    """When the next alert after the current ones starts (for the button's hold signal)."""
    issued_at: UtcDatetime


class LightCommandRequest(Message):
    """A starting AlertLight asks the Scheduler for the light command that holds now.

    The light starts dark (fail-safe); without this it would stay dark until the next
    change or refresh, up to ``refreshMinutes`` of an active alert.
    """

    request_id: CommandId = Field(default_factory=new_id)


class LightStateRequest(Message):
    request_id: CommandId = Field(default_factory=new_id)


class LightState(Message):
    """What the relay actually does, reported on change and on request."""

    on: bool
    pattern: LightPattern
    since: UtcDatetime
    until: UtcDatetime | None = None
    reason: Annotated[str, Field(max_length=200)] = ""
    command_id: CommandId | None = None


# --------------------------------------------------------------------------- Scheduler commands


class _Command(Message):
    """Base of every command the Scheduler applies."""


class ApplyScrape(_Command):
    op: Literal["apply_scrape"] = "apply_scrape"
    result: ScrapeResult


class AlertSpec(Message):
    """An alert relative to its event's start (or at a fixed instant)."""

    offset_minutes: OffsetMinutes | None = None
    at: UtcDatetime | None = None
    duration_minutes: Minutes = 30
    pattern: LightPattern = LightPattern.STEADY
    label: Annotated[str, Field(max_length=100)] = ""

    @model_validator(mode="after")
    def _one_time_and_lit(self) -> AlertSpec:
        if self.offset_minutes is not None and self.at is not None:
            raise refusal(ONE_TIME_NOT_BOTH)
        if self.offset_minutes is None and self.at is None:
            raise refusal(ONE_TIME_NEEDED)
        lit_pattern(self.pattern)
        return self


class CreateEvent(_Command):
    """A custom event (concert, party); it gets the standard alert plan unless ``alerts``."""

    op: Literal["create_event"] = "create_event"
    title: ShortText
    start: UtcDatetime
    end: UtcDatetime | None = None
    alerts: Annotated[list[AlertSpec], Field(max_length=20)] | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> CreateEvent:
        if self.end is not None and self.end <= self.start:
            raise refusal(END_AFTER_START)
        return self


Person = Annotated[str, Field(min_length=1, max_length=200)]
"""Who asked for a change (the signed-in user's name, or the local user at the CLI)."""


class EventChanges(Message):
    """What a change of an event sets: at least one of these (the API's body reuses it)."""

    title: ShortText | None = None
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    venue: ShortText | None = None

    @model_validator(mode="after")
    def _something_to_update(self) -> EventChanges:
        if all(value is None for value in (self.title, self.start, self.end, self.venue)):
            raise refusal(NOTHING_TO_UPDATE_EVENT)
        return self


class UpdateEvent(EventChanges, _Command):
    """Change a custom event, or correct a game by hand; alerts are re-planned.

    On a game each change is an override that later scrapes do not undo (see
    :class:`FollowSource`); ``by`` says whose it is.
    """

    op: Literal["update_event"] = "update_event"
    event_id: Id
    by: Person | None = None


class CancelEvent(_Command):
    """Cancel an event; on a game an override that later scrapes do not undo."""

    op: Literal["cancel_event"] = "cancel_event"
    event_id: Id
    by: Person | None = None


class OverrideField(StrEnum):
    """What of a game a person can set against its sources."""

    CANCELLED = "cancelled"
    START = "start"
    TITLE = "title"
    VENUE = "venue"


class FollowSource(_Command):
    """End a person's overrides of a game (``field``, or all): it follows its sources again."""

    op: Literal["follow_source"] = "follow_source"
    event_id: Id
    field: OverrideField | None = None
    by: Person | None = None


class DeleteEvent(_Command):
    """Delete a custom event (games are cancelled, never deleted)."""

    op: Literal["delete_event"] = "delete_event"
    event_id: Id


class AddAlert(_Command):
    op: Literal["add_alert"] = "add_alert"
    event_id: Id
    alert: AlertSpec


class AlertChanges(Message):
    """What a change of an alert sets: at least one, and a new offset or a new time, not both.

    The API's body for changing an alert is this model under camelCase aliases.
    """

    offset_minutes: OffsetMinutes | None = None
    at: UtcDatetime | None = None
    duration_minutes: Minutes | None = None
    pattern: LitPattern | None = None

    @model_validator(mode="after")
    def _one_time_and_something_to_update(self) -> AlertChanges:
        if self.offset_minutes is not None and self.at is not None:
            raise refusal(ONE_TIME_NOT_BOTH, "at", self.at)
        changes = (self.offset_minutes, self.at, self.duration_minutes, self.pattern)
        if all(value is None for value in changes):
            raise refusal(NOTHING_TO_UPDATE_ALERT)
        return self


class UpdateAlert(AlertChanges, _Command):
    op: Literal["update_alert"] = "update_alert"
    alert_id: Id


class SnoozeAlert(_Command):
    """Snooze for ``minutes``, or (no minutes) silence this alert entirely."""

    op: Literal["snooze_alert"] = "snooze_alert"
    alert_id: Id
    minutes: Minutes | None = None


class UnsnoozeAlert(_Command):
    op: Literal["unsnooze_alert"] = "unsnooze_alert"
    alert_id: Id


class SnoozeActive(_Command):
    """Snooze whatever alert is active now (the physical button)."""

    op: Literal["snooze_active"] = "snooze_active"
    minutes: Minutes | None = None


Command = Annotated[
    ApplyScrape
    | CreateEvent
    | UpdateEvent
    | CancelEvent
    | FollowSource
    | DeleteEvent
    | AddAlert
    | UpdateAlert
    | SnoozeAlert
    | UnsnoozeAlert
    | SnoozeActive,
    Field(discriminator="op"),
]


class CommandRequest(Message):
    """Apply ``command`` once: a second request with the same ``command_id`` changes nothing."""

    command_id: CommandId
    origin: Annotated[str, Field(max_length=100)] = "local"
    command: Command


class CommandStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this command_id was applied before; nothing changed now
    REJECTED = "rejected"  # invalid: bad field, unknown id, rule broken
    FAILED = "failed"  # valid but could not be applied (storage fault)


class CommandResult(Message):
    command_id: CommandId
    status: CommandStatus
    message: LongText = ""
    field: Annotated[str, Field(max_length=100)] | None = None
    revision: Annotated[int, Field(ge=0)] = 0
    data: dict[str, Any] = {}
    """What the command made, e.g. ``{"event_id": 12, "alert_ids": [40, 41]}``."""

    @property
    def ok(self) -> bool:
        return self.status in (CommandStatus.APPLIED, CommandStatus.DUPLICATE)


# --------------------------------------------------------------------------- Scheduler state


class EventKind(StrEnum):
    GAME = "game"
    CUSTOM = "custom"


class EventState(StrEnum):
    SCHEDULED = "scheduled"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    FINISHED = "finished"


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


SenderId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Seq = Annotated[int, Field(ge=1, le=2**53)]


class Sequenced(Message):
    """Fields a counted message carries when its publisher keeps an outbox of them.

    ``sender`` names the publisher's outbox, ``seq`` numbers its messages 1, 2, 3 … and
    ``acked`` is the highest number Metrics has confirmed so far. Metrics counts a message
    only when ``seq`` is the next one it expects (see :mod:`ghela.core.countedbus`), so a
    message delivered twice is counted once and one delivered after a gap waits for the
    gap to be resent. Without them (unit tests' buses) a message is simply counted.
    """

    sender: SenderId | None = None
    seq: Seq | None = None
    acked: Annotated[int, Field(ge=0, le=2**53)] = 0
    key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """The publisher's own name for this count, when it may publish it twice (the
    Scheduler after a kill): the outbox takes one message per key."""


class ActivityKind(StrEnum):
    EVENT_ADDED = "event_added"
    EVENT_UPDATED = "event_updated"
    EVENT_CANCELLED = "event_cancelled"
    ALERT_STARTED = "alert_started"
    ALERT_STOPPED = "alert_stopped"
    ALERT_SNOOZED = "alert_snoozed"
    SCRAPE_OK = "scrape_ok"
    SCRAPE_FAILED = "scrape_failed"
    SOURCE_DISAGREEMENT = "source_disagreement"
    """A game's sources began to disagree on when it is (one per game, when it starts)."""
    INVALID_MESSAGE = "invalid_message"


class Activity(Sequenced):
    """Something countable happened (Metrics counts these)."""

    kind: ActivityKind
    at: UtcDatetime
    component: Annotated[str, Field(max_length=100)]
    count: Annotated[int, Field(ge=1, le=100_000)] = 1
    detail: LongText = ""


# --------------------------------------------------------------------------- CloudSync


class JobStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"


class JobOutcome(Sequenced):
    job_id: CommandId
    operation: Annotated[str, Field(max_length=100)]
    status: JobStatus
    reason: LongText = ""
    at: UtcDatetime


# --------------------------------------------------------------------------- Metrics


class Counted(Message):
    """Metrics has stored every message of ``sender`` up to ``seq`` (on disk, counted once).

    ``sender`` None is sent when Metrics starts: "send me again whatever I have not
    confirmed" (what was published while it was down).
    """

    sender: SenderId | None = None
    seq: Annotated[int, Field(ge=0, le=2**53)] = 0


TOPIC_MODELS: dict[str, type[Message]] = {
    topics.SCRAPE_REQUEST: ScrapeRequest,
    topics.SCRAPE_RESULT: ScrapeResult,
    topics.COMMAND: CommandRequest,
    topics.COMMAND_RESULT: CommandResult,
    topics.STATE_CHANGED: RevisionChanged,
    topics.CHANGES_REQUEST: ChangesRequest,
    topics.CHANGES: ChangesResponse,
    topics.ACTIVITY: Activity,
    topics.LIGHT_SET: LightCommand,
    topics.LIGHT_STATE: LightState,
    topics.LIGHT_STATE_REQUEST: LightStateRequest,
    topics.LIGHT_SET_REQUEST: LightCommandRequest,
    topics.JOB_OUTCOME: JobOutcome,
    topics.COMPONENT_HEALTH: ComponentHealth,
    topics.HEALTH_REQUEST: HealthRequest,
    topics.COUNTED: Counted,
}

