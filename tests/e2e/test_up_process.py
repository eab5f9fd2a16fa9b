"""``ghela up`` as a person runs it: a second run after a crash starts clean, the CLI finds
the running system without paths, the demo's first alert reaches the Teams stand-in, and
Ctrl-C stops every process it started."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest
from ghela_tools.up.stale import alive

from tests.e2e.system import GhelaUp
from tests.support.waiting import wait_for

pytestmark = pytest.mark.runtime


def _component_pids(up: GhelaUp) -> dict[str, int]:
    status = json.loads((up.root / "state" / "runtime" / "status.json").read_text())
    return {name: info["pid"] for name, info in status["components"].items() if info.get("pid")}


def _ghela_without_paths(up: GhelaUp, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``ghela`` command run from another folder, as a person would after ``ghela up``."""
    env = {k: v for k, v in os.environ.items() if k not in ("GHELA_DB", "GHELA_CLOUDSYNC_STATE")}
    env["GHELA_LOCATOR"] = str(up.locator)
    elsewhere = up.root / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "ghela.cli", *args],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _shows(up: GhelaUp, args: list[str], shows: str) -> bool:
    shown = _ghela_without_paths(up, *args)
    return shown.returncode == 0 and shows in shown.stdout


def test_a_second_run_after_a_crash_starts_clean_and_ctrl_c_stops_everything(tmp_path):
    first = GhelaUp(tmp_path, name="first").start()
    moto_pid = first.info["children"][0]["pid"]
    left_behind = _component_pids(first)
    assert len(left_behind) == 5, left_behind
    first.kill()
    # The components die with the crashed orchestrator (their parent-death signal); one that
    # outlived it would be stopped by the second run (tests/runtime/test_leftovers.py).
    wait_for(
        lambda: not [pid for pid in left_behind.values() if alive(pid)],
        timeout=20,
        what="the components to die with the crashed ghela up",
    )

    second = GhelaUp(tmp_path, port=first.port, name="second")
    try:
        second.start()
        assert not alive(moto_pid)  # moto went with the crashed orchestrator
        runs_nothing = ("Suite", "PythonEnv")  # FINISHED once installed
        states = second.info["components"].items()
        assert all(state == "RUNNING" for name, state in states if not name.endswith(runs_nothing))
        running = _component_pids(second)
        running["moto"] = second.info["children"][0]["pid"]
        wait_for(lambda: "Sync state" in second.console(), timeout=20, what="ghela up's summary")
        database = str(tmp_path / "state" / "runtime" / "work" / "com.ghelamco.alert.Scheduler" / "ghela.db")
        assert database in second.console()
        for args, shows in (
            (["schedule"], "KAA Gent"),  # once the first scrape has reached the Scheduler
            (["next"], "light on"),
            (["runtime", "status"], "com.ghelamco.alert.Scheduler"),
            (["sync", "status"], "cloudsync-state.sqlite3"),
        ):
            wait_for(
                functools.partial(_shows, second, args, shows),
                timeout=60,
                what=f"`ghela {' '.join(args)}` without paths to show {shows!r}",
            )
        # The demo's first alert started at start-up (--demo-lead 0), before the first sync
        # reached the planner: the Teams stand-in still prints its notice, once.
        notice = "early warning. Move your car off the lot by"
        wait_for(lambda: notice in second.console(), timeout=60, what="the first alert's Teams notice")
        assert second.console().count(notice) == 1
    finally:
        code = second.stop()
    assert code == 0, second.console()[-3000:]
    assert "Stopped." in second.console()
    assert not [name for name, pid in running.items() if alive(pid)]
    assert not (tmp_path / "state" / "up.json").exists()
