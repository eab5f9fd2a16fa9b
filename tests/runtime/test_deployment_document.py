"""The deployment document (``ghela gdk deployment``): what admins deploy, valid for AWS.

Checked against botocore's own greengrassv2 ``CreateDeployment`` input model with
botocore's ParamValidator (what ``aws greengrassv2 create-deployment --cli-input-json``
runs before sending), and run by the local runtime as it stands.
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import ghela
import pytest
from botocore.validate import ParamValidator
from ghela.cli import main
from ghela_tools.packaging.deployment import deployment_document, thing_group_arn
from ghela_tools.packaging.validation import PackagingError
from ghela_tools.runtime.deployment import read_deployment
from ghela_tools.runtime.recipes import load_recipes

from tests.support.runtime import ALERT_LIGHT, CLOUD_SYNC, METRICS, RECIPES, SCHEDULER, SCRAPER, SUITE

ARN = thing_group_arn("eu-west-1", "123456789012", "ghela-offices")
PROJECT = [SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS]


def create_deployment_errors(document: dict) -> str:
    model = botocore.session.get_session().get_service_model("greengrassv2")
    report = ParamValidator().validate(document, model.operation_model("CreateDeployment").input_shape)
    return report.generate_report()


def test_the_document_is_a_valid_create_deployment_input_with_everything_the_system_needs() -> None:
    document = deployment_document(load_recipes(RECIPES), ARN, {ALERT_LIGHT: {"merge": {"pin": 27}}})
    assert create_deployment_errors(document) == ""
    assert document["targetArn"] == "arn:aws:iot:eu-west-1:123456789012:thinggroup/ghela-offices"
    components = document["components"]
    for name in [*PROJECT, SUITE, "com.ghelamco.alert.PythonEnv"]:
        assert components[name]["componentVersion"] == ghela.__version__
    # The update is named with its component, as the nucleus wants; merge is a JSON string.
    assert json.loads(components[ALERT_LIGHT]["configurationUpdate"]["merge"]) == {"pin": 27}
    nucleus = components["aws.greengrass.Nucleus"]
    major, minor, _ = (int(p) for p in nucleus["componentVersion"].split("."))
    assert (major, minor) >= (2, 6)
    assert json.loads(nucleus["configurationUpdate"]["merge"]) == {"interpolateComponentConfiguration": True}
    assert "aws.greengrass.TokenExchangeService" in components
    logs = json.loads(components["aws.greengrass.LogManager"]["configurationUpdate"]["merge"])
    uploaded = logs["logsUploaderConfiguration"]["componentLogsConfigurationMap"]
    assert set(uploaded) == set(PROJECT)  # not the Suite or the environment: they log nothing


def test_a_bad_document_is_what_botocore_refuses() -> None:
    document = deployment_document(load_recipes(RECIPES), ARN)
    document["components"][SCRAPER]["configurationUpdate"] = {"merge": {"not": "a string"}}
    assert "components.com.ghelamco.alert.Scraper.configurationUpdate.merge" in create_deployment_errors(
        document
    )


@pytest.mark.parametrize(("max_on", "refresh"), [(10, 10), (5, 10), (30, 40)])
def test_a_light_that_outlives_no_refresh_is_refused(max_on: int, refresh: int) -> None:
    updates = {
        ALERT_LIGHT: {"merge": {"maxOnMinutes": max_on}},
        SCHEDULER: {"merge": {"refreshMinutes": refresh}},
    }
    with pytest.raises(
        PackagingError, match=rf"maxOnMinutes \({max_on}\) must be greater than .*\({refresh}\)"
    ):
        deployment_document(load_recipes(RECIPES), ARN, updates)


def test_updates_for_unknown_components_or_with_bad_json_are_refused() -> None:
    with pytest.raises(PackagingError, match=r"without a recipe: com\.example\.Nope"):
        deployment_document(load_recipes(RECIPES), ARN, {"com.example.Nope": {"merge": {}}})
    with pytest.raises(PackagingError, match=r"Scraper: configurationUpdate\.merge is not valid JSON"):
        deployment_document(load_recipes(RECIPES), ARN, {SCRAPER: {"merge": "{oops"}})


def test_the_command_writes_the_document_the_local_runtime_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({ALERT_LIGHT: {"merge": {"pin": 22}, "reset": ["/buttonPin"]}}))
    out = tmp_path / "deployment.json"
    command = ["gdk", "deployment", "--thing-group", "office-1", "--account", "123456789012",
               "--recipes", str(RECIPES), "--overrides", str(overrides), "--out", str(out)]  # fmt: skip
    assert main(command) == 0
    assert "create-deployment --cli-input-json file://" in capsys.readouterr().out
    document = json.loads(out.read_text())
    assert create_deployment_errors(document) == ""
    assert document["targetArn"].endswith(":thinggroup/office-1")
    deployment = read_deployment(out)  # what ghela runtime run --deployment reads
    assert set(deployment.roots) >= {*PROJECT, SUITE, "aws.greengrass.Nucleus"}
    assert deployment.interpolates_configuration()
    assert deployment.update_for(ALERT_LIGHT) == {"merge": '{"pin": 22}', "reset": ["/buttonPin"]}
