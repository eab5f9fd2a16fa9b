"""The rules of a person's commands, each in one place, with the words every refusal uses.

The core command models (:mod:`ghela.core.messages`) apply them; the cloud API's request
bodies are those models under camelCase aliases, the CLI builds them, and the Scheduler
receives them, so the API (422), the CLI (exit 1) and the Scheduler (``rejected``) refuse
the same input with the same reason. A reason never spells a field the way one side
writes it (``offset_minutes`` on the device, ``offsetMinutes`` in the API): the refusal's
field path names it, in each side's own spelling.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

STEADY_OR_BLINK = "an alert's pattern must be steady or blink"
ONE_TIME_NEEDED = "give an offset from the start or a fixed time (at)"
ONE_TIME_NOT_BOTH = "give an offset from the start or a fixed time (at), not both"
NOTHING_TO_UPDATE_ALERT = "nothing to update: give a new offset, time (at), duration or pattern"
NOTHING_TO_UPDATE_EVENT = "nothing to update: give a new title, start, end or venue"
END_AFTER_START = "end must be after start"

_RULE = "command_rule"
"""The pydantic error type of every refusal here (its message is exactly the reason)."""

P = TypeVar("P", bound=str)


def refusal(reason: str, field: str | None = None, value: Any = None) -> ValidationError:
    """A validation error saying exactly ``reason``, at ``field`` or (None) the model as a whole.

    A model validator raises it: pydantic keeps its location, so the caller's path to the
    field comes out right (``command.update_alert.at`` on the bus, ``at`` in the API).
    """
    error = PydanticCustomError(_RULE, reason)
    detail = InitErrorDetails(type=error, loc=(field,) if field else (), input=value)
    return ValidationError.from_exception_data("command", [detail])


def lit_pattern(pattern: P) -> P:
    """``pattern`` itself when it lights (steady or blink); an alert never has ``off``."""
    if pattern == "off":
        raise PydanticCustomError(_RULE, STEADY_OR_BLINK)
    return pattern
