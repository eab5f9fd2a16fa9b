"""schemathesis against the OpenAPI document, on the local server with a real token: no 5xx,
and every response matches the documented schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from ghela_cloud.api.routing import ROUTES
from ghela_cloud.api.spec import openapi_json
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import LocalApi, LocalApiServer
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tests.cloud.test_local_server import local, web_root  # noqa: F401 (fixtures)

pytestmark = pytest.mark.moto

EXAMPLES = 40
"""Per route and mode; 12 routes x 2 modes x 40 examples stay well under a minute."""


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
    checks = [not_a_server_error]
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
