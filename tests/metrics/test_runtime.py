"""Metrics as a real process under the local runtime: bad messages are counted, never fatal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from awsiot.greengrasscoreipc.model import BinaryMessage, JsonMessage, PublishMessage
from ghela.core import topics
from ghela.core.ipclink import unix_socket_connector
from ghela.core.messages.commands import CommandResult, CommandStatus
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.nucleusenv import SOCKET_ENV, TOKEN_ENV

from tests.support import hostile
from tests.support.cloudwatch import metric_sum, metrics_overrides, wait_for_metric
from tests.support.runtime import METRICS, SCHEDULER, LocalRuntime
from tests.support.waiting import wait_for

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
    overrides: dict[str, dict[str, Any]] = {
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


POISON_AT = "9999-12-31T23:59:00-01:00"


def test_hostile_ipc_messages_to_metrics_and_the_scheduler_are_counted_never_fatal(
    moto_server, tmp_path
) -> None:
    """The Activity and ScrapeResult that used to break Metrics and restart the Scheduler,
    and garbage bodies, over the real IPC wire: both keep running, every one is counted,
    and a broken command with a usable id is answered REJECTED."""
    moto_server.start()
    device = f"pi-{uuid.uuid4().hex[:8]}"
    overrides: dict[str, dict[str, Any]] = {
        METRICS: metrics_overrides(moto_server, device, tmp_path),
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
    }
    with LocalRuntime(tmp_path, components=[METRICS, SCHEDULER], config_overrides=overrides) as rt:
        rt.wait_for_output(METRICS, "Metrics started")
        rt.wait_for_output(SCHEDULER, "Scheduler started")
        answers: list[CommandResult] = []
        listener = rt.probe(subscribe=[topics.COMMAND_RESULT])
        listener.subscribe(topics.COMMAND_RESULT, answers.append)
        hostile_topics = [topics.ACTIVITY, topics.SCRAPE_RESULT, topics.COMMAND]
        env = rt.probe_environment(name="test.Hostile", publish=hostile_topics)
        raw = unix_socket_connector(env[SOCKET_ENV], env[TOKEN_ENV])(lambda: None)
        now = datetime.now(UTC)
        activity = {"kind": "scrape_ok", "at": POISON_AT, "component": "attacker"}
        fixture = {"key": "k", "home": "KAA Gent", "away": "X", "competition": "C", "kickoff": POISON_AT}
        scrape = {
            "source": "kaagent.be", "scraped_at": POISON_AT, "healthy": True, "complete": True,
            "fixtures": [fixture],
        }
        create = {"op": "create_event", "title": "T", "start": POISON_AT}
        command = {"command_id": "hostile-1", "command": create}
        sent = [(topics.ACTIVITY, activity), (topics.SCRAPE_RESULT, scrape), (topics.COMMAND, command)]
        garbage = [b"\xff\xfe", hostile.deep_json().encode(), b'{"count": ' + b"9" * 5000 + b"}", b"NaN"]
        try:
            for topic, body in sent:
                message = PublishMessage(json_message=JsonMessage(message=body))
                raw.publish_to_topic(topic=topic, publish_message=message)
            for topic in (topics.ACTIVITY, topics.SCRAPE_RESULT):
                for body in garbage:
                    message = PublishMessage(binary_message=BinaryMessage(message=body))
                    raw.publish_to_topic(topic=topic, publish_message=message)
            good = Activity(kind=ActivityKind.EVENT_ADDED, at=now, component="test")
            raw.publish_to_topic(
                topic=topics.ACTIVITY,
                publish_message=PublishMessage(json_message=JsonMessage(message=good.model_dump(mode="json"))),
            )
        finally:
            raw.close()
        expected = len(sent) + 2 * len(garbage)
        wait_for(
            lambda: metric_sum(moto_server, device, "InvalidMessages", now) >= expected,
            timeout=40,
            what=f"{expected} InvalidMessages counted",
        )
        wait_for(lambda: answers, timeout=10, what="the broken command answered")
        assert (answers[0].command_id, answers[0].status) == ("hostile-1", CommandStatus.REJECTED)
        assert answers[0].field is not None and answers[0].field.endswith("start")
        assert metric_sum(moto_server, device, "EventsAdded", now) >= 1
        assert rt.record(METRICS).restarts == 0, rt.log(METRICS)[-3000:]
        assert rt.record(SCHEDULER).restarts == 0, rt.log(SCHEDULER)[-3000:]
