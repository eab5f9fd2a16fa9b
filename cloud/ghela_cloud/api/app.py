"""Build a powertools HTTP API resolver from routers, with the API's error rules.

Every error body has one shape, :class:`~ghela_cloud.api.models.ErrorBody`::

    {"statusCode": 422, "message": "invalid request", "errors": [{"field": "start", "message": "..."}]}

Bad input is 400/404/409/422 naming what was wrong, never a 500; an unexpected fault is a
500 whose body says nothing about the code (the log has the details).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from ghela.core.errors import InvalidInput, NotFound
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from ghela_cloud.api.models import ErrorBody, FieldError

log = Logger(service="ghela-api", child=True)

_LOCATIONS = {"body", "query", "path", "header"}


def build_app(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        return error_response(422, "invalid request", field_errors(exc.errors()))

    @app.exception_handler(ValidationError)
    def _invalid_command(exc: ValidationError) -> Response:
        return error_response(422, "invalid request", field_errors(exc.errors(include_url=False)))

    @app.exception_handler(InvalidInput)
    def _invalid_input(exc: InvalidInput) -> Response:
        errors = [FieldError(field=to_camel(exc.field), message=str(exc))] if exc.field else []
        return error_response(422, str(exc), errors)

    @app.exception_handler(NotFound)
    def _not_found(exc: NotFound) -> Response:
        return error_response(404, str(exc))

    @app.exception_handler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return error_response(exc.status_code, exc.msg)

    @app.exception_handler(RecursionError)
    def _too_deep(exc: RecursionError) -> Response:
        # powertools' json.loads of the body recurses per nesting level (a body of 5000 "[")
        too_deep = FieldError(field="(body)", message="nested too deeply")
        return error_response(422, "invalid request", [too_deep])

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal error; the details are in the function's log")

    return app


def error_response(status: int, message: str, errors: list[FieldError] | None = None) -> Response:
    body = ErrorBody(status_code=status, message=message or HTTPStatus(status).phrase, errors=errors or [])
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(by_alias=True),
    )


def field_errors(errors: Any) -> list[FieldError]:
    """pydantic errors as ``{field, message}``; the field is the camelCase path in the body."""
    out = []
    for error in list(errors)[:20]:
        if error.get("type") == "json_invalid":
            out.append(FieldError(field="(body)", message="the body is not valid JSON"))
            continue
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        field = ".".join(to_camel(part) for part in loc) or "(body)"
        message = error.get("msg") or error.get("type", "invalid")
        out.append(FieldError(field=field, message=str(message)))
    return out
