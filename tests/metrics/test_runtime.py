"""Metrics as a real process under the local runtime: bad messages are counted, never fatal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from awsiot.greengrasscoreipc.model import JsonMessage, PublishMessage
from ghela.core import topics
from ghela.core.ipc import SOCKET_ENV, TOKEN_ENV, unix_socket_connector
from ghela.core.messages import Activity, ActivityKind

from tests.support.cloudwatch import metric_sum, metrics_overrides, wait_for_metric
from tests.support.runtime import METRICS, LocalRuntime

pytestmark = [pytest.mark.runtime, pytest.mark.moto]


def test_bad_messages_are_counted_and_metrics_keeps_running(moto_server, tmp_path) -> None:
    moto_server.start()
    device = f"pi-{uuid.uuid4().hex[:8]}"
    overrides = {METRICS: metrics_overrides(moto_server, device, tmp_path)}
    with LocalRuntime(tmp_path, components=[METRICS], config_overrides=overrides) as rt:
        rt.wait_for_state(METRICS, "RUNNING")
        rt.wait_for_output(METRICS, "Metrics started")
        env = rt.probe_environment(publish=[topics.JOB_OUTCOME, topics.ACTIVITY])
        raw = unix_socket_connector(env[SOCKET_ENV], env[TOKEN_ENV])(lambda: None)
        try:
            for bad in ({"job_id": "j1", "status": "MAYBE"}, {"kind": "party"}):
                topic = topics.JOB_OUTCOME if "job_id" in bad else topics.ACTIVITY
                message = PublishMessage(json_message=JsonMessage(message=bad))
                raw.publish_to_topic(topic=topic, publish_message=message)
            good = Activity(kind=ActivityKind.EVENT_ADDED, at=datetime.now(UTC), component="test")
            raw.publish_to_topic(
                topic=topics.ACTIVITY,
                publish_message=PublishMessage(json_message=JsonMessage(message=good.model_dump(mode="json"))),
            )
        finally:
            raw.close()
        now = datetime.now(UTC)
        wait_for_metric(moto_server, device, "EventsAdded", now, metrics_log=lambda: rt.log(METRICS))
        assert rt.record(METRICS).restarts == 0, rt.log(METRICS)[-3000:]
        assert metric_sum(moto_server, device, "InvalidMessages", now) >= 1


def test_metrics_ships_its_logs_to_its_log_group_and_stops_cleanly(moto_server, tmp_path) -> None:
    moto_server.start()
    thing = f"pi-{uuid.uuid4().hex[:8]}"
    overrides = {
        METRICS: {
            "awsEndpointUrl": moto_server.url,
            "bufferPath": str(tmp_path / "metrics.sqlite3"),
            "logGroup": "/ghela/{thing}/{component}",
            "logShipping": {"sendIntervalSeconds": 1},
        }
    }
    with LocalRuntime(tmp_path, components=[METRICS], config_overrides=overrides, thing_name=thing) as rt:
        rt.wait_for_state(METRICS, "RUNNING")
        rt.wait_for_output(METRICS, "Metrics started")
    # Leaving the runtime sent SIGTERM: the shipper flushed on the way out, and exit was clean.
    assert rt.record(METRICS).last_exit == 0, rt.log(METRICS)[-3000:]
    logs = moto_server.client("logs")
    events = logs.get_log_events(logGroupName=f"/ghela/{thing}/Metrics", logStreamName=thing)["events"]
    assert any("Metrics started" in e["message"] for e in events)
