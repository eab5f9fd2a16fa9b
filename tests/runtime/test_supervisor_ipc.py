"""The supervisor with the real IPC server and the real awsiotsdk client in its processes.

The project's own recipes run here in developer mode (no Install, no network): every
component connects with its recipe's accessControl and the configuration merged from
its DefaultConfiguration, as on a Pi.
"""

from __future__ import annotations

import json
import queue
import shlex
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.ipclink import IpcCallRefused
from ghela.core.messages.light import LightCommand, LightState, LightStateRequest
from ghela.core.wiretypes import LightPattern

from tests.support.runtime import (
    ALERT_LIGHT,
    CLOUD_SYNC,
    METRICS,
    SCHEDULER,
    SCRAPER,
    SUITE,
    THING_NAME,
    LocalRuntime,
    write_recipe,
)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.runtime

OFFLINE = "http://127.0.0.1:9"  # nothing listens there: AWS is unreachable, as on a train
LOCAL_CONFIG: dict[str, dict[str, Any]] = {
    SCRAPER: {"sources": []},
    ALERT_LIGHT: {"pinFactory": "mock"},
    CLOUD_SYNC: {"awsEndpointUrl": OFFLINE},
    METRICS: {"awsEndpointUrl": OFFLINE},
}


def _noted(runtime: LocalRuntime, name: str, text: str) -> Callable[[], bool]:
    return lambda: text in runtime.log(name)


def test_all_five_components_start_from_their_recipes_and_report_running(tmp_path: Path) -> None:
    with LocalRuntime(tmp_path, config_overrides=LOCAL_CONFIG) as runtime:
        runtime.wait_for_state(SUITE, "FINISHED")
        for name in (SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS):
            runtime.wait_for_state(name, "RUNNING")
            # RUNNING as reported by the component itself over IPC, once its service started.
            runtime.wait_for_output(name, "started", timeout=30)
            # The runtime answers UpdateState and notes it in the log from its state worker,
            # so the note can come just after the component's own "started".
            wait_for(_noted(runtime, name, "UpdateState RUNNING"), what=f"{name}'s UpdateState")
        for name in (SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS):
            assert "Unauthorized" not in runtime.log(name), runtime.log(name)[-3000:]
            assert runtime.record(name).restarts == 0
    for name in (SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS):
        assert runtime.state(name) == "FINISHED"
        assert runtime.record(name).last_exit == 0, f"{name} did not exit cleanly on SIGTERM"


def test_a_probe_talks_to_a_real_component_within_its_access_control(tmp_path: Path) -> None:
    with LocalRuntime(tmp_path, [ALERT_LIGHT], config_overrides=LOCAL_CONFIG) as runtime:
        runtime.wait_for_output(ALERT_LIGHT, "started")
        bus = runtime.probe(publish=[topics.LIGHT_STATE_REQUEST], subscribe=[topics.LIGHT_STATE])
        states: queue.Queue[LightState] = queue.Queue()
        bus.subscribe(topics.LIGHT_STATE, states.put)
        bus.publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())
        state = states.get(timeout=10)
        assert state.on is False and state.pattern is LightPattern.OFF
        with pytest.raises(IpcCallRefused, match="UnauthorizedError"):
            bus.publish(
                topics.LIGHT_SET, LightCommand(pattern=LightPattern.STEADY, issued_at=datetime.now(UTC))
            )


def test_a_configuration_update_is_pushed_to_the_running_component(tmp_path: Path) -> None:
    with LocalRuntime(tmp_path, [ALERT_LIGHT], config_overrides=LOCAL_CONFIG) as runtime:
        runtime.wait_for_output(ALERT_LIGHT, "started")
        first = runtime.record(ALERT_LIGHT).pid
        runtime.update_configuration(ALERT_LIGHT, merge={"maxOnMinutes": 30})
        runtime.wait_for_output(ALERT_LIGHT, "configuration changed")
        assert runtime.record(ALERT_LIGHT).pid == first  # restarted in-process, not by the runtime


def test_update_state_errored_from_the_real_client_restarts_the_component(tmp_path: Path) -> None:
    script = (
        "import pathlib, time\n"
        "from ghela.core.ipc import IpcBus\n"
        "bus = IpcBus.from_environment()\n"
        "marker = pathlib.Path('first-life-done')\n"
        "if marker.exists():\n"
        "    bus.update_state('RUNNING'); print('second life', flush=True)\n"
        "else:\n"
        "    marker.touch(); print('reporting ERRORED', flush=True); bus.update_state('ERRORED')\n"
        "time.sleep(60)\n"
    )
    recipes = tmp_path / "recipes"
    run = f"exec {shlex.quote(sys.executable)} -u -c {shlex.quote(script)}"
    write_recipe(recipes, "test.Reporter", {"Run": run})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        runtime.wait_for_output("test.Reporter", "second life")
        record = runtime.record("test.Reporter")
        assert (record.restarts, record.errors) == (1, 1)
        assert record.last_error == "the component reported ERRORED"
        assert runtime.output("test.Reporter") == ["reporting ERRORED", "second life"]


@pytest.mark.moto
def test_the_jobs_endpoint_answers_on_the_local_iot_core_when_enabled(tmp_path: Path, moto_server) -> None:
    jobs = f"$aws/things/{THING_NAME}/jobs/"
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Idle", {"Run": "true"})
    with LocalRuntime(tmp_path, recipe_dir=recipes, aws_endpoint_url=moto_server.url) as runtime:
        bus = runtime.probe(iot_publish=[jobs + "start-next"], iot_subscribe=[jobs + "start-next/+"])
        answers: queue.Queue[tuple[str, bytes]] = queue.Queue()
        bus.subscribe_iot(jobs + "start-next/+", lambda topic, payload: answers.put((topic, payload)))
        bus.publish_iot(jobs + "start-next", {})
        topic, payload = answers.get(timeout=10)
    assert topic == jobs + "start-next/accepted"
    assert "execution" not in json.loads(payload)  # no job queued for this thing in moto
