"""What a new alert is, and what a change of an event or an alert sets: the parts of the
Scheduler's commands (:mod:`ghela.core.messages.commands`) that the API's request bodies are
made of, so a function reads them without creating every command.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from typing import Annotated, Self

from pydantic import Field, model_validator

from ghela.core.messages import Message
from ghela.core.rules import (
    NOTHING_TO_UPDATE_ALERT,
    NOTHING_TO_UPDATE_EVENT,
    ONE_TIME_NEEDED,
    ONE_TIME_NOT_BOTH,
    lit_pattern,
    refusal,
)
from ghela.core.wiretypes import LightPattern, LitPattern, Minutes, OffsetMinutes, ShortText, UtcDatetime


class AlertSpec(Message):
    """An alert relative to its event's start (or at a fixed instant)."""

    offset_minutes: OffsetMinutes | None = None
    at: UtcDatetime | None = None
    duration_minutes: Minutes = 30
    pattern: LightPattern = LightPattern.STEADY
    label: Annotated[str, Field(max_length=100)] = ""

    @model_validator(mode="after")
    def _one_time_and_lit(self) -> Self:
        if self.offset_minutes is not None and self.at is not None:
            raise refusal(ONE_TIME_NOT_BOTH)
        if self.offset_minutes is None and self.at is None:
            raise refusal(ONE_TIME_NEEDED)
        lit_pattern(self.pattern)
        return self


class EventChanges(Message):
    """What a change of an event sets: at least one of these (the API's body reuses it)."""

    title: ShortText | None = None
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    venue: ShortText | None = None

    @model_validator(mode="after")
    def _something_to_update(self) -> Self:
        if all(value is None for value in (self.title, self.start, self.end, self.venue)):
            raise refusal(NOTHING_TO_UPDATE_EVENT)
        return self


class AlertChanges(Message):
    """What a change of an alert sets: at least one, and a new offset or a new time, not both.

    The API's body for changing an alert is this model under camelCase aliases.
    """

    offset_minutes: OffsetMinutes | None = None
    at: UtcDatetime | None = None
    duration_minutes: Minutes | None = None
    pattern: LitPattern | None = None

    @model_validator(mode="after")
    def _one_time_and_something_to_update(self) -> Self:
        if self.offset_minutes is not None and self.at is not None:
            raise refusal(ONE_TIME_NOT_BOTH, "at", self.at)
        changes = (self.offset_minutes, self.at, self.duration_minutes, self.pattern)
        if all(value is None for value in changes):
            raise refusal(NOTHING_TO_UPDATE_ALERT)
        return self
