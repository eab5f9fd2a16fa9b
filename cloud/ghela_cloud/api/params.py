"""Parameters and response documentation every router shares."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ghela_cloud.api.models import Accepted
from ghela_cloud.api.services import Services, get_services

DeviceQuery = Annotated[
    str | None,
    Query(max_length=128, description="The device's thing name (default: the first configured device)"),
]
ServicesDep = Annotated[Services, Depends(get_services)]

ACCEPTED: dict[int, OpenAPIResponse] = {
    202: {"description": "Queued as an IoT job", "content": {"application/json": {"model": Accepted}}}
}
