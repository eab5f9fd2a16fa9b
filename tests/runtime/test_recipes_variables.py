"""Recipe parsing, recipe variables and deployment-style configuration merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ghela.core.errors import ConfigurationError
from ghela.core.layout import Layout
from ghela_tools.runtime.configmerge import apply_update, merge
from ghela_tools.runtime.deployment import parse_deployment, read_deployment
from ghela_tools.runtime.recipes import RecipeError, load_recipe
from ghela_tools.runtime.variables import ComponentContext, Resolver, json_pointer
from hypothesis import given, settings
from hypothesis import strategies as st

LAYOUT = Layout(Path("/gg"))
CONFIG = {"port": 8080, "name": "light", "nested": {"a/b": [1, {"x": True}]}, "empty": ""}


def resolver(others: dict[str, ComponentContext] | None = None) -> Resolver:
    me = ComponentContext("com.example.Me", "1.2.3", CONFIG)
    return Resolver(LAYOUT, "pi-7", me, lambda name: (others or {}).get(name))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{artifacts:path}/run.sh", "/gg/packages/artifacts/com.example.Me/1.2.3/run.sh"),
        ("{artifacts:decompressedPath}/a", "/gg/packages/artifacts-unarchived/com.example.Me/1.2.3/a"),
        ("cd {work:path}", "cd /gg/work/com.example.Me"),
        ("{kernel:rootPath}", "/gg"),
        ("$aws/things/{iot:thingName}/jobs", "$aws/things/pi-7/jobs"),
        ("--port {configuration:/port} --name {configuration:/name}", "--port 8080 --name light"),
        ("{configuration:/nested/a~1b/1}", '{"x": true}'),
        ("[{configuration:/empty}]", "[]"),
        (
            "{configuration:/missing} {unknown:thing} ${HOME}",
            "{configuration:/missing} {unknown:thing} ${HOME}",
        ),
        (
            "{com.example.Other:configuration:/port} {com.example.Other:work:path}",
            "9 /gg/work/com.example.Other",
        ),
        ("{com.example.Absent:work:path}", "{com.example.Absent:work:path}"),
    ],
)
def test_variables_resolve_as_the_nucleus_does(text: str, expected: str) -> None:
    other = ComponentContext("com.example.Other", "0.0.1", {"port": 9})
    assert resolver({"com.example.Other": other}).resolve(text) == expected


def test_json_pointer_finds_and_misses() -> None:
    assert json_pointer(CONFIG, "") == (True, CONFIG)
    assert json_pointer(CONFIG, "/nested/a~1b/0") == (True, 1)
    assert json_pointer(CONFIG, "/nested/a~1b/5") == (False, None)
    assert json_pointer(CONFIG, "port") == (False, None)


DEFAULTS = {
    "interval": 60,
    "sources": [{"name": "club"}],
    "limits": {"max": 3, "min": 1},
    "zone": "Europe/Brussels",
}


def test_merge_merges_objects_and_replaces_everything_else() -> None:
    merged = merge(DEFAULTS, {"limits": {"max": 5, "extra": True}, "sources": [], "new": {"a": 1}})
    assert merged == {
        "interval": 60,
        "sources": [],
        "limits": {"max": 5, "min": 1, "extra": True},
        "zone": "Europe/Brussels",
        "new": {"a": 1},
    }
    assert DEFAULTS["limits"] == {"max": 3, "min": 1}  # inputs untouched


def test_reset_goes_back_to_the_default_before_merge_applies() -> None:
    current = apply_update(DEFAULTS, {"merge": {"interval": 5, "limits": {"max": 9}, "added": 1}})
    again = apply_update(DEFAULTS, {"reset": ["/limits/max", "/added"], "merge": {"zone": "UTC"}}, current)
    assert again == {**DEFAULTS, "interval": 5, "zone": "UTC"}
    assert apply_update(DEFAULTS, {"reset": [""]}, current) == DEFAULTS


def test_merge_may_be_a_json_string_as_the_aws_api_carries_it() -> None:
    assert apply_update(DEFAULTS, {"merge": json.dumps({"interval": 1})})["interval"] == 1


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"merge": {}, "replace": {}}, "unknown keys"),
        ({"reset": "/interval"}, "list of JSON pointers"),
        ({"reset": ["interval"]}, "must be a JSON pointer"),
        ({"merge": "{not json"}, "not valid JSON"),
        ({"merge": [1]}, "must be a JSON object"),
    ],
)
def test_bad_updates_are_refused_with_the_reason(update: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        apply_update(DEFAULTS, update)


def test_the_deployment_file_is_a_create_deployment_document(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    components = {"a": {"componentVersion": "1.0.0", "configurationUpdate": {"merge": '{"x": 1}'}}, "b": {}}
    good.write_text(json.dumps({"targetArn": "arn:...", "components": components}))
    deployment = read_deployment(good)
    assert deployment.roots == ("a", "b") and deployment.versions == {"a": "1.0.0", "b": None}
    assert deployment.update_for("a") == {"merge": '{"x": 1}'} and deployment.update_for("c") is None
    for text, message in (
        (json.dumps({"a": {"merge": {}}}), "expected"),
        (json.dumps({"components": {"a": {"configurationUpdate": []}}}), "components.a.configurationUpdate"),
        (json.dumps({"components": {"a": {"componentVersion": 1}}}), "components.a.componentVersion"),
        ("[" * 100_000, "cannot read"),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(ConfigurationError, match=message):
            read_deployment(bad)


def test_a_reset_pointing_into_an_array_is_skipped_as_the_nucleus_does() -> None:
    defaults = {"sources": [{"name": "a"}, {"name": "b"}], "keep": 1}
    current = apply_update(defaults, {"merge": {"sources": [{"name": "c"}], "keep": 2}})
    assert apply_update(defaults, {"reset": ["/sources/0"]}, current) == current
    assert apply_update(defaults, {"reset": ["/sources", "/keep"]}, current) == defaults


def test_recipes_are_read_without_regard_to_key_case(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        """
recipeformatversion: "2020-01-25"
COMPONENTNAME: com.example.Case
componentVersion: "1.0.0"
componentconfiguration: {defaultconfiguration: {KeepCase: 1}}
Manifests:
  - platform: {os: windows}
    lifecycle: {run: never}
  - Platform: {os: linux}
    Selections: [fast]
