"""schemathesis against the OpenAPI document, on the local server with a real token: no 5xx,
and every response matches the documented schema.

Beyond what schemathesis generates from the document, every route also gets schemathesis's
valid requests with their body swapped for a hostile one (tests/support/hostile.py: 5,000
levels deep, 5,000-digit numbers, NaN, bytes that are not UTF-8, 1 MB) under wrong content
types too: still no 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from ghela_cloud.api.routing import ROUTES
from ghela_cloud.api.spec import openapi_json
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import LocalApi, LocalApiServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    CheckFunction,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.cloud.test_local_server import local, web_root  # noqa: F401 (fixtures)
from tests.support import hostile

pytestmark = pytest.mark.moto

EXAMPLES = 40
"""Per route and mode; 12 routes x 2 modes x 40 examples stay well under a minute."""
HOSTILE_EXAMPLES = 30
"""Per route: 12 routes x 30 hostile bodies and content types."""
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/xml", ""]


@pytest.fixture(scope="module")
def fuzz_server(local: LocalResources, web_root) -> Iterator[LocalApiServer]:  # noqa: F811
    with LocalApiServer(LocalApi(local, web_root=web_root)) as running:
        yield running


@pytest.fixture(scope="module")
def api_schema(fuzz_server: LocalApiServer) -> schemathesis.BaseSchema:
    spec = json.loads(openapi_json())
    spec["servers"] = [{"url": f"{fuzz_server.url}/api"}]
    return schemathesis.openapi.from_dict(spec)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), [(method, path) for method, path, _ in ROUTES])
def test_no_server_errors_and_responses_match_the_spec(
    method: str,
    path: str,
    mode: GenerationMode,
    api_schema: schemathesis.BaseSchema,
    fuzz_server: LocalApiServer,
    admin_tokens: dict[str, str],
) -> None:
    """Valid requests get documented answers; invalid ones (negative mode) never a 5xx."""
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {admin_tokens['IdToken']}"}
    checks: list[CheckFunction] = [not_a_server_error]
    if mode is GenerationMode.POSITIVE:
        checks += [response_schema_conformance, status_code_conformance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=f"{fuzz_server.url}/api", headers=headers, timeout=10)
        case.validate_response(response, checks=checks)

    check()


@pytest.mark.parametrize(("method", "path"), [(method, path) for method, path, _ in ROUTES])
def test_hostile_bodies_and_content_types_on_every_route_are_never_a_server_error(
    method: str,
    path: str,
    api_schema: schemathesis.BaseSchema,
    fuzz_server: LocalApiServer,
    admin_tokens: dict[str, str],
) -> None:
    operation = api_schema[path][method]
    auth = {"Authorization": f"Bearer {admin_tokens['IdToken']}"}

    @given(
        case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        body=hostile.raw_bodies(),
        kind=st.sampled_from(CONTENT_TYPES),
    )
    @settings(
        max_examples=HOSTILE_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case, body: bytes, kind: str) -> None:
        request = case.as_transport_kwargs(base_url=f"{fuzz_server.url}/api", headers=auth)
        request.pop("json", None)
        headers = {k: v for k, v in request.pop("headers", {}).items() if k.lower() != "content-type"}
        if kind:
            headers["Content-Type"] = kind
        response = requests.request(**{**request, "headers": headers, "data": body, "timeout": 10})
        assert response.status_code < 500, (method, path, kind, body[:100], response.text[:300])

    check()
