"""The OpenAPI document of the whole API, generated from the routers.

``ghela api openapi`` writes it to ``cloud/openapi.json``; a test checks the file is current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import (
    HTTPBearer,
    SecurityScheme,
)

from ghela_cloud.api.app import build_app
from ghela_cloud.api.models import ErrorBody
from ghela_cloud.api.routes import alerts, calendar, device, events, feed, jobs, metrics, nextup, notify
from ghela_cloud.api.routing import WITHOUT_COGNITO

TITLE = "Ghelamco Alert API"
VERSION = "1.0.0"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "openapi.json"


def full_app() -> APIGatewayHttpResolver:
    """Every route of every function, as one resolver (for the spec; handlers stay split)."""
    return build_app(
        events.router,
        alerts.router,
        jobs.router,
        device.router,
        metrics.router,
        feed.router,
        calendar.router,
        notify.router,
        nextup.router,
    )


def openapi_json() -> str:
    app = full_app()
    schemes: dict[str, SecurityScheme] = {
        "cognito": HTTPBearer(bearerFormat="JWT", description="A Cognito ID or access token")
    }
    text = app.get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description="Events, alerts, jobs, device status and metrics of Ghelamco Alert devices. "
        "Writes are queued as IoT jobs and answered 202 with the job id.",
        security_schemes=schemes,
        security=[{"cognito": []}],
    )
    return json.dumps(_with_error_bodies(json.loads(text)), indent=2) + "\n"


def write_openapi(path: Path = DEFAULT_PATH) -> Path:
    path.write_text(openapi_json(), encoding="utf-8")
    return path


_ERRORS = {
    "401": "No valid Cognito token",
    "403": "The caller may not do this (games: administrators only)",
    "404": "Unknown device, event or alert",
    "409": "The request conflicts with the event's kind",
    "422": "Invalid request; each wrong field is named",
    "502": "IoT refused the job; it is recorded as FAILED and nothing will happen",
}
_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def _with_error_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """Document the API's own error shape (powertools documents its default 422 shape)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
    schemas.update(body.pop("$defs", {}))
    schemas["ErrorBody"] = body
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = ["401", "404", "422"]
            if (method.upper(), path) in WITHOUT_COGNITO:
                operation["security"] = []
                codes.remove("401")
            if method in ("patch", "delete") and path.startswith("/events"):
                codes[1:1] = ["403", "409"] if method == "delete" else ["403"]
            if "202" in operation["responses"]:  # queued as an IoT job, which IoT may refuse
                codes.append("502")
            for code in codes:
                operation["responses"][code] = {"description": _ERRORS[code], "content": _ERROR_REF}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec
