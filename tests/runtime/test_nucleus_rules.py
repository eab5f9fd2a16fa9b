"""The local runtime follows the nucleus where a component can tell (ghela_tools.runtime.deployment).

- ``interpolateComponentConfiguration`` is false on a fresh core: ``{iot:thingName}`` in
  CloudSync's accessControl stays literal and its IoT Jobs subscription is refused. The
  project's deployment document turns the flag on, and the same job then goes through.
- A deployment's configurationUpdate reaches only the components the deployment names.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from ghela.core.nucleus import NUCLEUS
from ghela_tools.packaging.deployment import deployment_document
from ghela_tools.runtime.deployment import parse_deployment
from ghela_tools.runtime.recipes import RecipeError, load_recipes
from ghela_tools.runtime.supervisor import Settings, Supervisor

from tests.support.runtime import CLOUD_SYNC, RECIPES, SCHEDULER, LocalRuntime, write_recipe
from tests.support.waiting import wait_for

PROJECT_NUCLEUS_UPDATE = deployment_document(load_recipes(RECIPES), "arn:aws:iot:eu-west-1:1:thinggroup/g")[
    "components"
][NUCLEUS]["configurationUpdate"]


@pytest.mark.runtime
@pytest.mark.moto
@pytest.mark.parametrize(
    ("nucleus_update", "applied"),
    [(None, False), (PROJECT_NUCLEUS_UPDATE, True)],
    ids=["fresh-core-flag-false", "project-deployment-document"],
)
def test_cloudsyncs_jobs_need_the_flag_the_deployment_document_sets(
    tmp_path: Path, moto_server: Any, nucleus_update: dict[str, Any] | None, applied: bool
) -> None:
    thing = f"pi-{uuid.uuid4().hex[:8]}"
    iot = moto_server.client("iot")
    arn = iot.create_thing(thingName=thing)["thingArn"]
    overrides = {
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
        CLOUD_SYNC: {"awsEndpointUrl": moto_server.url, "retryInitialSeconds": 0.2, "retryMaxSeconds": 1.0},
    }
    with LocalRuntime(
        tmp_path,
        components=[SCHEDULER, CLOUD_SYNC],
        thing_name=thing,
        aws_endpoint_url=moto_server.url,
        config_overrides=overrides,
        nucleus_update=nucleus_update,
    ) as runtime:
        job_id = f"job-{uuid.uuid4().hex[:12]}"
        iot.create_job(jobId=job_id, targets=[arn], document=json.dumps({"operation": "scrapeNow"}))
        refusal = "not authorized to perform aws.greengrass.ipc.mqttproxy:aws.greengrass#SubscribeToIoTCore"

        def outcome() -> str | None:
            execution = runtime.jobs.status(thing, job_id)
            if execution is not None and execution.status == "SUCCEEDED":
                return "applied"
            if refusal in runtime.log(CLOUD_SYNC):
                return "refused"
            return None

        wait_for(lambda: outcome() is not None, timeout=60, what="an outcome")
        seen = outcome()
        configured = runtime.supervisor.configurations[CLOUD_SYNC]["accessControl"]
    resources = json.dumps(configured["aws.greengrass.ipc.mqttproxy"])
    assert seen == ("applied" if applied else "refused")
    assert ("{iot:thingName}" in resources) is not applied
    assert (f"$aws/things/{thing}/jobs/notify-next" in resources) is applied


def _greeter(folder: Path) -> Path:
    greeting = {"greeting": "hello"}
    write_recipe(folder, "test.Dep", {"Run": "echo {configuration:/greeting}"}, configuration=greeting)
    write_recipe(folder, "test.Top", {"Run": "true"}, depends={"test.Dep": "SOFT"})
    return folder


@pytest.mark.runtime
@pytest.mark.parametrize(("roots", "greeting"), [(["test.Top"], "hello"), (["test.Top", "test.Dep"], "hoi")])
def test_a_configuration_update_reaches_only_components_the_deployment_names(
    tmp_path: Path, roots: list[str], greeting: str
) -> None:
    recipes = _greeter(tmp_path / "recipes")
    with LocalRuntime(
        tmp_path, roots, recipe_dir=recipes, config_overrides={"test.Dep": {"greeting": "hoi"}}
    ) as runtime:
        runtime.wait_for_state("test.Dep", "FINISHED")  # a dependency runs, named or not
        assert runtime.output("test.Dep") == [greeting]


def test_configuration_gets_system_parameters_only_and_only_with_the_flag(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    configuration = {"where": "{work:path}", "thing": ["{iot:thingName}"], "self": "{configuration:/where}"}
    write_recipe(recipes, "test.Vars", {"Run": "true"}, configuration=configuration)
    for update, expected in (
        (None, configuration),
        (
            {"merge": {"interpolateComponentConfiguration": "true"}},
            {
                "where": str(tmp_path / "greengrass" / "work" / "test.Vars"),
                "thing": ["ghela-local-pi"],
                "self": "{configuration:/where}",  # configuration is not interpolated into itself
            },
        ),
    ):
        runtime = LocalRuntime(tmp_path, recipe_dir=recipes, nucleus_update=update)
        supervisor = runtime.nucleus.start()
        try:
            assert supervisor.configurations["test.Vars"] == expected
        finally:
            runtime.nucleus.stop()


def test_a_deployment_of_a_version_the_folder_does_not_have_is_refused(tmp_path: Path) -> None:
    recipes = _greeter(tmp_path / "recipes")
    document = {"components": {"test.Top": {"componentVersion": "2.0.0"}}}
    with pytest.raises(RecipeError, match=r"wants test\.Top 2\.0\.0; the recipe folder has 1\.0\.0"):
        Supervisor(load_recipes(recipes), Settings(root=tmp_path / "root"), parse_deployment(document, "d"))
