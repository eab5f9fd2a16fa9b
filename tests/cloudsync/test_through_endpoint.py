"""CloudSync against the runtime's jobs endpoint and moto, in one process (no IPC).

The same path as under the runtime, minus the IPC hop: a job created with boto3
``iot.create_job`` → the endpoint's notify-next → CloudSync → the (fake) Scheduler →
SUCCEEDED in IoT and in the jobs table, the effect in the events table; delivered twice,
applied once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghela.core.clock import SystemClock
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.iotjobs import LocalJobsEndpoint

from tests.cloudsync.conftest import THING, ServiceMaker, Tables
from tests.cloudsync.fakes import FakeScheduler, IotCoreBus
from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto


@pytest.fixture
def endpoint(moto_server: Any, tmp_path: Path) -> Iterator[tuple[LocalIotCore, LocalJobsEndpoint, str]]:
    iot = moto_server.client("iot")
    try:
        arn = iot.create_thing(thingName=THING)["thingArn"]
    except iot.exceptions.ResourceAlreadyExistsException:
        arn = iot.describe_thing(thingName=THING)["thingArn"]
    core = LocalIotCore()
    jobs = LocalJobsEndpoint(
        core, iot, [THING], SystemClock(), poll_seconds=0.05, state_path=tmp_path / "iotjobs.json"
    ).start()
    try:
        yield core, jobs, arn
    finally:
        jobs.stop()


def test_a_boto3_job_is_applied_once_reported_and_recorded(
    moto_server: Any, tables: Tables, make_service: ServiceMaker, endpoint: Any
) -> None:
    core, jobs, arn = endpoint
    bus = IotCoreBus(core)
    clock = SystemClock()
    scheduler = FakeScheduler(bus, clock)
    scheduler.change(events=[3])
    h = make_service(tables, bus=bus, scheduler=scheduler, fake_broker=False)
    wait_for(lambda: h.service.store.synced_revision == 1, what="first sync")

    job_id = f"job-{uuid.uuid4().hex[:10]}"
    moto_server.client("iot").create_job(
        jobId=job_id, targets=[arn], document=json.dumps({"operation": "snoozeAlert", "alertId": 30})
    )
    wait_for(lambda: _status(jobs, job_id) == "SUCCEEDED", what="SUCCEEDED in IoT")
    wait_for(lambda: (tables.job(job_id) or {}).get("status") == {"S": "SUCCEEDED"}, what="jobs table")
    wait_for(lambda: h.service.store.synced_revision == scheduler.revision, what="effect synced")
    item = tables.item("event#0000000003") or {}
    assert item["alerts"]["L"][0]["M"]["silenced"] == {"BOOL": True}

    jobs.redeliver(THING, job_id)
    wait_for(
        lambda: (
            _status(jobs, job_id) == "SUCCEEDED"
            and jobs.status(THING, job_id).status_details.get("reason") == "already applied"
        ),
        what="second delivery reported",
    )
    assert scheduler.applied.count(job_id) == 1
    assert [c.command_id for c in scheduler.commands].count(job_id) == 2


def _status(jobs: LocalJobsEndpoint, job_id: str) -> str | None:
    execution = jobs.status(THING, job_id)
    return execution.status if execution else None
