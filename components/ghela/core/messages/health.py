"""What the admin's health card shows: each component's report of itself, each source's last scrape.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field

from ghela.core.messages import Message
from ghela.core.wiretypes import CommandId, LongText, ShortText, UtcDatetime, new_id

if TYPE_CHECKING:
    from ghela.core.messages.scrape import ScrapeResult


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


class ScrapeVerdict(Message):
    """A source's last scrape as the device's status item reports it (the admin's health card)."""

    source: ShortText
    scraped_at: UtcDatetime
    healthy: bool
    complete: bool
    fixtures: Annotated[int, Field(ge=0)]
    reasons: Annotated[list[LongText], Field(max_length=3)] = []

    @classmethod
    def of(cls, result: "ScrapeResult") -> Self:
        return cls(
            source=result.source,
            scraped_at=result.scraped_at,
            healthy=result.healthy,
            complete=result.complete,
            fixtures=len(result.fixtures),
            reasons=result.reasons[:3],
        )
