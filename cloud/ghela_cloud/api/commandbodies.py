"""Bodies of the routes that change events and alerts (each queued as an IoT job), and their answer.

Request bodies are the core's models (:mod:`ghela.core.messages.commands`) under camelCase
aliases, or built from them, so the API refuses exactly what the device would refuse, with
the same reason (:mod:`ghela.core.rules`); each is turned into a core command, whose job
document comes from :func:`ghela.core.jobdocs.job_document`.

Without ``from __future__ import annotations``: :mod:`ghela_cloud.api.models` says why.
"""

from typing import Annotated, Literal, Self

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from ghela.core.messages.changes import AlertChanges, AlertSpec, EventChanges
from ghela.core.wiretypes import Minutes, ShortText, UtcDatetime
from pydantic import ConfigDict, Field, model_validator

from ghela_cloud.api.models import CAMEL, ApiModel


class AlertBody(AlertSpec):
    """An alert relative to the event's start (``offsetMinutes``, -180 = 3 h before) or at ``at``."""

    model_config = CAMEL | ConfigDict(frozen=True)


class CreateEventBody(ApiModel):
    """A custom event; without ``alerts`` it gets the standard alert plan."""

    title: ShortText
    start: UtcDatetime
    end: UtcDatetime | None = None
    alerts: Annotated[list[AlertBody], Field(max_length=20)] | None = None


class UpdateEventBody(ApiModel):
    """Change an event (``cancelled: true`` cancels it; nothing else may be sent with it).

    On a game a change is an override that later scrapes keep; ``followSource`` (``true``
    for all of them, or one field) ends them, so the game follows its sources again.
    """

    title: ShortText | None = None
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    venue: ShortText | None = None
    cancelled: Literal[True] | None = None
    follow_source: Literal[True, "cancelled", "start", "title", "venue"] | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> Self:
        changes = [v for v in (self.title, self.start, self.end, self.venue) if v is not None]
        if self.cancelled and changes:
            raise ValueError("cancelled cannot be combined with other changes")
        if self.follow_source is not None and (changes or self.cancelled):
            raise ValueError("followSource cannot be combined with other changes")
        if not self.cancelled and self.follow_source is None:
            self.changes()  # the device's rule: something to update
        return self

    def changes(self) -> EventChanges:
        """The change of the event this body asks for (neither a cancel nor followSource)."""
        return EventChanges(title=self.title, start=self.start, end=self.end, venue=self.venue)


class UpdateAlertBody(AlertChanges):
    """A new offset (``offsetMinutes``) or time (``at``), duration or pattern; at least one."""

    model_config = CAMEL | ConfigDict(frozen=True)


class SnoozeBody(ApiModel):
    """Snooze for ``minutes``; without minutes the alert is silenced entirely."""

    minutes: Minutes | None = None


class Accepted(ApiModel):
    """A change was queued as an IoT job; follow it on ``GET /jobs``."""

    job_id: str
    device: str
    operation: str
    status: Literal["QUEUED"] = "QUEUED"


ACCEPTED: dict[int, OpenAPIResponse] = {
    202: {"description": "Queued as an IoT job", "content": {"application/json": {"model": Accepted}}}
}
