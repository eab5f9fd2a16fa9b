"""``ghela runtime run`` killed with SIGKILL leaves no component behind, and the next start
clears one that outlived it anyway (it ignored the parent-death signal).

The runtime runs as a real process here, as a user starts it; its components are tiny
recipes whose command line says ``ghela`` (the clearing only touches our own programs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ghela_tools.runtime.leftovers import alive

from tests.support.runtime import python, write_recipe
from tests.support.waiting import wait_for

pytestmark = pytest.mark.runtime

REPO = Path(__file__).resolve().parents[2]
NAME = "test.Leftover"


def _runtime(recipes: Path, root: Path, out: Path) -> subprocess.Popen[bytes]:
    with out.open("ab") as sink:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ghela.cli",
                "runtime",
                "run",
                *("--recipes", str(recipes)),
                *("--root", str(root)),
            ],
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _component_pid(root: Path, not_pid: int = 0) -> int:
    found: list[int] = []

    def running() -> bool:
        try:
            info = json.loads((root / "status.json").read_text())["components"][NAME]
        except (OSError, ValueError, KeyError):
            return False
        if info.get("state") == "RUNNING" and info.get("pid") not in (None, not_pid):
            found.append(int(info["pid"]))
            return True
        return False

    wait_for(running, timeout=30, what=f"{NAME} running under the runtime")
    return found[-1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_killed_runtime_takes_its_components_with_it(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, NAME, {"Run": f"exec {python('import time; time.sleep(120)')} ghela-test"})
    runtime = _runtime(recipes, tmp_path / "root", tmp_path / "runtime.out")
    try:
        component = _component_pid(tmp_path / "root")
        runtime.kill()
        runtime.wait()
        wait_for(lambda: not alive(component), timeout=10, what="the orphaned component to die")
    finally:
        _stop(runtime)


def test_the_next_start_clears_a_component_that_outlived_a_crashed_runtime(tmp_path: Path) -> None:
    recipes, root = tmp_path / "recipes", tmp_path / "root"
    # The first life ignores SIGTERM (so it outlives the runtime); later lives do not.
    code = (
        "import os, signal, time\n"
        f"marker = {str(tmp_path / 'first-life')!r}\n"
        "if not os.path.exists(marker):\n"
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    open(marker, 'w').close()\n"
        "time.sleep(120)"
    )
    write_recipe(recipes, NAME, {"Run": f"exec {python(code)} ghela-test"})
    first = _runtime(recipes, root, tmp_path / "first.out")
    second: subprocess.Popen[bytes] | None = None
    survivor = 0
    try:
        survivor = _component_pid(root)
        wait_for((tmp_path / "first-life").exists, timeout=10, what="the first life to ignore SIGTERM")
        first.kill()
        first.wait()
        assert alive(survivor), "the component ignored SIGTERM, so it outlived its runtime"

        second = _runtime(recipes, root, tmp_path / "second.out")
        replacement = _component_pid(root, not_pid=survivor)
        assert not alive(survivor)
        assert alive(replacement)
        output = (tmp_path / "second.out").read_text()
        assert f"stopped a leftover of a crashed runtime: {NAME} (pid {survivor})" in output
    finally:
        if second is not None:
            _stop(second)
        _stop(first)
        if survivor and alive(survivor):  # the test failed before the second start cleared it
            os.kill(survivor, signal.SIGKILL)
