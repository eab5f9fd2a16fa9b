"""The API's request and response bodies: camelCase JSON, validated with pydantic.

Request bodies are the core's models (:mod:`ghela.core.messages`) under camelCase aliases, or
built from them, so the API refuses exactly what the device would refuse, with the same
reason (:mod:`ghela.core.rules`); each is turned into a core command, whose job document
comes from :func:`ghela.core.jobdocs.job_document`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from ghela.core.messages import (
    AlertChanges,
    AlertSnapshot,
    AlertSpec,
    ComponentHealth,
    EventChanges,
    EventSnapshot,
    Minutes,
    ScrapeVerdict,
    ShortText,
    UtcDatetime,
)
from ghela.core.nextup import NextUp
from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator
from pydantic.alias_generators import to_camel

_CAMEL = ConfigDict(
    alias_generator=to_camel,
    populate_by_name=True,
    serialize_by_alias=True,
    extra="forbid",
    defer_build=True,  # built on first use, as the core's messages: a handler uses a few of them
)


class ApiModel(BaseModel):
    model_config = _CAMEL


# --------------------------------------------------------------------------- requests


class AlertBody(AlertSpec):
    """An alert relative to the event's start (``offsetMinutes``, -180 = 3 h before) or at ``at``."""

    model_config = _CAMEL | ConfigDict(frozen=True)


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
    def _something_to_do(self) -> UpdateEventBody:
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

    model_config = _CAMEL | ConfigDict(frozen=True)


class SnoozeBody(ApiModel):
    """Snooze for ``minutes``; without minutes the alert is silenced entirely."""

    minutes: Minutes | None = None


# --------------------------------------------------------------------------- responses


class Accepted(ApiModel):
    """A change was queued as an IoT job; follow it on ``GET /jobs``."""

    job_id: str
    device: str
    operation: str
    status: Literal["QUEUED"] = "QUEUED"


class AlertView(AlertSnapshot):
    model_config = _CAMEL | ConfigDict(frozen=True)


class EventView(EventSnapshot):
    model_config = _CAMEL | ConfigDict(frozen=True)

    # The snapshot's field again, as camelCase views: pydantic re-declares it (mypy objects
    # because a list is invariant; the model is frozen).
    alerts: list[AlertView] = Field(default_factory=list)  # type: ignore[assignment]
    device: str
    synced_at: UtcDatetime | None = None


class EventList(ApiModel):
    device: str
    events: list[EventView]


class JobState(StrEnum):
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"
    TIMED_OUT = "TIMED_OUT"


PENDING_STATES = frozenset({JobState.QUEUED, JobState.IN_PROGRESS})


class JobView(ApiModel):
    job_id: str
    device: str
    operation: str
    document: dict[str, Any]
    requested_by: str
    status: JobState
    reason: str = ""
    created_at: UtcDatetime
    updated_at: UtcDatetime


class JobList(ApiModel):
    device: str
    pending: list[JobView]
    finished: list[JobView]
    """Finished within the last ``hours``, newest first, with their reasons."""
    hours: int


class NextUpView(NextUp):
    model_config = _CAMEL | ConfigDict(frozen=True)


class LightView(ApiModel):
    on: bool
    pattern: str
    since: UtcDatetime | None = None


class ScrapeVerdictView(ScrapeVerdict):
    model_config = _CAMEL | ConfigDict(frozen=True)


class ComponentHealthView(ComponentHealth):
    """A component's last report of itself (ghela.core.selfreport), restarts worked out."""

    model_config = _CAMEL | ConfigDict(frozen=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def restarts(self) -> int:
        """Process starts after the first in its work folder."""
        return self.starts - 1


class DeviceView(ApiModel):
    device: str
    online: bool
    last_heartbeat: UtcDatetime | None = None
    last_seen: UtcDatetime | None = None
    """When CloudSync last wrote the status item (its beat): the time of the last sync."""
    light: LightView | None = None
    revision: int | None = None
    software_version: str | None = None
    scrapes: list[ScrapeVerdictView] = []
    """Each source's last scrape as the device reported it, by source name."""
    components: list[ComponentHealthView] = []
    """Each component's last report of its state and starts, by component name."""


class DeviceSummary(ApiModel):
    """One device in the list: its status, the venue its games are at, what lights next."""

    status: DeviceView
    venue: str | None = None
    next: NextUpView | None = None


class DeviceList(ApiModel):
    devices: list[DeviceSummary]
    admin: bool
    """Whether the caller is an admin (the page shows admin actions; the routes check again)."""


class MetricsPeriod(StrEnum):
    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"


class Series(ApiModel):
    metric: str
    timestamps: list[datetime]
    values: list[float]


class MetricsView(ApiModel):
    device: str
    period: MetricsPeriod
    period_seconds: int
    start: UtcDatetime
    end: UtcDatetime
    series: list[Series]
    widget_image: str | None = None
    """A PNG of the same metrics (base64), only where the real CloudWatch is used."""


class FieldError(ApiModel):
    field: str
    message: str


class ErrorBody(ApiModel):
    """Every error; API Gateway's own 401 (no valid token) has only ``message``."""

    status_code: int | None = None
    message: str
    errors: list[FieldError] = []


class NextView(ApiModel):
    """What lights next (:mod:`ghela.core.nextup`, the rule ``ghela next`` applies on the device)."""

    device: str
    next: NextUpView | None = None
    line: str
    """``Next: light on Sat 14:45 — KAA Gent–RSC Anderlecht, parking empty by 17:45`` (English)."""
    zone: str
    """The venue's zone the line is written in."""
