"""Must show, through the real runtime (Scheduler and CloudSync as processes on the IPC
wire, the runtime's IoT Jobs endpoint on moto's control plane):

- a boto3 job reaches the Scheduler, its effect lands in DynamoDB, it is reported
  SUCCEEDED in IoT and in the jobs table, and the same job delivered twice is applied once;
- bad documents (hypothesis-generated) end REJECTED/FAILED with a reason, and CloudSync
  never restarts because of them.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from ghela.cloudsync.items import STATUS_SK
from ghela.core.clock import SystemClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloudsync.conftest import Tables, create_tables
from tests.cloudsync.test_executor import _bad_documents
from tests.support import hostile
from tests.support.runtime import CLOUD_SYNC, SCHEDULER, LocalRuntime
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.runtime, pytest.mark.moto]


@dataclass
class Setup:
    runtime: LocalRuntime
    thing: str
    arn: str
    iot: Any
    tables: Tables

    def execution(self, job_id: str) -> Any:
        return self.runtime.jobs.status(self.thing, job_id)

    def finished(self, job_id: str) -> bool:
        execution = self.execution(job_id)
        return execution is not None and execution.status in ("SUCCEEDED", "FAILED", "REJECTED")

    def create_job(self, document: Any) -> str:
        job_id = f"job-{uuid.uuid4().hex[:12]}"
        body = document if isinstance(document, str) else json.dumps(document)
        self.iot.create_job(jobId=job_id, targets=[self.arn], document=body)
        return job_id


@pytest.fixture(scope="module")
def setup(moto_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("cloudsync-runtime")
    thing = f"pi-{uuid.uuid4().hex[:8]}"
    iot = moto_server.client("iot")
    arn = iot.create_thing(thingName=thing)["thingArn"]
    tables = create_tables(moto_server.client("dynamodb"), moto_server.url)
    cloudsync = {
        "eventsTable": tables.events,
        "jobsTable": tables.jobs,
        "awsEndpointUrl": moto_server.url,
        "retryInitialSeconds": 0.2,
        "retryMaxSeconds": 1.0,
    }
    with LocalRuntime(
        tmp,
        components=[SCHEDULER, CLOUD_SYNC],
        thing_name=thing,
        aws_endpoint_url=moto_server.url,
        config_overrides={SCHEDULER: {"dbPath": str(tmp / "ghela.db")}, CLOUD_SYNC: cloudsync},
    ) as runtime:
        runtime.wait_for_state(SCHEDULER, "RUNNING")
        runtime.wait_for_state(CLOUD_SYNC, "RUNNING")
        yield Setup(runtime, thing, arn, iot, tables)


def _titles(setup: Setup) -> list[str]:
    return [item["title"]["S"] for item in setup.tables.event_items(setup.thing).values()]


def test_a_boto3_job_is_applied_once_synced_and_reported_through_the_runtime(setup: Setup) -> None:
    start = (SystemClock().now() + timedelta(days=30)).replace(microsecond=0)
    job_id = setup.create_job(
        {"operation": "createEvent", "title": "Concert in the arena", "start": start.isoformat()}
    )

    wait_for(lambda: setup.finished(job_id), timeout=60, what="the job reported to IoT")
    assert setup.execution(job_id).status == "SUCCEEDED"
    assert setup.execution(job_id).status_details["result"] == "applied"
    wait_for(
        lambda: (setup.tables.job(job_id, setup.thing) or {}).get("status") == {"S": "SUCCEEDED"},
        timeout=30,
        what="the jobs table to say SUCCEEDED",
    )
    wait_for(lambda: "Concert in the arena" in _titles(setup), timeout=30, what="the new event in DynamoDB")

    setup.runtime.jobs.redeliver(setup.thing, job_id)
    wait_for(
        lambda: (
            setup.execution(job_id).status == "SUCCEEDED"
            and setup.execution(job_id).status_details.get("result") == "duplicate"
        ),
        timeout=60,
        what="the second delivery reported SUCCEEDED as a duplicate",
    )
    assert _titles(setup).count("Concert in the arena") == 1
    assert setup.runtime.record(CLOUD_SYNC).restarts == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=_bad_documents.filter(lambda d: not isinstance(d, bytes)) | st.just("{not json"))
def test_bad_documents_end_with_a_reason_and_never_restart_cloudsync(setup: Setup, document: Any) -> None:
    job_id = setup.create_job(document)
    wait_for(lambda: setup.finished(job_id), timeout=60, what="the bad job reported")
    execution = setup.execution(job_id)
    assert execution.status in ("REJECTED", "FAILED", "SUCCEEDED")  # scrapeNow with noise may pass
    assert execution.status_details["reason"]
    # Wait for the status itself, not for the row: moto's UpdateItem on a new key puts a
    # key-only item first and applies the SET after it (moto/dynamodb/models/__init__.py,
    # update_item), so a read in between sees a row with no status. DynamoDB is atomic here.
    wait_for(
        lambda: (setup.tables.job(job_id, setup.thing) or {}).get("status") == {"S": execution.status},
        timeout=20,
        what=f"the jobs table row to say {execution.status}",
    )
    assert setup.runtime.record(CLOUD_SYNC).restarts == 0


def test_a_refused_job_update_is_set_aside_once_and_later_jobs_still_report(setup: Setup) -> None:
    # A job id no real IoT would send: its update topic has an extra level, which
    # CloudSync's accessControl (jobs/+/update) does not allow, so the nucleus refuses it.
    forged = f"forged/{uuid.uuid4().hex[:8]}"
    setup.runtime.wait_for_output(CLOUD_SYNC, "CloudSync running")  # subscribed to its jobs topics
    accepted = {"execution": {"jobId": forged, "jobDocument": {"operation": "scrapeNow"}}}
    setup.runtime.iot_core.publish(
        f"$aws/things/{setup.thing}/jobs/start-next/accepted", json.dumps(accepted).encode(), "test"
    )
    wait_for(
        lambda: (setup.tables.job(forged, setup.thing) or {}).get("undelivered") is not None,
        timeout=30,
        what="the jobs table to say the outcome never reached IoT",
    )
    forged_job = setup.tables.job(forged, setup.thing)
    assert forged_job is not None and "UnauthorizedError" in forged_job["undelivered"]["S"]

    job_id = setup.create_job({"operation": "scrapeNow"})  # not blocked behind the refused one
    wait_for(lambda: setup.finished(job_id), timeout=30, what="a later job reported")
    assert setup.execution(job_id).status == "SUCCEEDED"
    log = setup.runtime.log(CLOUD_SYNC)
    assert log.count("refused for good, set aside") == 1, log[-3000:]
    assert setup.runtime.record(CLOUD_SYNC).restarts == 0


POISON_START = "9999-12-31T23:59:00-01:00"


def test_a_poison_job_is_rejected_once_and_the_next_snooze_succeeds(setup: Setup) -> None:
    """The job that used to kill CloudSync for good (OverflowError in a validator), then a
    5,000-level document, then a snooze: CloudSync never restarts and the snooze SUCCEEDS."""
    start = (SystemClock().now() + timedelta(days=20)).replace(microsecond=0)
    created = setup.create_job({"operation": "createEvent", "title": "Gig", "start": start.isoformat()})
    wait_for(lambda: setup.finished(created), timeout=60, what="the event created")
    alert_id = json.loads(setup.execution(created).status_details["data"])["alert_ids"][0]

    poison = setup.create_job({"operation": "createEvent", "title": "Poison", "start": POISON_START})
    deep = setup.create_job('{"operation": "createEvent", "x": ' + hostile.deep_json() + "}")
    snooze = setup.create_job({"operation": "snoozeAlert", "alertId": alert_id, "minutes": 30})
    for job_id in (poison, deep, snooze):
        wait_for(functools.partial(setup.finished, job_id), timeout=60, what=f"job {job_id} finished")

    assert setup.execution(snooze).status == "SUCCEEDED", setup.runtime.log(CLOUD_SYNC)[-3000:]
    rejected = setup.execution(poison)
    assert rejected.status == "REJECTED"
    assert "start" in rejected.status_details["reason"] and rejected.status_details["field"] == "start"
    too_deep = setup.execution(deep)
    assert too_deep.status == "REJECTED" and "deep" in too_deep.status_details["reason"]
    wait_for(
        lambda: (setup.tables.job(poison, setup.thing) or {}).get("status") == {"S": "REJECTED"},
        timeout=30,
        what="the jobs table to say REJECTED",
    )
    assert setup.runtime.record(CLOUD_SYNC).restarts == 0, setup.runtime.log(CLOUD_SYNC)[-3000:]
    assert setup.runtime.state(CLOUD_SYNC) == "RUNNING"


def _components(setup: Setup) -> dict[str, dict[str, Any]]:
    """The status item's ``components`` as CloudSync wrote it, by component."""
    item = setup.tables.item(STATUS_SK, setup.thing) or {}
    reported = json.loads(item["components"]["S"]) if "components" in item else []
    return {entry["component"]: entry for entry in reported}


def test_the_status_item_has_each_components_state_and_starts_and_a_kill_counts_a_restart(
    setup: Setup,
) -> None:
    wait_for(
        lambda: {"Scheduler", "CloudSync"} <= set(_components(setup)),
        timeout=30,
        what="Scheduler and CloudSync in the status item",
    )
    before = _components(setup)
    assert before["Scheduler"]["state"] == before["CloudSync"]["state"] == "RUNNING"

    setup.runtime.kill(SCHEDULER)  # a crash: the runtime restarts it, as the nucleus does
    wait_for(
        lambda: _components(setup)["Scheduler"]["starts"] == before["Scheduler"]["starts"] + 1,
        timeout=60,
        what="the Scheduler's restart counted in the status item",
    )
    after = _components(setup)["Scheduler"]
    assert after["state"] == "RUNNING" and after["started_at"] > before["Scheduler"]["started_at"]
    assert _components(setup)["CloudSync"]["starts"] == before["CloudSync"]["starts"]
