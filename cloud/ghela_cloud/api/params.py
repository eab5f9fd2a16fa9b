"""Parameters every router shares: the device asked for, and the services."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Query

from ghela_cloud.api.services import Services, get_services

DeviceQuery = Annotated[
    str | None,
    Query(max_length=128, description="The device's thing name (default: the first configured device)"),
]
ServicesDep = Annotated[Services, Depends(get_services)]


def pick_device(device: str | None, services: Services) -> str:
    """The named device, or the first configured one; 404 for a device this API does not serve."""
    devices = services.settings.devices
    if device is None or device == "":
        return devices[0]
    if device not in devices:
        raise NotFoundError(f"unknown device {device[:128]!r}")
    return device
