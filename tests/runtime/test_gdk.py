"""GDK projects, ``ghela gdk build`` and ``ghela gdk publish``.

GDK itself is not on PyPI, so CI cannot run it; these tests pin the names and layout the
real GDK CLI (aws-greengrass-gdk-cli 1.6.2) reads: ``gdk-config.json`` beside a
``recipe.yaml`` (``GDKProject._get_recipe_file``, which resolves the link, so the name GDK
then looks for is the linked recipe's), the custom build run in the project folder, and
publish reading ``greengrass-build/recipes/<that name>`` and uploading everything in
``greengrass-build/artifacts/<name>/<version>/`` to ``<name>/<version>/<file>``
(``PublishCommand.upload_artifacts_s3``, ``PublishRecipeTransformer.transform``).

Publishing talks to moto's server over HTTP for S3. moto has no greengrassv2 (only
Greengrass v1), so that client is a real boto3 client under botocore's Stubber: the
request is still checked against the real API model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import ghela
import pytest
import yaml
from botocore.stub import ANY, Stubber
from ghela.cli import main
from ghela_tools.packaging import wheels
from ghela_tools.packaging.build import build, check_lock, device_requirements
from ghela_tools.packaging.publish import Publisher
from ghela_tools.packaging.validation import PackagingError, read_gdk_config, validate_recipe
from ghela_tools.runtime.recipes import load_recipe, load_recipes

from tests.support.moto import MotoServer, free_port
from tests.support.runtime import RECIPES, REPO, SCRAPER, SUITE

GDK_CONFIGS = [REPO / "gdk-config.json", *sorted((REPO / "gdk").glob("*/gdk-config.json"))]
PYTHON_ENV = "com.ghelamco.alert.PythonEnv"
X86 = ("x86_64",)
"""Tests build the Python environment for this machine only; ghela gdk build makes both."""


def gdk_recipe_name(project: Path) -> str:
    """The built recipe's file name GDK's publish opens for this project (see the docstring)."""
    return (project / "recipe.yaml").resolve().name


@pytest.mark.parametrize("path", GDK_CONFIGS, ids=lambda p: p.parent.name)
def test_every_gdk_config_is_valid_and_matches_its_recipe(path: Path) -> None:
    config = read_gdk_config(path)
    ((name, component),) = config["component"].items()
    recipe = load_recipe(path.parent / "recipe.yaml")  # what GDK reads beside the config
    assert recipe.name == name
    assert component["version"] == recipe.version == ghela.__version__
    assert component["build"]["build_system"] == "custom"


def test_every_component_has_a_gdk_project_and_the_root_one_is_the_suite() -> None:
    names = {next(iter(read_gdk_config(p)["component"])) for p in GDK_CONFIGS}
    assert names == set(load_recipes(RECIPES))
    assert next(iter(read_gdk_config(REPO / "gdk-config.json")["component"])) == SUITE
    for path in GDK_CONFIGS:  # one recipe per component: the GDK projects link to recipes/
        assert (path.parent / "recipe.yaml").resolve().parent == RECIPES
        name = next(iter(read_gdk_config(path)["component"]))
        assert gdk_recipe_name(path.parent) == f"{name}.yaml"  # what ghela gdk build writes


def test_build_writes_gdks_layout_with_reproducible_artifacts(tmp_path: Path) -> None:
    paths = sorted(RECIPES.glob("*.yaml"))
    first = build(paths, tmp_path / "one", machines=X86)
    build(paths, tmp_path / "two", machines=X86)  # a second build, byte-compared below
    assert [b.name for b in first] == [load_recipe(p).name for p in paths]
    for component in first:
        recipe = yaml.safe_load(component.recipe.read_text())
        validate_recipe(recipe, str(component.recipe))
        uris = [a["URI"] for m in recipe["Manifests"] for a in m.get("Artifacts", [])]
        assert component.recipe == tmp_path / "one" / "recipes" / f"{component.name}.yaml"
        assert "{PYTHON_ENV_KEY}" not in component.recipe.read_text()
        if component.name == SUITE:
            assert uris == [] and component.artifacts == ()
            continue
        folder = tmp_path / "one" / "artifacts" / component.name / component.version
        if component.name == PYTHON_ENV:
            assert uris == [f"s3://{{BUCKET_NAME}}/{PYTHON_ENV}/{component.version}/python-env-{m}.zip"
                            for m in ("aarch64", "x86_64")]  # fmt: skip
            assert component.artifacts == (folder / "python-env-x86_64.zip",)  # only what was asked for
        else:
            assert uris == [f"s3://{{BUCKET_NAME}}/{component.name}/{component.version}/ghela.zip"]
            assert component.artifacts == (folder / "ghela.zip",)
        for artifact in component.artifacts:
            twin = tmp_path / "two" / artifact.relative_to(tmp_path / "one")
            assert artifact.read_bytes() == twin.read_bytes()
    code = next(c for c in first if c.name == SCRAPER)
    with zipfile.ZipFile(code.artifacts[0]) as archive:
        names = archive.namelist()
    assert "ghela/__init__.py" in names and "ghela/scraper/__main__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    python_env = next(c for c in first if c.name == PYTHON_ENV)
    with zipfile.ZipFile(python_env.artifacts[0]) as archive:
        names = archive.namelist()
        lock = archive.read("device.lock")  # unpacked into {artifacts:decompressedPath}/python-env-x86_64/
    assert lock == wheels.LOCK.read_bytes()
    assert "install-env.sh" in names
    top = {n.split("/")[0] for n in names}
    assert top == {"device.lock", "install-env.sh", "compile-env.sh", "wheels"}  # no code
    found = {n.split("/")[-1].split("-")[0].lower() for n in names if n.endswith(".whl")}
    assert {"awsiotsdk", "awscrt", "pydantic", "scrapy", "gpiozero"} <= found
    assert not [n for n in names if n.endswith((".tar.gz", ".zip"))]  # wheels only, nothing to compile


def test_the_lock_pins_every_device_requirement_with_hashes() -> None:
    check_lock()  # raises when pyproject.toml gained a requirement the lock lacks
    text = wheels.LOCK.read_text()
    pinned = [line for line in text.splitlines() if "==" in line and not line.startswith("#")]
    assert len(pinned) > 30 and all(line.endswith("\\") for line in pinned)  # a hash follows each
    assert "pip-compile" in text.splitlines()[4] and "--generate-hashes" in text.splitlines()[4]
    assert not any(r.startswith(("moto", "pytest")) for r in device_requirements())


def test_the_artifact_holds_a_complete_package(tmp_path: Path) -> None:
    (built,) = build([RECIPES / "com.ghelamco.alert.Scheduler.yaml"], tmp_path / "build", machines=X86)
    with zipfile.ZipFile(built.artifacts[0]) as archive:
        archive.extractall(tmp_path / "unpacked")
    # Imported from the unpacked artifact only (-I: no site-packages of the checkout).
    code = "import ghela, ghela.core.topics as t; print(ghela.__file__); print(t.LIGHT_SET)"
    answer = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path / 'unpacked')!r}); {code}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    where, topic = answer.stdout.split()
    assert where == str(tmp_path / "unpacked" / "ghela" / "__init__.py") and topic == "ghela/light/set"


@pytest.mark.parametrize("path", GDK_CONFIGS[1:3], ids=lambda p: p.parent.name)
def test_a_gdk_projects_custom_build_command_builds_that_component(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ((name, component),) = read_gdk_config(path)["component"].items()
    command = component["build"]["custom_build_command"]
    assert command[:3] == ["ghela", "gdk", "build"]
    project = tmp_path / "gdk" / name  # the same relative layout as the repository
    project.mkdir(parents=True)
    (tmp_path / "recipes").symlink_to(RECIPES)
    monkeypatch.chdir(project)
    assert main(command[1:]) == 0
    (project / "recipe.yaml").symlink_to(path.parent / "recipe.yaml")  # as GDK finds it
    built = yaml.safe_load((project / "greengrass-build" / "recipes" / gdk_recipe_name(project)).read_text())
    assert built["ComponentName"] == name
    assert (project / "greengrass-build" / "artifacts" / name / component["version"] / "ghela.zip").is_file()


@pytest.mark.moto
def test_publish_uploads_and_registers_as_gdk_does(
    tmp_path: Path, moto_server: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    out = str(tmp_path / "greengrass-build")
    assert main(["gdk", "build", "--recipes", str(RECIPES), "--out", out, "--arch", "x86_64"]) == 0
    incomplete = Publisher(moto_server.client("s3"), None, bucket="ghela-test-artifacts", region="eu-west-1")
    with pytest.raises(PackagingError, match=r"python-env-aarch64\.zip is missing"):
        incomplete.publish(tmp_path / "greengrass-build")  # refused before anything is uploaded
    buckets = [b["Name"] for b in moto_server.client("s3").list_buckets()["Buckets"]]
    assert "ghela-test-artifacts" not in buckets
    aarch64 = Path(out) / "artifacts" / PYTHON_ENV / ghela.__version__ / "python-env-aarch64.zip"
    aarch64.write_bytes(b"stands in for the aarch64 environment (built on every real build)")
    names = sorted(load_recipes(RECIPES))
    greengrass = boto3.client("greengrassv2", region_name="eu-west-1")
    stubber = Stubber(greengrass)
    for name in names:
        stubber.add_response(
            "create_component_version",
            {
                "arn": f"arn:aws:greengrass:eu-west-1:123456789012:components:{name}:versions:0.1.0",
                "componentName": name,
                "componentVersion": ghela.__version__,
                "creationTimestamp": datetime(2026, 11, 25, tzinfo=UTC),
                "status": {"componentState": "REQUESTED", "message": "requested"},
            },
            {"inlineRecipe": ANY},
        )
    requests: list[dict] = []
    greengrass.meta.events.register(
        "before-parameter-build.greengrassv2.CreateComponentVersion",
        lambda params, **_: requests.append(json.loads(params["inlineRecipe"])),
    )
    publisher = Publisher(
        moto_server.client("s3"),
        greengrass,
        bucket="ghela-test-artifacts",
        region="eu-west-1",
    )
    with stubber:
        published = publisher.publish(tmp_path / "greengrass-build")
        stubber.assert_no_pending_responses()
    assert [p.name for p in published] == names
    keys = {
        o["Key"] for o in moto_server.client("s3").list_objects_v2(Bucket="ghela-test-artifacts")["Contents"]
    }
    version = ghela.__version__
    environments = {f"{PYTHON_ENV}/{version}/python-env-{m}.zip" for m in ("aarch64", "x86_64")}
    assert keys == {f"{n}/{version}/ghela.zip" for n in names if n not in (SUITE, PYTHON_ENV)} | environments
    by_name = {r["ComponentName"]: r for r in requests}
    scraper = by_name["com.ghelamco.alert.Scraper"]["Manifests"][0]["Artifacts"][0]["URI"]
    assert scraper == f"s3://ghela-test-artifacts/com.ghelamco.alert.Scraper/{ghela.__version__}/ghela.zip"


def test_publish_with_aws_out_of_reach_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    out = tmp_path / "greengrass-build"
    assert main(["gdk", "build", "--recipes", str(RECIPES), "--out", str(out), "--component", SUITE]) == 0
    capsys.readouterr()
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    command = ["gdk", "publish", "--build-dir", str(out), "--bucket", "b", "--region", "eu-west-1"]
    assert main([*command, "--endpoint-url", nowhere]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ghela: error: publishing failed: Could not connect")


def test_build_into_a_folder_that_cannot_be_made_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "greengrass-build"
    assert main(["gdk", "build", "--recipes", str(RECIPES), "--out", str(out), "--component", SUITE]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ghela: error: gdk build failed:")
