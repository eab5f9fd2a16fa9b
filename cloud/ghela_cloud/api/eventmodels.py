"""What the event, device and feed routes answer: camelCase views of the Scheduler's snapshots.

Without ``from __future__ import annotations``: :mod:`ghela_cloud.api.models` says why.
"""

from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot
from ghela.core.nextup import NextUp
from ghela.core.wiretypes import UtcDatetime
from pydantic import ConfigDict, Field

from ghela_cloud.api.models import CAMEL, ApiModel


class AlertView(AlertSnapshot):
    model_config = CAMEL | ConfigDict(frozen=True)


class EventView(EventSnapshot):
    model_config = CAMEL | ConfigDict(frozen=True)

    # The snapshot's field again, as camelCase views: pydantic re-declares it (mypy objects
    # because a list is invariant; the model is frozen).
    alerts: list[AlertView] = Field(default_factory=list)  # type: ignore[assignment]
    device: str
    synced_at: UtcDatetime | None = None


class EventList(ApiModel):
    device: str
    events: list[EventView]


class NextUpView(NextUp):
    model_config = CAMEL | ConfigDict(frozen=True)


class NextView(ApiModel):
    """What lights next (:mod:`ghela.core.nextup`, the rule ``ghela next`` applies on the device)."""

    device: str
    next: NextUpView | None = None
    line: str
    """``Next: light on Sat 14:45 — KAA Gent–RSC Anderlecht, parking empty by 17:45`` (English)."""
    zone: str
    """The venue's zone the line is written in."""
