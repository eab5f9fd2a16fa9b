"""The project's recipes: valid for GDK, defaults equal to the code's, least privilege.

Static checks (no processes). The recipes and the components' code are read as they are,
so a new configuration field, a topic a component starts to use, or a version bump that
misses a recipe fails here rather than on a Pi.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import ghela
import pytest
from ghela.cloudsync.config import CloudSyncConfig
from ghela.core import topics
from ghela.core.config import ComponentConfig, load_config
from ghela.core.layout import Layout
from ghela.light.config import LightConfig
from ghela.metrics.config import MetricsConfig
from ghela.scheduler.config import SchedulerConfig
from ghela.scraper.config import ScraperConfig
from ghela_tools.packaging.validation import PackagingError, validate_recipe
from ghela_tools.runtime.recipes import Recipe, load_recipe, load_recipes, read_document
from ghela_tools.runtime.variables import ComponentContext, Resolver

from tests.support.runtime import (
    ALERT_LIGHT,
    CLOUD_SYNC,
    METRICS,
    RECIPES,
    REPO,
    SCHEDULER,
    SCRAPER,
    SUITE,
)

PYTHON_ENV = "com.ghelamco.alert.PythonEnv"
COMPONENTS: dict[str, tuple[str, type[ComponentConfig]]] = {
    SCRAPER: ("scraper", ScraperConfig),
    SCHEDULER: ("scheduler", SchedulerConfig),
    ALERT_LIGHT: ("light", LightConfig),
    CLOUD_SYNC: ("cloudsync", CloudSyncConfig),
    METRICS: ("metrics", MetricsConfig),
}
PUBLISH, SUBSCRIBE = "aws.greengrass#PublishToTopic", "aws.greengrass#SubscribeToTopic"
IOT_PUBLISH, IOT_SUBSCRIBE = "aws.greengrass#PublishToIoTCore", "aws.greengrass#SubscribeToIoTCore"

# Topics a component reaches through a variable, which the source scan below cannot see:
# CloudSync's request/answer Exchange (cloudsync/exchange.py) for commands and changes.
INDIRECT = {
    CLOUD_SYNC: {
        (PUBLISH, topics.COMMAND),
        (SUBSCRIBE, topics.COMMAND_RESULT),
        (PUBLISH, topics.CHANGES_REQUEST),
        (SUBSCRIBE, topics.CHANGES),
    }
}


@pytest.fixture(scope="module")
def recipes() -> dict[str, Recipe]:
    return load_recipes(RECIPES)


def allowed(recipe: Recipe, service: str = "aws.greengrass.ipc.pubsub") -> set[tuple[str, str]]:
    policies = recipe.default_configuration.get("accessControl", {}).get(service, {})
    return {
        (op, resource)
        for policy in policies.values()
        for op in policy["operations"]
        for resource in policy["resources"]
    }


def used_topics(package: str) -> set[tuple[str, str]]:
    """(operation, topic) for each ``x.publish(topics.X, ...)`` / ``x.subscribe(topics.X, ...)``."""
    found = set()
    for path in (REPO / "components" / "ghela" / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            operation = {"publish": PUBLISH, "subscribe": SUBSCRIBE}.get(node.func.attr)
            first = node.args[0]
            if (
                operation
                and isinstance(first, ast.Attribute)
                and getattr(first.value, "id", None) == "topics"
            ):
                found.add((operation, getattr(topics, first.attr)))
    return found


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_recipe_is_valid_for_gdk(path: Path) -> None:
    validate_recipe(read_document(path), str(path))


def test_the_validation_catches_what_gdk_would_refuse(recipes: dict[str, Recipe]) -> None:
    broken = read_document(recipes[SCRAPER].path)
    broken["ComponentDependencies"] = {"aws.greengrass.TokenExchangeService": {"DependencyType": "MAYBE"}}
    with pytest.raises(PackagingError, match="versionrequirement") as caught:
        validate_recipe(broken, "broken.yaml")
    assert "componentdependencies" in str(caught.value)


def test_there_is_one_recipe_per_component_at_the_package_version(recipes: dict[str, Recipe]) -> None:
    assert set(recipes) == {*COMPONENTS, SUITE, PYTHON_ENV}
    for recipe in recipes.values():
        assert recipe.version == ghela.__version__, recipe.name


@pytest.mark.parametrize("name", COMPONENTS)
def test_default_configuration_is_the_models_defaults(recipes: dict[str, Recipe], name: str) -> None:
    _, model = COMPONENTS[name]
    defaults = recipes[name].default_configuration
    assert load_config(model, defaults) == model()
    # Every field is in the recipe (except those whose default is None: Greengrass
    # configuration has no null), so a new field cannot be forgotten there.
    expected = {
        field.alias or key for key, field in model.model_fields.items() if getattr(model(), key) is not None
    }
    assert set(defaults) - {"accessControl"} == expected


@pytest.mark.parametrize("name", COMPONENTS)
def test_access_control_is_what_the_code_uses(recipes: dict[str, Recipe], name: str) -> None:
    package, _ = COMPONENTS[name]
    granted = allowed(recipes[name])
    # Every component runs the shared core too (run_component reports invalid messages).
    used = used_topics(package) | used_topics("core") | INDIRECT.get(name, set())
    assert used <= granted, f"{name} uses topics its recipe does not allow: {sorted(used - granted)}"
    extra = granted - used
    assert not extra, f"{name}'s recipe allows topics it does not use: {sorted(extra)}"
    assert all(topic in vars(topics).values() for _, topic in granted), "no wildcards, only named topics"


def test_only_cloudsync_reaches_iot_core_and_only_its_own_jobs_topics(recipes: dict[str, Recipe]) -> None:
    for name in COMPONENTS:
        if name != CLOUD_SYNC:
            assert not allowed(recipes[name], "aws.greengrass.ipc.mqttproxy"), name
    granted = allowed(recipes[CLOUD_SYNC], "aws.greengrass.ipc.mqttproxy")
    assert {op for op, _ in granted} == {IOT_PUBLISH, IOT_SUBSCRIBE}
    for _, resource in granted:
        assert resource.startswith("$aws/things/{iot:thingName}/jobs/"), resource
    jobs = "$aws/things/{iot:thingName}/jobs/"
    assert (IOT_PUBLISH, jobs + "start-next") in granted
    assert (IOT_PUBLISH, jobs + "+/update") in granted
    assert (IOT_SUBSCRIBE, jobs + "notify-next") in granted


def test_dependencies_are_chosen_on_purpose(recipes: dict[str, Recipe]) -> None:
    tes = "aws.greengrass.TokenExchangeService"
    assert recipes[CLOUD_SYNC].dependencies[tes].hard
    assert not recipes[METRICS].dependencies[tes].hard
    for name in (SCRAPER, SCHEDULER, ALERT_LIGHT):
        assert tes not in recipes[name].dependencies, f"{name} does not call AWS"
    for name in COMPONENTS:  # they run in its environment: a new one restarts them
        assert recipes[name].dependencies[PYTHON_ENV].hard, name
    assert set(recipes[SUITE].dependencies) == set(COMPONENTS)
    assert recipes[SUITE].steps == {}
    source = (RECIPES / f"{CLOUD_SYNC}.yaml").read_text(encoding="utf-8")
    assert "# HARD:" in source and "# SOFT:" in source  # the choice is explained


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_runs_its_package_in_the_shared_environment(
    recipes: dict[str, Recipe], name: str
) -> None:
    package, _ = COMPONENTS[name]
    recipe = recipes[name]
    layout = Layout(Path("/greengrass/v2"))

    def context(other: str) -> ComponentContext:
        return ComponentContext(other, recipes[other].version, recipes[other].default_configuration)

    resolve = Resolver(layout, "pi-1", context(name), context).resolve
    environment = f"/greengrass/v2/work/{PYTHON_ENV}/env-{{PYTHON_ENV_KEY}}"  # the build fills the key
    assert set(recipe.steps) == {"run"}  # nothing to install: code in the artifact, packages shared
    run = recipe.steps["run"]
    assert resolve(run.script) == f"exec {environment}/bin/python3 -u -m ghela.{package}"
    own = Resolver(layout, "pi-1", context(PYTHON_ENV)).resolve
    assert own(recipes[PYTHON_ENV].steps["install"].skipif or "") == f"exists {environment}/bin/python3"
    assert resolve(run.setenv["PYTHONPATH"]).startswith(str(layout.decompressed(name, recipe.version)))
    # python -OO, from the bytecode PythonEnv's Install compiled into the environment (compile-env.sh)
    assert run.setenv["PYTHONOPTIMIZE"] == "2"
    assert resolve(run.setenv["PYTHONPYCACHEPREFIX"]) == f"{environment}/pycache"
    assert [a.uri for a in recipe.artifacts] == [
        "s3://{BUCKET_NAME}/{COMPONENT_NAME}/{COMPONENT_VERSION}/ghela.zip"
    ]
    assert all(a.unarchive for a in recipe.artifacts)
    for step in recipe.steps.values():
        for text in (step.script, step.skipif or "", *step.setenv.values()):
            assert not re.search(r"\{[a-zA-Z.]+:[^}]*\}", resolve(text)), f"unresolved variable in {text!r}"


@pytest.mark.parametrize(("architecture", "machine"), [("aarch64", "aarch64"), ("amd64", "x86_64")])
def test_the_environment_has_a_manifest_per_architecture(architecture: str, machine: str) -> None:
    recipe = load_recipe(RECIPES / f"{PYTHON_ENV}.yaml", architecture=architecture)
    assert [a.uri for a in recipe.artifacts] == [
        f"s3://{{BUCKET_NAME}}/{{COMPONENT_NAME}}/{{COMPONENT_VERSION}}/python-env-{machine}.zip"
    ]
    install = recipe.steps["install"]
    folder = f"{{artifacts:decompressedPath}}/python-env-{machine}"
    assert install.script == f"sh {folder}/install-env.sh {{work:path}} {{PYTHON_ENV_KEY}}"


def test_on_32_bit_raspberry_pi_os_install_fails_saying_to_use_the_64_bit_one() -> None:
    recipe = load_recipe(RECIPES / f"{PYTHON_ENV}.yaml", architecture="arm")
    assert recipe.artifacts == ()
    answer = subprocess.run(
        ["sh", "-c", recipe.steps["install"].script], capture_output=True, text=True, timeout=30
    )
    assert answer.returncode == 1 and "install 64-bit Raspberry Pi OS" in answer.stderr


def test_nothing_runs_privileged_not_even_the_light(recipes: dict[str, Recipe]) -> None:
    privileged = {
        (name, step_name)
        for name, r in recipes.items()
        for step_name, step in r.steps.items()
        if step.requires_privilege
    }
    assert privileged == set()  # AlertLight reaches GPIO through the gpio group
