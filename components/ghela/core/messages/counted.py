"""What Metrics counts (activities, job outcomes), numbered per sender, and its acknowledgement.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ghela.core.messages import Message
from ghela.core.wiretypes import CommandId, LongText, UtcDatetime

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


class Counted(Message):
    """Metrics has stored every message of ``sender`` up to ``seq`` (on disk, counted once).

    ``sender`` None is sent when Metrics starts: "send me again whatever I have not
    confirmed" (what was published while it was down).
    """

    sender: SenderId | None = None
    seq: Annotated[int, Field(ge=0, le=2**53)] = 0
