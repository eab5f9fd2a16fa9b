"""Build API Gateway HTTP API (payload 2.0) events and a Lambda context, as AWS does."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from ghela.core.clock import SystemClock

from ghela_cloud.api.routing import ROUTES, Function

_ROUTE_PATTERNS = [
    (method, template, function, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"))
    for method, template, function in ROUTES
]


@dataclass(frozen=True)
class RouteMatch:
    route_key: str
    function: Function
    path_parameters: dict[str, str]


def match_route(method: str, path: str) -> RouteMatch | None:
    """The template's route for a request, as the HTTP API would pick it."""
    for route_method, template, function, pattern in _ROUTE_PATTERNS:
        found = pattern.match(path)
        if found and route_method == method:
            return RouteMatch(f"{method} {template}", function, found.groupdict())
    return None


def http_api_event(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: dict[str, str],
    body: str | None,
    route: RouteMatch,
    authorizer: dict[str, Any] | None,
    source_ip: str = "127.0.0.1",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends a Lambda for this request (payload format 2.0)."""
    now = now or SystemClock().now()
    query: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    lowered = {k.lower(): v for k, v in headers.items()}
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": query_string,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if route.path_parameters:
        event["pathParameters"] = route.path_parameters
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    if body is not None:
        event["body"] = body
    return event


@dataclass
class LocalLambdaContext:
    """The attributes of a Lambda context that powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
