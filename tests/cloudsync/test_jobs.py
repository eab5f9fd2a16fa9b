"""Jobs through the whole service: command sent, outcome reported to IoT and the jobs table."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.messages.counted import JobOutcome, JobStatus
from ghela_cloud import names
from ghela_cloud.api.settings import Settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloudsync.conftest import THING, Harness, ServiceMaker, Tables
from tests.cloudsync.test_executor import _bad_documents
from tests.support import hostile
from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto


def _finished(h: Harness, job_id: str, count: int = 1) -> bool:
    return sum(1 for j, _, _ in h.broker.updates if j == job_id) >= count and not h.service.store.pending()


def _attr(item: dict[str, Any] | None, name: str) -> Any:
    assert item is not None
    value = item[name]
    return value.get("S", value.get("N"))


@pytest.fixture
def h(tables: Tables, make_service: ServiceMaker) -> Harness:
    harness = make_service(tables)
    revision = harness.scheduler.change(events=[3])  # event 3 with alert 30
    wait_for(lambda: harness.service.store.synced_revision == revision, what="first sync")
    return harness


def test_a_job_is_applied_reported_succeeded_and_recorded(h: Harness) -> None:
    h.broker.add("job-snooze", {"operation": "snoozeAlert", "alertId": 30, "minutes": 30})
    wait_for(lambda: _finished(h, "job-snooze"), what="job finished")
    job_id, status, details = h.broker.updates[0]
    assert (job_id, status) == ("job-snooze", "SUCCEEDED")
    assert details["operation"] == "snoozeAlert" and details["result"] == "applied"
    row = h.tables.job("job-snooze")
    assert _attr(row, "status") == "SUCCEEDED"
    assert _attr(row, "device") == THING and _attr(row, "operation") == "snoozeAlert"
    assert _attr(row, "requested_by").startswith("unknown")
    assert int(_attr(row, "expires_at")) > 0
    outcomes = [m for t, m in h.bus.published if t == topics.JOB_OUTCOME]
    assert isinstance(outcomes[0], JobOutcome) and outcomes[0].status is JobStatus.SUCCEEDED
    # ... and its effect reaches the read copy.
    wait_for(lambda: (h.tables.item("event#0000000003") or {}).get("revision") == {"N": "2"}, what="effect")
    item = h.tables.item("event#0000000003")
    assert item is not None
    alert = item["alerts"]["L"][0]["M"]
    assert alert["silenced"] == {"BOOL": True}


def test_the_api_s_row_keeps_its_own_fields(h: Harness) -> None:
    h.tables.client.put_item(
        TableName=h.tables.jobs,
        Item={
            "job_id": {"S": "job-api"},
            "device": {"S": THING},
            "operation": {"S": "snoozeAlert"},
            "requested_by": {"S": "anna@example.com"},
            "created_at": {"S": "2026-11-25T11:00:00+00:00"},
            "status": {"S": "QUEUED"},
            "document": {"S": "{}"},
        },
    )
    h.broker.add("job-api", {"operation": "snoozeAlert", "alertId": 31})
    wait_for(lambda: _finished(h, "job-api"), what="job finished")
    row = h.tables.job("job-api")
    assert _attr(row, "status") == "REJECTED" and _attr(row, "reason") == "alert 31 does not exist"
    assert _attr(row, "requested_by") == "anna@example.com"
    assert _attr(row, "created_at") == "2026-11-25T11:00:00+00:00"
    assert h.broker.updates[-1][2]["reason"] == "alert 31 does not exist"


def test_a_job_id_made_by_the_api_is_the_command_id_and_the_row_key(h: Harness) -> None:
    """The API prefixes job ids (so IAM can name job/<prefix>*); the device must still use
    the job id unchanged as the command id, and record the outcome under it."""
    job_id = Settings().new_job_id()
    assert job_id.startswith(names.ResourceNames().job_id_prefix)
    h.broker.add(job_id, {"operation": "snoozeAlert", "alertId": 30, "minutes": 30})
    wait_for(lambda: _finished(h, job_id), what="job finished")
    assert [c.command_id for c in h.scheduler.commands] == [job_id]
    assert h.broker.updates[0][:2] == (job_id, "SUCCEEDED")
    assert _attr(h.tables.job(job_id), "status") == "SUCCEEDED"


def test_the_same_job_delivered_twice_is_applied_once(h: Harness) -> None:
    h.broker.add("job-twice", {"operation": "snoozeAlert", "alertId": 30})
    wait_for(lambda: _finished(h, "job-twice"), what="first delivery")
    h.broker.redeliver("job-twice")
    wait_for(lambda: _finished(h, "job-twice", 2), what="second delivery")
    assert [s for j, s, _ in h.broker.updates if j == "job-twice"] == ["SUCCEEDED", "SUCCEEDED"]
    assert h.broker.updates[-1][2]["reason"] == "already applied"
    assert h.scheduler.applied.count("job-twice") == 1


def test_queued_jobs_run_one_after_another_in_order(h: Harness) -> None:
    h.broker.online = False
    for n in range(5):
        h.broker.add(f"job-{n}", {"operation": "unsnoozeAlert", "alertId": 30})
    h.broker.online = True
    h.service.jobs.ask_next()  # as on start-up or reconnect
    wait_for(lambda: len(h.broker.updates) == 5 and not h.service.store.pending(), what="five jobs")
    assert [j for j, _, _ in h.broker.updates] == [f"job-{n}" for n in range(5)]
    assert h.scheduler.applied == [f"job-{n}" for n in range(5)]


def test_a_silent_scheduler_fails_the_job_with_a_reason(tables: Tables, make_service: ServiceMaker) -> None:
    h = make_service(tables, commandTimeoutSeconds=0.05, commandAttempts=1)
    h.scheduler.answering = False
    h.broker.add("job-silent", {"operation": "snoozeAlert", "alertId": 30})
    wait_for(lambda: _finished(h, "job-silent"), what="job failed")
    assert h.broker.updates[0][1] == "FAILED"
    assert _attr(h.tables.job("job-silent"), "reason") == "scheduler did not answer in 0.05 s"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=_bad_documents.filter(lambda d: not isinstance(d, bytes)))  # MQTT carries JSON only
def test_bad_documents_end_rejected_or_failed_and_the_service_keeps_running(
    h: Harness, document: Any
) -> None:
    job_id = f"fuzz-{uuid.uuid4().hex[:12]}"
    h.broker.add(job_id, document)
    wait_for(lambda: _finished(h, job_id), what="fuzzed job finished")
    _, status, details = next(u for u in h.broker.updates if u[0] == job_id)
    assert status in ("REJECTED", "FAILED", "SUCCEEDED")
    assert details["reason"]
    row = h.tables.job(job_id)
    assert _attr(row, "status") == status and _attr(row, "reason")
    assert not h.bus.states  # never reported ERRORED


def test_start_next_is_asked_again_when_the_bus_reconnects(
    tables: Tables, make_service: ServiceMaker
) -> None:
    bus = InMemoryBus()
    h = make_service(tables, bus=bus)
    asked = lambda: sum(1 for t, _ in bus.published_iot if t.endswith("/jobs/start-next"))  # noqa: E731
    wait_for(lambda: asked() == 1, what="start-next at start")
    h.broker.online = False
    h.broker.add("job-offline", {"operation": "unsnoozeAlert", "alertId": 30})  # queued while away
    h.broker.online = True
    assert asked() == 1  # nothing told CloudSync about the job
    bus.reconnect()
    wait_for(lambda: _finished(h, "job-offline"), what="the job queued while disconnected")
    assert asked() >= 2


JOBS_TOPICS = ["notify-next", "start-next/accepted", "start-next/rejected", "j1/update/accepted"]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(suffix=st.sampled_from(JOBS_TOPICS), body=hostile.raw_bodies())
def test_garbage_on_the_jobs_topics_is_counted_and_never_stops_jobs(
    tables: Tables, make_service: ServiceMaker, suffix: str, body: bytes
) -> None:
    invalid: list[tuple[str, str]] = []
    bus = InMemoryBus(on_invalid=lambda topic, reason: invalid.append((topic, reason)))
    h = make_service(tables, bus=bus)
    h.bus.publish_iot_raw(topics.jobs_topic(THING, suffix), body)
    if not body.strip().startswith(b"{"):  # cannot be a JSON object: must be counted
        assert invalid and invalid[0][0] == topics.jobs_topic(THING, suffix)
    h.broker.add("job-after-garbage", {"operation": "snoozeAlert", "alertId": 30})
    wait_for(lambda: _finished(h, "job-after-garbage"), what="the next job finished")
    h.service.stop()


def test_a_job_too_deep_to_read_is_rejected_once_and_the_next_one_runs(h: Harness) -> None:
    h.broker.status["job-deep"] = "IN_PROGRESS"
    envelope = '{"execution": {"jobId": "job-deep", "status": "IN_PROGRESS", "jobDocument": '
    deep = envelope + hostile.deep_json() + "}}"
    h.bus.publish_iot_raw(topics.jobs_topic(THING, "start-next/accepted"), deep.encode())
    wait_for(lambda: _finished(h, "job-deep"), what="the deep job reported")
    [(_, status, details)] = [u for u in h.broker.updates if u[0] == "job-deep"]
    assert status == "REJECTED" and "nested deeper" in details["reason"]
    h.broker.add("job-next", {"operation": "snoozeAlert", "alertId": 30})
    wait_for(lambda: _finished(h, "job-next"), what="the next job finished")
    assert [u[1] for u in h.broker.updates if u[0] == "job-next"] == ["SUCCEEDED"]
