"""/device: is the device online, when did it last beat, what is the light doing.

/devices: every device this API serves (``GHELA_DEVICES``), each with its status, venue and
next alert, for the page's device list and picker; and whether the caller is an admin (the
page offers admin actions only then; each route checks again). Every signed-in user may
see every configured device: the stack serves one organisation's offices.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from ghela.core.decoding import read_json, validate
from ghela.core.errors import InvalidInput
from ghela.core.firstbuild import adapter_on_first_use
from ghela.core.nextup import next_up
from ghela.core.wiretypes import UtcDatetime
from pydantic import TypeAdapter

from ghela_cloud import names
from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.devicemodels import (
    ComponentHealthView,
    DeviceList,
    DeviceSummary,
    DeviceView,
    LightView,
    ScrapeVerdictView,
)
from ghela_cloud.api.eventmodels import NextUpView
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device
from ghela_cloud.api.services import Services
from ghela_cloud.api.views import event_view

router = Router()
log = Logger(service="ghela-api", child=True)

HEARTBEAT_LOOKBACK = timedelta(hours=24)
RECENT_HEARTBEAT = timedelta(hours=1)
RECENT_HEARTBEAT_PERIOD_SECONDS = 60
"""CloudWatch's finest period for a standard-resolution metric: a beat is dated by the start of
the device's own interval, not by the start of a 5-minute bucket (which read a beat sent each
minute as "3-4 minutes ago")."""
_INSTANT: TypeAdapter[datetime] = adapter_on_first_use(UtcDatetime)
_VERDICTS: TypeAdapter[list[ScrapeVerdictView]] = adapter_on_first_use(list[ScrapeVerdictView])
_REPORTS = adapter_on_first_use(list[Any])
MAX_COMPONENTS = 20
"""More entries than a device has components is not a report: the rest are ignored."""


@router.get("/device", summary="The device's status: online, last heartbeat, light")
def get_device(caller: CallerDep, services: ServicesDep, device: DeviceQuery = None) -> DeviceView:
    return _status(pick_device(device, services), services)


@router.get("/devices", summary="The devices this user may see, each with its status and next alert")
def list_devices(caller: CallerDep, services: ServicesDep) -> DeviceList:
    now = services.clock.now()
    summaries = []
    for thing in services.settings.devices:
        events = [v for v in map(event_view, services.events.list_events(thing)) if v is not None]
        up = next_up(events, now)
        venues = [e.venue for e in events if e.venue]
        summaries.append(
            DeviceSummary(
                status=_status(thing, services),
                venue=max(set(venues), key=venues.count) if venues else None,
                next=NextUpView.model_validate(up.model_dump()) if up is not None else None,
            )
        )
    return DeviceList(devices=summaries, admin=caller.is_admin)


def _status(thing: str, services: Services) -> DeviceView:
    now = services.clock.now()
    status = services.events.get_status(thing) or {}
    last_heartbeat = _last_heartbeat(thing, services, now)
    last_seen = _instant(status.get("last_seen"))
    latest = max((t for t in (last_heartbeat, last_seen) if t is not None), default=None)
    online = latest is not None and now - latest <= timedelta(minutes=services.settings.online_within_minutes)
    light = None
    if "light_on" in status:
        light = LightView(
            on=bool(status["light_on"]),
            pattern=str(status.get("light_pattern") or ("steady" if status["light_on"] else "off")),
            since=_instant(status.get("light_since")),
        )
    return DeviceView(
        device=thing,
        online=online,
        last_heartbeat=last_heartbeat,
        last_seen=last_seen,
        light=light,
        revision=status.get("revision") if isinstance(status.get("revision"), int) else None,
        software_version=_text(status.get("software_version")),
        scrapes=_scrapes(status.get("scrapes")),
        components=_components(status.get("components")),
    )


def _last_heartbeat(thing: str, services: Services, now: datetime) -> datetime | None:
    """The newest heartbeat: per minute over the last hour, else per 5 minutes over a day.

    A datapoint is stamped with the start of the Metrics interval it closes, so this is when
    the device was last known alive to within one of its intervals (60 s in the demo).
    """
    for lookback, period in (
        (RECENT_HEARTBEAT, RECENT_HEARTBEAT_PERIOD_SECONDS),
        (HEARTBEAT_LOOKBACK, names.HEARTBEAT_PERIOD_SECONDS),
    ):
        beats = services.metrics.series(thing, (names.HEARTBEAT_METRIC,), now - lookback, now, period)
        newest = max((ts for ts, value in beats[names.HEARTBEAT_METRIC] if value > 0), default=None)
        if newest is not None:
            return newest
    return None


def _scrapes(value: Any) -> list[ScrapeVerdictView]:
    """The status item's scrape verdicts (a JSON list CloudSync wrote); [] (logged) if unreadable."""
    if not isinstance(value, str) or not value:
        return []
    try:
        raw = read_json(value, "stored scrapes")
        verdicts: list[ScrapeVerdictView] = validate(_VERDICTS, raw, "stored scrapes")
        return verdicts
    except InvalidInput as exc:
        log.warning("ignoring unreadable scrape verdicts in the status item: %s", exc)
        return []


def _components(value: Any) -> list[ComponentHealthView]:
    """The status item's component reports (a JSON list CloudSync wrote), each checked on its
    own: an unreadable entry is left out (logged), the others still show."""
    if not isinstance(value, str) or not value:
        return []
    try:
        entries = validate(_REPORTS, read_json(value, "stored components"), "stored components")
    except InvalidInput as exc:
        log.warning("ignoring unreadable component reports in the status item: %s", exc)
        return []
    reports: list[ComponentHealthView] = []
    for index, entry in enumerate(entries[:MAX_COMPONENTS]):
        try:
            reports.append(validate(ComponentHealthView, entry, f"stored components[{index}]"))
        except InvalidInput as exc:
            log.warning("ignoring an unreadable component report in the status item: %s", exc)
    return reports


def _instant(value: Any) -> datetime | None:
    """An aware instant (2000–2100) from a stored ISO string; None (logged) for anything else."""
    if not value:
        return None
    try:
        return validate(_INSTANT, value, "stored time")
    except InvalidInput as exc:
        log.warning("ignoring a malformed time in the status item: %s", exc)
        return None


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) and value else None
