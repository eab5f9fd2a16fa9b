"""The API's one error shape, for what powertools lets a route raise."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.utilities.typing import LambdaContext
from ghela_cloud.api.app import build_app
from ghela_cloud.api.models import ErrorBody


def _get(path: str) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for ``GET path``."""
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": "GET", "path": path, "sourceIp": "127.0.0.1"},
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


def test_a_service_error_with_a_dict_message_is_its_status_in_the_error_shape() -> None:
    # powertools' ServiceError takes ``msg: str | dict``; a dict used to reach ErrorBody's
    # ``message: str`` and fail inside the exception handler (the function crashed: a 500).
    router = Router()

    @router.get("/conflict")
    def conflict() -> dict[str, str]:
        raise ServiceError(409, {"reason": "a dict"})

    answer = build_app(router).resolve(_get("/conflict"), LambdaContext())
    assert answer["statusCode"] == 409
    assert json.loads(answer["body"]) == {"statusCode": 409, "message": "Conflict", "errors": []}


def test_an_answer_that_does_not_match_its_model_is_a_500_not_invalid_request() -> None:
    # powertools reports a route's answer that fails its return model as a
    # RequestValidationError: the client's request was fine, so it is not "invalid request".
    router = Router()

    @router.get("/answer")
    def answer() -> ErrorBody:
        return {"statusCode": "not a number"}  # type: ignore[return-value]

    result = build_app(router).resolve(_get("/answer"), LambdaContext())
    assert result["statusCode"] == 500
    assert json.loads(result["body"])["message"] == "internal error; the details are in the function's log"
