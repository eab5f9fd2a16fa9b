"""The commands the Scheduler applies (from the CLI, the cloud's jobs, the button), and their results.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from ghela.core.messages import Message
from ghela.core.messages.changes import AlertChanges, AlertSpec, EventChanges
from ghela.core.messages.scrape import ScrapeResult
from ghela.core.messages.snapshots import OverrideField
from ghela.core.rules import END_AFTER_START, refusal
from ghela.core.wiretypes import CommandId, Id, LongText, Minutes, ShortText, UtcDatetime


class _Command(Message):
    """Base of every command the Scheduler applies."""


class ApplyScrape(_Command):
    op: Literal["apply_scrape"] = "apply_scrape"
    result: ScrapeResult


class CreateEvent(_Command):
    """A custom event (concert, party); it gets the standard alert plan unless ``alerts``."""

    op: Literal["create_event"] = "create_event"
    title: ShortText
    start: UtcDatetime
    end: UtcDatetime | None = None
    alerts: Annotated[list[AlertSpec], Field(max_length=20)] | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end is not None and self.end <= self.start:
            raise refusal(END_AFTER_START)
        return self


Person = Annotated[str, Field(min_length=1, max_length=200)]
"""Who asked for a change (the signed-in user's name, or the local user at the CLI)."""


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
