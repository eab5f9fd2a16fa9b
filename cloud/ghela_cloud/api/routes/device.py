"""/device: is the device online, when did it last beat, what is the light doing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from ghela.core.decoding import validate
from ghela.core.errors import InvalidInput
from ghela.core.messages import UtcDatetime
from pydantic import TypeAdapter

from ghela_cloud import names
from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.models import DeviceView, LightView
from ghela_cloud.api.params import DeviceQuery, ServicesDep
from ghela_cloud.api.views import pick_device

router = Router()
log = Logger(service="ghela-api", child=True)

HEARTBEAT_LOOKBACK = timedelta(hours=24)
_INSTANT = TypeAdapter(UtcDatetime)


@router.get("/device", summary="The device's status: online, last heartbeat, light")
def get_device(caller: CallerDep, services: ServicesDep, device: DeviceQuery = None) -> DeviceView:
    thing = pick_device(device, services)
    now = services.clock.now()
    status = services.events.get_status(thing) or {}
    beats = services.metrics.series(
        thing, (names.HEARTBEAT_METRIC,), now - HEARTBEAT_LOOKBACK, now, names.HEARTBEAT_PERIOD_SECONDS
    )[names.HEARTBEAT_METRIC]
    last_heartbeat = max((ts for ts, value in beats if value > 0), default=None)
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
    )


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
