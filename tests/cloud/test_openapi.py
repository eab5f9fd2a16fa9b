"""cloud/openapi.json is generated from the code and current."""

from __future__ import annotations

import json

from ghela.cli import main
from ghela_cloud.api.routing import ROUTES, WITHOUT_COGNITO
from ghela_cloud.api.spec import DEFAULT_PATH, openapi_json


def test_the_committed_document_is_current() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == openapi_json(), "run `ghela api openapi`"


def test_every_route_is_documented_with_auth_and_errors() -> None:
    spec = json.loads(openapi_json())
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    assert documented == {(method, path) for method, path, _ in ROUTES}
    assert spec["security"] == [{"cognito": []}]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if (method.upper(), path) in WITHOUT_COGNITO:
                assert op["security"] == [] and "401" not in op["responses"], (method, path)
            else:
                assert "security" not in op and "401" in op["responses"], (method, path)
            assert {"404", "422"} <= set(op["responses"]), (method, path)
            synchronous = path.startswith(("/calendar", "/notify"))  # answered at once, not by a job
            ok = "202" if method in ("post", "patch", "delete") and not synchronous else "200"
            assert ok in op["responses"], (method, path)
            assert ("502" in op["responses"]) == (ok == "202"), (method, path)


def test_the_command_checks_and_writes(tmp_path, capsys) -> None:
    target = tmp_path / "openapi.json"
    assert main(["api", "openapi", "--output", str(target), "--check"]) == 1
    assert main(["api", "openapi", "--output", str(target)]) == 0
    assert main(["api", "openapi", "--output", str(target), "--check"]) == 0
    assert json.loads(target.read_text())["info"]["title"] == "Ghelamco Alert API"
