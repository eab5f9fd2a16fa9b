"""What the light is told to do (by the Scheduler) and what it reports it does.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from typing import Annotated

from pydantic import Field

from ghela.core.messages import Message
from ghela.core.wiretypes import CommandId, Id, LightPattern, UtcDatetime, new_id


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
