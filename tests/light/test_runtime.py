"""Through the real local Greengrass runtime: a Scheduler alert lights the mock pin, Metrics counts it.

Three real component processes (Scheduler, AlertLight on the mock pin factory, Metrics
against moto's CloudWatch) talk over the IPC wire protocol; the test is one more IPC client.
"""

from __future__ import annotations

import queue
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import CommandRequest, CreateEvent, SnoozeActive
from ghela.core.messages.light import LightState
from ghela.core.wiretypes import LightPattern, new_id

from tests.support.cloudwatch import metric_sum, metrics_overrides, wait_for_metric
from tests.support.runtime import ALERT_LIGHT, METRICS, SCHEDULER, LocalRuntime

pytestmark = [pytest.mark.runtime, pytest.mark.moto]


def test_an_alert_from_the_scheduler_lights_the_pin_and_is_counted(moto_server, tmp_path) -> None:
    moto_server.start()
    device = f"pi-{uuid.uuid4().hex[:8]}"
    overrides: dict[str, dict[str, Any]] = {
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
        ALERT_LIGHT: {"pinFactory": "mock", "logLevel": "DEBUG"},
        METRICS: metrics_overrides(moto_server, device, tmp_path),
    }
    components = [SCHEDULER, ALERT_LIGHT, METRICS]
    with LocalRuntime(tmp_path, components=components, config_overrides=overrides) as rt:
        for name in (SCHEDULER, ALERT_LIGHT, METRICS):
            rt.wait_for_state(name, "RUNNING")
            rt.wait_for_output(name, f"{name.rsplit('.', 1)[1]} started")  # subscribed by now
        states: queue.Queue[LightState] = queue.Queue()
        probe = rt.probe(publish=[topics.COMMAND], subscribe=[topics.LIGHT_STATE])
        probe.subscribe(topics.LIGHT_STATE, states.put)
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        create = CreateEvent(
            title="Runtime test concert",
            start=starts + timedelta(hours=4),
            alerts=[AlertSpec(at=starts, duration_minutes=5, pattern=LightPattern.STEADY, label="now")],
        )
        probe.publish(topics.COMMAND, CommandRequest(command_id=new_id(), command=create))

        lit = _first(states, lambda s: s.on, timeout=30)
        assert lit.pattern is LightPattern.STEADY and lit.since >= starts - timedelta(seconds=1)
        rt.wait_for_output(ALERT_LIGHT, "GPIO17 relay on", timeout=10)

        probe.publish(topics.COMMAND, CommandRequest(command_id=new_id(), command=SnoozeActive(minutes=10)))
        off = _first(states, lambda s: not s.on, timeout=30)
        assert off.pattern is LightPattern.OFF
        rt.wait_for_output(ALERT_LIGHT, "GPIO17 relay off", timeout=10)

        wait_for_metric(moto_server, device, "AlertsStarted", starts, metrics_log=lambda: rt.log(METRICS))
        assert metric_sum(moto_server, device, "Heartbeat", starts) >= 1


def _first(states: queue.Queue[LightState], accept, timeout: float) -> LightState:
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while True:
        remaining = (deadline - datetime.now(UTC)).total_seconds()
        assert remaining > 0, "no such light state was reported"
        state = states.get(timeout=remaining)
        if accept(state):
            return state

