"""Build a powertools HTTP API resolver from routers, with the API's error rules.

Every error body has one shape, :class:`~ghela_cloud.api.models.ErrorBody`::

    {"statusCode": 422, "message": "invalid request", "errors": [{"field": "start", "message": "..."}]}

Bad input is 400/404/409/415/422 naming what was wrong, never a 500; an unexpected fault
is a 500 whose body says nothing about the code (the log has the details).

Request bodies are JSON only (a body with another ``Content-Type`` is 415 before anything
reads it) and are read by :func:`ghela.core.decoding.read_json`, as every boundary of the
project is: bytes that are not UTF-8, nesting past 64 levels, numbers past ±2**64 (or
past the 4,300 digits Python parses), ``NaN`` — each is a 422 naming the body or the field.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from ghela.core.decoding import WHOLE, read_json
from ghela.core.errors import InvalidInput, NotFound
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from ghela_cloud.api.models import ErrorBody, FieldError

log = Logger(service="ghela-api", child=True)

_LOCATIONS = {"body", "query", "path", "header"}


class JsonApiResolver(APIGatewayHttpResolver):
    """The HTTP API resolver of every function: JSON bodies only."""

    def resolve(self, event: Any, context: Any) -> dict[str, Any]:
        kind = str((event.get("headers") or {}).get("content-type") or "").strip()
        method = str(((event.get("requestContext") or {}).get("http") or {}).get("method") or "")
        if kind and not _is_json(kind) and (event.get("body") or method in _BODY_METHODS):
            message = f"the body must be application/json, not {kind[:100]}"
            body = ErrorBody(
                status_code=415, message=message, errors=[FieldError(field="(body)", message=message)]
            )
            return {
                "statusCode": 415,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": body.model_dump_json(by_alias=True),
                "isBase64Encoded": False,
            }
        return super().resolve(event, context)


_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == content_types.APPLICATION_JSON or media.endswith("+json")


def _read_body(text: str) -> Any:
    try:
        return read_json(text, "the body")
    except InvalidInput as exc:
        raise InvalidInput(str(exc), field="(body)" if exc.field == WHOLE else exc.field) from None


def build_app(*routers: Router) -> APIGatewayHttpResolver:
    app = JsonApiResolver(enable_validation=True, json_body_deserializer=_read_body)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response[str]:
        errors = exc.errors()
        if _about_the_answer(errors):
            # powertools raises RequestValidationError for an answer that does not match its
            # route's model too (openapi_validation.py, _serialize_response_with_validation,
            # unless response_validation_error_http_code is set): the API's fault, never "invalid request"
            log.error("the answer does not match its route's model: %s", str(errors)[:2000])
            return error_response(500, _INTERNAL)
        return error_response(422, "invalid request", field_errors(errors))

    @app.exception_handler(ValidationError)
    def _invalid_command(exc: ValidationError) -> Response[str]:
        return error_response(422, "invalid request", field_errors(exc.errors(include_url=False)))

    @app.exception_handler(InvalidInput)
    def _invalid_input(exc: InvalidInput) -> Response[str]:
        errors = [FieldError(field=_camel_path(exc.field), message=str(exc))] if exc.field else []
        return error_response(422, str(exc), errors)

    @app.exception_handler(NotFound)
    def _not_found(exc: NotFound) -> Response[str]:
        return error_response(404, str(exc))

    @app.exception_handler(ServiceError)
    def _service_error(exc: ServiceError) -> Response[str]:
        # powertools allows a dict message; the error body has one shape: its status phrase then
        return error_response(exc.status_code, exc.msg if isinstance(exc.msg, str) else "")

    @app.exception_handler(RecursionError)
    def _too_deep(exc: RecursionError) -> Response[str]:
        # powertools' json.loads of the body recurses per nesting level (a body of 5000 "[")
        too_deep = FieldError(field="(body)", message="nested too deeply")
        return error_response(422, "invalid request", [too_deep])

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        log.exception("unexpected error")
        return error_response(500, _INTERNAL)

    return app


_INTERNAL = "internal error; the details are in the function's log"


def _about_the_answer(errors: Any) -> bool:
    """Whether validation errors are about the route's answer (``loc`` starts ``response``)."""
    return any(tuple(error.get("loc", ()))[:1] == ("response",) for error in errors)


def error_response(status: int, message: str, errors: list[FieldError] | None = None) -> Response[str]:
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
        field = _camel_path(".".join(loc)) or "(body)"
        message = error.get("msg") or error.get("type", "invalid")
        out.append(FieldError(field=field, message=str(message)))
    return out


def _camel_path(field: str) -> str:
    """``alerts.0.offset_minutes`` → ``alerts.0.offsetMinutes``; ``(body)`` stays as it is."""
    return ".".join(part if part.startswith("(") else to_camel(part) for part in field.split(".") if part)
