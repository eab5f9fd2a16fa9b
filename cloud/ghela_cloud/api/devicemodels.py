"""Bodies of the device routes: status, light, scrape verdicts and component reports.

Without ``from __future__ import annotations``: :mod:`ghela_cloud.api.models` says why.
"""

from ghela.core.messages.health import ComponentHealth, ScrapeVerdict
from ghela.core.wiretypes import UtcDatetime
from pydantic import ConfigDict, computed_field

from ghela_cloud.api.eventmodels import NextUpView
from ghela_cloud.api.models import CAMEL, ApiModel


class LightView(ApiModel):
    on: bool
    pattern: str
    since: UtcDatetime | None = None


class ScrapeVerdictView(ScrapeVerdict):
    model_config = CAMEL | ConfigDict(frozen=True)


class ComponentHealthView(ComponentHealth):
    """A component's last report of itself (ghela.core.selfreport), restarts worked out."""

    model_config = CAMEL | ConfigDict(frozen=True)

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
