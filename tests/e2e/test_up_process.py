"""``ghela up`` as a person runs it: a second run after a crash starts clean, and Ctrl-C
stops every process it started."""

from __future__ import annotations

import json

import pytest
from ghela.up.stale import alive

from tests.e2e.system import GhelaUp
from tests.support.waiting import wait_for

pytestmark = pytest.mark.runtime


def _component_pids(up: GhelaUp) -> dict[str, int]:
    status = json.loads((up.root / "state" / "runtime" / "status.json").read_text())
    return {name: info["pid"] for name, info in status["components"].items() if info.get("pid")}


def test_a_second_run_after_a_crash_starts_clean_and_ctrl_c_stops_everything(tmp_path):
    first = GhelaUp(tmp_path, name="first").start()
    moto_pid = first.info["children"][0]["pid"]
    left_behind = _component_pids(first)
    assert len(left_behind) == 5, left_behind
    first.kill()
    # The components die with the crashed orchestrator (their parent-death signal); one that
    # outlived it would be stopped by the second run (tests/runtime/test_leftovers.py).
    wait_for(lambda: not [pid for pid in left_behind.values() if alive(pid)], timeout=20,
             what="the components to die with the crashed ghela up")

    second = GhelaUp(tmp_path, port=first.port, name="second")
    try:
        second.start()
        assert not alive(moto_pid)  # moto went with the crashed orchestrator
        runs_nothing = ("Suite", "PythonEnv")  # FINISHED once installed
        states = second.info["components"].items()
        assert all(state == "RUNNING" for name, state in states if not name.endswith(runs_nothing))
        running = _component_pids(second)
        running["moto"] = second.info["children"][0]["pid"]
    finally:
        code = second.stop()
    assert code == 0, second.console()[-3000:]
    assert "Stopped." in second.console()
    assert not [name for name, pid in running.items() if alive(pid)]
    assert not (tmp_path / "state" / "up.json").exists()
