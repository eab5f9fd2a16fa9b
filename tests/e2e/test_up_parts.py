"""The parts of ``ghela up`` that need no browser: the demo kick-offs, the configuration
override every component must accept, stale-run clearing, and the progress display."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ghela.cloudsync.config import CloudSyncConfig
from ghela.core.errors import ConfigurationError
from ghela.light.config import LightConfig
from ghela.metrics.config import MetricsConfig
from ghela.scheduler.config import SchedulerConfig
from ghela.scraper.config import ScraperConfig
from ghela_tools.packaging.deployment import deployment_document
from ghela_tools.runtime.configmerge import apply_update
from ghela_tools.runtime.recipes import load_recipes
from ghela_tools.up.children import Child
from ghela_tools.up.demo import demo_kickoffs, first_alert, scheduler_config
from ghela_tools.up.overrides import local_overrides
from ghela_tools.up.progress import Progress, summary
from ghela_tools.up.stale import StateFile, alive, clear_stale

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("lead_seconds", [0, 90, 120, 600])
def test_the_first_demo_alert_starts_within_the_minute_before_the_lead(lead_seconds):
    config = SchedulerConfig()
    kickoffs = demo_kickoffs(config, NOW, timedelta(seconds=lead_seconds))
    alert = first_alert(config, kickoffs)
    assert alert is not None
    target = NOW + timedelta(seconds=lead_seconds)
    assert target - timedelta(minutes=1) < alert <= target
    assert alert.second == 0
    # The earliest rule of the plan is what starts first.
    assert alert == kickoffs[0] + timedelta(minutes=min(r.offset_minutes for r in config.alert_plan))


def test_later_demo_games_kick_off_at_local_evening_times_across_dst():
    # 25 March 2027 is before the spring DST change (28 March): the +8 days game is after it.
    now = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
    _, second, third = demo_kickoffs(SchedulerConfig(), now)
    assert second.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2027-04-02 20:45"
    assert third.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2027-04-09 18:15"


def test_the_demo_uses_the_schedulers_configuration_from_its_recipe():
    defaults = load_recipes(RECIPES)["com.ghelamco.alert.Scheduler"].default_configuration
    config = scheduler_config(defaults)
    assert config.alert_plan == SchedulerConfig().alert_plan
    shorter = scheduler_config(
        defaults,
        {"alertPlan": [{"label": "go", "offsetMinutes": -30, "durationMinutes": 10, "pattern": "steady"}]},
    )
    kickoffs = demo_kickoffs(shorter, NOW, timedelta(seconds=60))
    assert first_alert(shorter, kickoffs) == kickoffs[0] - timedelta(minutes=30)


def _validated(model, name, overrides):
    merged = apply_update(load_recipes(RECIPES)[name].default_configuration, overrides.get(name))
    merged.pop("accessControl", None)
    return model.model_validate(merged)


def test_every_component_accepts_the_local_override(tmp_path):
    """The override merged over each recipe's defaults passes that component's own model."""
    feed = tmp_path / "demo.ics"
    overrides = local_overrides(
        "http://127.0.0.1:5555", "ghela-local-pi", "t-events", "t-jobs", demo_feed=feed
    )
    prefix = "com.ghelamco.alert."
    scraper = _validated(ScraperConfig, prefix + "Scraper", overrides)
    assert [(s.name, s.kind, s.url) for s in scraper.sources] == [("demo", "ics", feed.resolve().as_uri())]
    _validated(SchedulerConfig, prefix + "Scheduler", overrides)
    assert _validated(LightConfig, prefix + "AlertLight", overrides).pin_factory == "mock"
    cloudsync = _validated(CloudSyncConfig, prefix + "CloudSync", overrides)
    assert (cloudsync.aws_endpoint_url, cloudsync.events_table, cloudsync.jobs_table) == (
        "http://127.0.0.1:5555",
        "t-events",
        "t-jobs",
    )
    metrics = _validated(MetricsConfig, prefix + "Metrics", overrides)
    assert (metrics.aws_endpoint_url, metrics.device) == ("http://127.0.0.1:5555", "ghela-local-pi")

    document = deployment_document(load_recipes(RECIPES), "arn:aws:iot:eu-west-1:1:thinggroup/g", overrides)
    merge = json.loads(document["components"][prefix + "CloudSync"]["configurationUpdate"]["merge"])
    assert merge["jobsTable"] == "t-jobs"


def test_without_demo_the_scrapers_live_sources_are_kept():
    overrides = local_overrides("http://127.0.0.1:5555", "pi", "e", "j")
    assert "com.ghelamco.alert.Scraper" not in overrides


def _sleeper(tmp_path: Path, name: str) -> Child:
    child = Child(name, [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / f"{name}.log")
    child.start()
    return child


def test_a_crashed_runs_children_and_components_are_stopped(tmp_path):
    runtime_status = tmp_path / "runtime" / "status.json"
    child = _sleeper(tmp_path, "moto")
    # A component process as the runtime's status file records it ("ghela" in its command line).
    component = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "ghela.scheduler"], start_new_session=True
    )
    runtime_status.parent.mkdir(parents=True)
    runtime_status.write_text(json.dumps({"pid": 1, "components": {"Scheduler": {"pid": component.pid}}}))
    # The crashed orchestrator: a pid that no longer runs.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    state = StateFile(tmp_path)
    state.write([child])
    assert state.path.stat().st_mode & 0o777 == 0o600  # it can hold the demo password
    document = json.loads(state.path.read_text())
    document["pid"] = gone.pid
    state.path.write_text(json.dumps(document))
    try:
        cleared = clear_stale(tmp_path, runtime_status, grace=5.0)
        assert any(line.startswith("moto") for line in cleared)
        assert any(line.startswith("Scheduler") for line in cleared)
        assert child.process is not None and child.process.wait(timeout=5) is not None
        assert component.wait(timeout=5) is not None
        assert not state.path.exists()
    finally:
        child.stop(grace=1)
        component.kill()
        component.wait()


def test_an_unrelated_process_with_a_recycled_pid_is_left_alone(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        state_file = tmp_path / "up.json"
        state_file.write_text(
            json.dumps(
                {
                    "pid": gone.pid,
                    "children": [
                        {"name": "moto", "pid": other.pid, "argv": [sys.executable, "-m", "moto.server"]}
                    ],
                }
            )
        )
        assert clear_stale(tmp_path, tmp_path / "none.json") == []
        assert alive(other.pid)
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize(
    "record",
    [
        [],
        "up",
        {"pid": "not a pid", "children": "none"},
        {"pid": True, "children": [7, None, {"pid": -1, "argv": "sleep"}, {"pid": "1", "argv": ["x"]}]},
    ],
)
def test_a_damaged_record_is_cleared_without_stopping_anything(tmp_path, record):
    StateFile(tmp_path).path.write_text(json.dumps(record))
    assert clear_stale(tmp_path, tmp_path / "none.json") == []
    assert not StateFile(tmp_path).path.exists()


def test_a_running_ghela_up_is_not_cleared_but_refused(tmp_path):
    StateFile(tmp_path).path.write_text(json.dumps({"pid": os.getppid(), "children": []}))
    with pytest.raises(ConfigurationError, match="already running"):
        clear_stale(tmp_path, tmp_path / "none.json")


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path):
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    child = Child("stubborn", [sys.executable, "-c", script], tmp_path / "stubborn.log")
    child.start()
    deadline = time.monotonic() + 10
    while "ready" not in child.log_tail() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.stop(grace=0.3) == -signal.SIGKILL


def test_progress_reports_each_step_and_failure():
    out = io.StringIO()
    progress = Progress(total=2, stream=out)
    with progress.step("Starting moto"):
        pass
    with pytest.raises(RuntimeError), progress.step("Provisioning"):
        raise RuntimeError("boom")
    text = out.getvalue()
    assert "[1/2] Starting moto ... done" in text
    assert "[2/2] Provisioning ... FAILED" in text


def test_the_summary_lines_up_labels():
    text = summary([("Web page", "http://127.0.0.1:8080/"), ("Password", "x")])
    assert "  Web page  http://127.0.0.1:8080/" in text
    assert "  Password  x" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_line_said_during_a_step_does_not_run_into_the_ticker():
    out = _Terminal()
    progress = Progress(total=1, stream=out)
    with progress.step("Waiting"):
        deadline = time.monotonic() + 5
        while "Waiting ... " not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        progress.say("light ON")
    lines = out.getvalue().split("\r\033[K")
    assert any(line.startswith("light ON\n") for line in lines), out.getvalue()
    assert "[1/1] Waiting ... done" in lines[-1]
