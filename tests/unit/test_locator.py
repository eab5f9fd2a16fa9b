"""The CLI finds the running system: ``ghela schedule``, ``next``, ``runtime status`` and
``sync status`` with no paths, right after a runtime root exists (as ``ghela up`` leaves it),
and on a Pi's Greengrass root; explicit flags still win."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ghela.cli import main
from ghela.cloudsync.store import StateStore
from ghela.core.clock import SystemClock
from ghela.locator import System, locate, write_locator
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.demo import write_demo
from ghela.scheduler.store import Store


def _runtime_root(root: Path) -> System:
    """What a running ``ghela up`` has under its runtime root: database, sync state, status."""
    system = System.under(root)
    system.database.parent.mkdir(parents=True)
    store = Store(system.database)
    write_demo(store, SchedulerConfig(), SystemClock().now())
    store.close()
    system.sync_state.parent.mkdir(parents=True)
    StateStore(system.sync_state).close()
    components = {"com.ghelamco.alert.Scheduler": {"state": "RUNNING", "version": "1.0.0", "restarts": 2}}
    system.status_file.write_text(json.dumps({"pid": os.getpid(), "components": components}))
    return system


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder of its own with no ghela.db or state file in it; no $GHELA_* paths."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("GHELA_DB", "GHELA_CLOUDSYNC_STATE", "GHELA_LOCATOR"):
        monkeypatch.delenv(name, raising=False)
    return work


@pytest.fixture
def running(elsewhere: Path, tmp_path: Path) -> System:
    system = _runtime_root(tmp_path / "up" / "runtime")
    write_locator(system)  # what `ghela up` / `ghela runtime run` do once the runtime started
    return system


def test_schedule_and_next_find_the_database(running: System, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule"]) == 0
    assert "KAA Gent – Club Brugge" in capsys.readouterr().out
    assert main(["next", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["line"].startswith(("Next: light on", "Now: light on")) and shown["next"]["alert_id"] >= 1
    assert main(["db", "check"]) == 0
    assert str(running.database) in capsys.readouterr().out


def test_runtime_status_finds_the_root(running: System, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runtime", "status"]) == 0
    out = capsys.readouterr().out
    assert "com.ghelamco.alert.Scheduler" in out and "RUNNING" in out


def test_sync_status_finds_the_state(running: System, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == str(running.sync_state)


def test_explicit_paths_still_win(
    running: System, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    assert main(["schedule", "--db", str(other)]) == 1
    assert f"no database at {other}" in capsys.readouterr().err
    assert main(["runtime", "status", "--root", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_db_demo_never_overwrites_the_running_database(running: System, elsewhere: Path) -> None:
    assert main(["db", "demo"]) == 0
    assert (elsewhere / "ghela.db").exists()


def test_without_a_running_system_the_old_defaults_are_named(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schedule"]) == 1
    assert "no database at ghela.db" in capsys.readouterr().err
    assert main(["sync", "status"]) == 1
    assert "cloudsync-state.sqlite3" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["{", "[]", '{"root": 1}', '{"root": "/x"}', "\ud800"])
def test_a_broken_locator_counts_as_none(elsewhere: Path, tmp_path: Path, text: str) -> None:
    path = tmp_path / "running.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert locate(path, greengrass_root=tmp_path / "no-greengrass") is None


def test_on_a_pi_the_greengrass_work_folders_are_used(elsewhere: Path, tmp_path: Path) -> None:
    greengrass = tmp_path / "greengrass" / "v2"
    system = _runtime_root(greengrass)
    found = locate(tmp_path / "no-locator.json", greengrass_root=greengrass)
    assert found == system
    assert found is not None and found.database == greengrass / "work/com.ghelamco.alert.Scheduler/ghela.db"
