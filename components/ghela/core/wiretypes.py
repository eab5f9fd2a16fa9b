"""The field types that messages and the API's bodies share, and the one way to make an id.

Kept apart from :mod:`ghela.core.messages` so that what needs only a field type (an instant
in UTC, a bounded text, a fresh id) does not create the 40 message classes: the API's Lambda
handlers that read no device message (``bench/api.py``: their cold import).

- Instants are ISO-8601 with an offset on the wire and UTC in memory (:data:`UtcDatetime`);
  a naive time is refused. Local dates (a game whose kick-off time is not yet known) are
  plain dates, meaning a date in the venue's zone (:data:`VenueDate`).
- Instants and dates lie in the years 2000–2100 (:data:`FIRST_YEAR`, :data:`LAST_YEAR`).
  Nothing real happens outside them, and Python's datetime overflows near its own ends
  (``9999-12-31T23:59:00-01:00`` cannot become UTC), so the range is checked by the types,
  and the API refuses with 422 what the device could not apply.
- Strings and numbers are bounded, so a huge message is refused at the boundary.
- A light's pattern is off, steady or blink; an alert's is steady or blink (:data:`LitPattern`).
"""

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, WithJsonSchema

from ghela.core.rules import lit_pattern

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


def new_id() -> str:
    """A fresh random id for a command or request."""
    return uuid.uuid4().hex