Lifecycle:
  fast:
    setenv: {A: 1, B: true}
    RUN: {script: "echo hi", Timeout: "30", requiresprivilege: "TRUE", Skipif: "onpath echo"}
"""
    )
    recipe = load_recipe(path)
    assert (recipe.name, recipe.version, recipe.default_configuration) == (
        "com.example.Case",
        "1.0.0",
        {"KeepCase": 1},
    )
    assert recipe.setenv == {"A": "1", "B": "true"}
    run = recipe.steps["run"]
    assert (run.script, run.timeout, run.requires_privilege, run.skipif) == (
        "echo hi",
        30.0,
        True,
        "onpath echo",
    )


HEAD = "ComponentName: a\nComponentVersion: '1'\n"
RUN_X = "Manifests: [{Lifecycle: {Run: x}}]"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ComponentVersion: '1'\nManifests: []", "ComponentName is required"),
        (HEAD + "Manifests: [{Platform: {os: darwin}}]", "no manifest for"),
        (HEAD + "Manifests: [{Lifecycle: {Run: {Skipif: x}}}]", "Script is required"),
        (HEAD + "Manifests: [{Lifecycle: {Run: {Script: x, Skipif: maybe}}}]", "Skipif must be"),
        ("- just a list", "must be a mapping"),
        (HEAD + "ComponentDependencies: {b: HARD}\n" + RUN_X, "dependency b must map"),
        (HEAD + "ComponentDependencies: [b]\n" + RUN_X, "ComponentDependencies must be a mapping"),
    ],
)
def test_a_wrong_recipe_is_refused_naming_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(body)
    with pytest.raises(RecipeError, match=message) as caught:
        load_recipe(path)
    assert str(path) in str(caught.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    document=JSON
    | st.fixed_dictionaries(
        {"components": st.dictionaries(st.sampled_from(["a", "aws.greengrass.Nucleus"]), JSON, max_size=2)}
    )
)
def test_any_deployment_document_is_read_or_refused_with_a_reason(document: object) -> None:
    try:
        deployment = parse_deployment(document, "hostile.json")
        deployment.interpolates_configuration()
        for name in deployment.roots:
            apply_update(DEFAULTS, deployment.update_for(name))
    except ConfigurationError as exc:
        assert str(exc)
