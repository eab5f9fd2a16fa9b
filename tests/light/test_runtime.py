"""Through the real local Greengrass runtime: a Scheduler alert lights the mock pin, Metrics counts it.

Three real component processes (Scheduler, AlertLight on the mock pin factory, Metrics
against moto's CloudWatch) talk over the IPC wire protocol; the test is one more IPC client.
"""

from __future__ import annotations

import queue
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ghela.core import topics
from ghela.core.messages import (
    AlertSpec,
    CommandRequest,
    CreateEvent,
    LightPattern,
    LightState,
    SnoozeActive,
    new_id,
)

from tests.support.runtime import ALERT_LIGHT, METRICS, SCHEDULER, LocalRuntime

pytestmark = [pytest.mark.runtime, pytest.mark.moto]


def metric_sum(moto, device: str, name: str, since: datetime) -> float:
    result = moto.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{
            "Id": "q",
            "MetricStat": {
                "Metric": {
                    "Namespace": "GhelamcoAlert",
                    "MetricName": name,
                    "Dimensions": [{"Name": "Device", "Value": device}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
        }],
        StartTime=since - timedelta(minutes=5),
        EndTime=since + timedelta(minutes=10),
    )["MetricDataResults"][0]
    return sum(result["Values"])


def test_an_alert_from_the_scheduler_lights_the_pin_and_is_counted(moto_server, tmp_path) -> None:
    moto_server.start()
    device = f"pi-{uuid.uuid4().hex[:8]}"
    overrides = {
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
        ALERT_LIGHT: {"pinFactory": "mock", "logLevel": "DEBUG"},
        METRICS: {
            "awsEndpointUrl": moto_server.url,
            "device": device,
            "intervalSeconds": 10,
            "bufferPath": str(tmp_path / "metrics.sqlite3"),
        },
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

        deadline = datetime.now(UTC) + timedelta(seconds=40)
        while metric_sum(moto_server, device, "AlertsStarted", starts) < 1:
            assert datetime.now(UTC) < deadline, f"no AlertsStarted; Metrics log:\n{rt.log(METRICS)[-3000:]}"
            threading.Event().wait(0.25)
        assert metric_sum(moto_server, device, "Heartbeat", starts) >= 1


def _first(states: queue.Queue[LightState], accept, timeout: float) -> LightState:
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while True:
        remaining = (deadline - datetime.now(UTC)).total_seconds()
        assert remaining > 0, "no such light state was reported"
        state = states.get(timeout=remaining)
        if accept(state):
            return state

