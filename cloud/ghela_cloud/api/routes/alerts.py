"""/alerts: change, snooze and unsnooze one alert (as IoT jobs).

Each route imports its command's model when it is first called, as :mod:`.events` does.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.commandbodies import ACCEPTED, Accepted, SnoozeBody, UpdateAlertBody
from ghela_cloud.api.commands import submit
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device
from ghela_cloud.api.views import load_alert

router = Router()

AlertId = Annotated[int, Path(ge=1, le=2**53, description="The alert's id on the device")]


@router.patch("/alerts/<alert_id>", summary="Change an alert's time, length or pattern", responses=ACCEPTED)
def update_alert(
    alert_id: AlertId,
    body: Annotated[UpdateAlertBody, Body()],
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import UpdateAlert

    thing = pick_device(device, services)
    load_alert(services, thing, alert_id)
    command = UpdateAlert(alert_id=alert_id, **body.model_dump(exclude_none=True, by_alias=False))
    return submit(command, thing, caller, services), 202


@router.post(
    "/alerts/<alert_id>/snooze", summary="Snooze an alert (no minutes: silence it)", responses=ACCEPTED
)
def snooze_alert(
    alert_id: AlertId,
    caller: CallerDep,
    services: ServicesDep,
    body: Annotated[SnoozeBody | None, Body()] = None,
    device: DeviceQuery = None,
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import SnoozeAlert

    thing = pick_device(device, services)
    load_alert(services, thing, alert_id)
    minutes = body.minutes if body is not None else None
    return submit(SnoozeAlert(alert_id=alert_id, minutes=minutes), thing, caller, services), 202


@router.delete("/alerts/<alert_id>/snooze", summary="Undo a snooze", responses=ACCEPTED)
def unsnooze_alert(
    alert_id: AlertId, caller: CallerDep, services: ServicesDep, device: DeviceQuery = None
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import UnsnoozeAlert

    thing = pick_device(device, services)
    load_alert(services, thing, alert_id)
    return submit(UnsnoozeAlert(alert_id=alert_id), thing, caller, services), 202
