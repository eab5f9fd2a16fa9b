"""What a Pi receives: each component's ``ghela.zip`` holds the device package and nothing else.

The local runtime (``ghela_tools.runtime``), ``ghela up``, the packager and the cloud side
(``ghela_cloud``) never reach a device. ``ghela gdk build`` shows it: each artifact's size
and top-level contents. On a Pi (the artifact on ``PYTHONPATH``, the environment's
packages, no checkout) the ``ghela`` command still lists the developer's tools and says,
when one is called, that it is not installed there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from ghela.cli import main
from ghela_tools.packaging.build import build

from tests.support.runtime import METRICS, RECIPES, REPO, RUNNING, SCHEDULER

COMPONENTS = RUNNING
DEVICE_PACKAGE = REPO / "components" / "ghela"
PACKAGE_DATA = (".py", ".yaml", ".json", ".ics", ".html")
NOT_ON_A_PI = ("ghela_tools", "ghela_cloud", "runtime", "up", "packaging")


def device_files() -> set[str]:
    """The device package's files as the artifact names them (``ghela/...``), no caches."""
    return {
        f"ghela/{path.relative_to(DEVICE_PACKAGE).as_posix()}"
        for path in DEVICE_PACKAGE.rglob("*")
        if path.is_file() and path.suffix in PACKAGE_DATA and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each of the five components' built ``ghela.zip``, by component name."""
    out = tmp_path_factory.mktemp("build")
    components = build([RECIPES / f"{name}.yaml" for name in COMPONENTS], out, machines=())
    return {component.name: component.artifacts[0] for component in components}


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_artifact_holds_the_device_package_only(built: dict[str, Path], name: str) -> None:
    with zipfile.ZipFile(built[name]) as archive:
        names = set(archive.namelist())
    assert names == device_files()
    assert {n.split("/")[0] for n in names} == {"ghela"}
    assert not [n for n in names if set(n.split("/")) & set(NOT_ON_A_PI)]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    package = name.rsplit(".", 1)[-1].lower().replace("alertlight", "light")
    assert {"ghela/__init__.py", "ghela/cli.py", f"ghela/{package}/__main__.py"} <= names


def test_gdk_build_prints_each_artifacts_size_and_top_level_contents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "greengrass-build"
    command = ["gdk", "build", "--recipes", str(RECIPES), "--out", str(out)]
    assert main([*command, "--component", SCHEDULER, "--component", METRICS]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith(" ")] == [
        f"built {SCHEDULER} 0.1.0",
        f"built {METRICS} 0.1.0",
    ]
    described = [line for line in lines if line.startswith("  ")]
    assert len(described) == 2
    entries = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in DEVICE_PACKAGE.iterdir()
        if p.name != "__pycache__" and (p.is_dir() or p.suffix in PACKAGE_DATA)
    )
    for line, name in zip(described, (SCHEDULER, METRICS), strict=True):
        artifact = out / "artifacts" / name / "0.1.0" / "ghela.zip"
        match = re.fullmatch(r"  (\S+)  ([\d,]+) bytes: ghela/ \((.*)\)", line)
        assert match is not None, line
        assert match[1] == str(artifact)
        assert int(match[2].replace(",", "")) == artifact.stat().st_size
        assert match[3].split(", ") == entries
        assert not set(match[3].split(", ")) & {f"{part}/" for part in NOT_ON_A_PI}


def _on_a_pi(unpacked: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``python3 -m ghela.cli ...`` as on a Pi: the artifact on PYTHONPATH and the
    environment's packages, but no site processing, so this checkout's editable install
    (which would find ghela_tools and ghela_cloud) is not there."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(unpacked / "ghela"), sysconfig.get_paths()["purelib"]]),
    }
    return subprocess.run(
        [sys.executable, "-S", "-m", "ghela.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=unpacked,
        timeout=120,
        check=False,
    )


def test_on_a_pi_the_ghela_command_lists_the_tools_and_says_they_are_not_installed(
    built: dict[str, Path], tmp_path: Path
) -> None:
    unpacked = tmp_path / "artifacts-unarchived"
    with zipfile.ZipFile(built[SCHEDULER]) as archive:
        archive.extractall(unpacked / "ghela")  # as the nucleus does: {decompressedPath}/ghela/
    found = _on_a_pi(unpacked, "--help")
    assert found.returncode == 0, found.stderr
    listed = {line.split()[0] for line in found.stdout.splitlines() if line.startswith("    ")}
    assert {"schedule", "doctor", "sync", "runtime", "gdk", "up", "api", "provision", "deploy"} <= listed
    assert "up        a developer tool (ghela_tools): not installed here" in found.stdout
    assert _on_a_pi(unpacked, "doctor", "--help").returncode == 0  # what the Pi has, it runs
    for command in (["up", "--demo"], ["gdk", "build", "--component", SCHEDULER], ["deploy"]):
        answer = _on_a_pi(unpacked, *command)
        assert answer.returncode == 1
        assert answer.stdout == ""
        (line,) = answer.stderr.splitlines()
        package = "ghela_cloud" if command == ["deploy"] else "ghela_tools"
        assert line.startswith(
            f"ghela: `ghela {command[0]}` is a developer tool ({package}), not installed here; "
        )
        assert "pip install -e '.[device,cloud,tools]'" in line
