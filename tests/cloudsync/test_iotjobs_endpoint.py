"""The runtime's local IoT Jobs endpoint: jobs created with boto3 reach a device over MQTT."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from ghela.core.clock import SystemClock
from ghela.core.errors import StorageError
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.iotjobs import LocalJobsEndpoint
from ghela_tools.runtime.iotjobs_state import DeliveryState

from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto


class Device:
    """A device's view of its jobs topics: publish requests, collect every answer."""

    def __init__(self, core: LocalIotCore, thing: str) -> None:
        self.core = core
        self.prefix = f"$aws/things/{thing}/jobs/"
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        core.subscribe(self.prefix + "#", self._on)

    def _on(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self.messages.append((topic.removeprefix(self.prefix), json.loads(payload)))

    def request(self, suffix: str, body: dict[str, Any] | bytes, answer: str) -> dict[str, Any]:
        """Publish to ``suffix`` and wait for the next message on ``answer``."""
        with self._lock:
            seen = len(self.messages)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.core.publish(self.prefix + suffix, payload, "test-device")
        return self.wait(answer, after=seen)

    def wait(self, suffix: str, after: int = 0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            with self._lock:
                return next((b for t, b in self.messages[after:] if t == suffix), None)

        wait_for(lambda: found() is not None, what=f"a message on {suffix}")
        result = found()
        assert result is not None
        return result


@pytest.fixture
def iot(moto_server: Any) -> Any:
    return moto_server.client("iot")


@pytest.fixture
def thing(iot: Any) -> tuple[str, str]:
    name = f"pi-{uuid.uuid4().hex[:8]}"
    return name, iot.create_thing(thingName=name)["thingArn"]


@pytest.fixture
def endpoint(iot: Any, thing: tuple[str, str], tmp_path: Path) -> Iterator[tuple[LocalJobsEndpoint, Device]]:
    core = LocalIotCore()
    device = Device(core, thing[0])
    jobs = LocalJobsEndpoint(
        core, iot, [thing[0]], SystemClock(), poll_seconds=0.05, state_path=tmp_path / "iotjobs.json"
    ).start()
    try:
        yield jobs, device
    finally:
        jobs.stop()


def create_job(iot: Any, target: str, document: dict[str, Any] | str) -> str:
    job_id = f"job-{uuid.uuid4().hex[:10]}"
    body = document if isinstance(document, str) else json.dumps(document)
    iot.create_job(jobId=job_id, targets=[target], document=body)
    return job_id


def test_a_job_created_with_boto3_is_notified_started_and_updated(
    iot: Any, thing: Any, endpoint: Any
) -> None:
    jobs, device = endpoint
    job_id = create_job(iot, thing[1], {"operation": "snoozeAlert", "alertId": 31})
    notified = device.wait("notify-next")
    assert notified["execution"]["jobId"] == job_id
    started = device.request("start-next", {"clientToken": "t1"}, "start-next/accepted")["execution"]
    assert started["jobId"] == job_id and started["status"] == "IN_PROGRESS"
    assert started["jobDocument"] == {"operation": "snoozeAlert", "alertId": 31}
    assert {"versionNumber", "executionNumber"} <= set(started)
    accepted = device.request(
        f"{job_id}/update",
        {"status": "SUCCEEDED", "statusDetails": {"reason": "ok"}},
        f"{job_id}/update/accepted",
    )
    assert accepted["executionState"]["status"] == "SUCCEEDED"
    assert jobs.status(thing[0], job_id).status == "SUCCEEDED"
    again = device.request(f"{job_id}/update", {"status": "FAILED"}, f"{job_id}/update/rejected")
    assert again["code"] == "InvalidStateTransition"
    assert "execution" not in device.request("start-next", {}, "start-next/accepted")


def test_jobs_come_oldest_first_and_an_unfinished_one_comes_back(iot: Any, thing: Any, endpoint: Any) -> None:
    _, device = endpoint
    first = create_job(iot, thing[1], {"operation": "scrapeNow"})
    second = create_job(iot, thing[1], {"operation": "scrapeNow"})
    assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == first
    # A device that restarts asks again and gets its IN_PROGRESS job back.
    assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == first
    pending = device.request("get", {}, "get/accepted")
    assert [j["jobId"] for j in pending["inProgressJobs"]] == [first]
    assert [j["jobId"] for j in pending["queuedJobs"]] == [second]
    device.request(f"{first}/update", {"status": "REJECTED"}, f"{first}/update/accepted")
    assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == second


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "DONE"}, "InvalidRequest"),
        ({"status": "SUCCEEDED", "statusDetails": {"reason": 5}}, "InvalidRequest"),
        ({"status": "SUCCEEDED", "statusDetails": {"reason": "x" * 1025}}, "InvalidRequest"),
        ({"status": "SUCCEEDED", "expectedVersion": 99}, "VersionMismatch"),
        (b"not json", "InvalidRequest"),
    ],
)
def test_bad_updates_are_rejected(iot: Any, thing: Any, endpoint: Any, body: Any, code: str) -> None:
    _, device = endpoint
    job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
    device.request("start-next", {}, "start-next/accepted")
    assert device.request(f"{job_id}/update", body, f"{job_id}/update/rejected")["code"] == code


def test_an_update_for_an_unknown_job_is_rejected(endpoint: Any) -> None:
    _, device = endpoint
    rejected = device.request("nope/update", {"status": "SUCCEEDED"}, "nope/update/rejected")
    assert rejected["code"] == "ResourceNotFound"


def test_a_job_cancelled_in_the_control_plane_is_not_delivered(iot: Any, thing: Any, endpoint: Any) -> None:
    jobs, device = endpoint
    job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
    device.wait("notify-next")
    iot.cancel_job(jobId=job_id)
    wait_for(lambda: jobs.status(thing[0], job_id).status == "CANCELED", what="cancel seen")
    assert "execution" not in device.request("start-next", {}, "start-next/accepted")
    assert device.request(f"{job_id}/update", {"status": "SUCCEEDED"}, f"{job_id}/update/rejected")


def test_a_job_for_the_thing_group_reaches_its_things(iot: Any, thing: Any, endpoint: Any) -> None:
    _, device = endpoint
    group = f"offices-{uuid.uuid4().hex[:6]}"
    group_arn = iot.create_thing_group(thingGroupName=group)["thingGroupArn"]
    iot.add_thing_to_thing_group(thingGroupName=group, thingName=thing[0])
    job_id = create_job(iot, group_arn, {"operation": "scrapeNow"})
    assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == job_id


@pytest.mark.parametrize("document", ["{broken", "[" * 50_000])
def test_a_document_that_cannot_be_read_is_handed_on_as_text(
    iot: Any, thing: Any, endpoint: Any, document: str
) -> None:
    _, device = endpoint
    create_job(iot, thing[1], document)
    assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobDocument"] == document


def test_finished_jobs_stay_finished_across_a_restart_and_redelivery_works(
    iot: Any, thing: Any, endpoint: Any, tmp_path: Path
) -> None:
    jobs, device = endpoint
    job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
    device.request("start-next", {}, "start-next/accepted")
    device.request(f"{job_id}/update", {"status": "SUCCEEDED"}, f"{job_id}/update/accepted")
    jobs.stop()
    restarted = LocalJobsEndpoint(
        device.core, iot, [thing[0]], SystemClock(), poll_seconds=0.05, state_path=tmp_path / "iotjobs.json"
    ).start()
    try:
        assert "execution" not in device.request("start-next", {}, "start-next/accepted")
        restarted.redeliver(thing[0], job_id)
        assert device.wait("notify-next", after=len(device.messages))["execution"]["jobId"] == job_id
        assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == job_id
    finally:
        restarted.stop()


@pytest.mark.parametrize("content", ["{not json", '{"things": {"pi": {"job-1": {"colour": "red"}}}}', "[]"])
def test_an_unreadable_delivery_state_file_is_a_storage_error_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "iotjobs.json"
    path.write_text(content)
    with pytest.raises(StorageError, match=r"iotjobs\.json"):
        DeliveryState(path)


class CuttableIot:
    """The real (moto) IoT client, except that the calls named in ``cut`` fail as an
    unreachable endpoint does (botocore's EndpointConnectionError)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.cut: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)
        if not callable(call):
            return call

        def maybe_fail(*args: Any, **kwargs: Any) -> Any:
            if name in self.cut or "*" in self.cut:
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")
            return call(*args, **kwargs)

        return maybe_fail


def test_a_job_pending_through_a_cloud_cut_is_announced_and_served_when_it_returns(
    iot: Any, thing: Any, tmp_path: Path
) -> None:
    core = LocalIotCore()
    device = Device(core, thing[0])
    cuttable = CuttableIot(iot)
    cuttable.cut = {"get_job_document"}  # the job is listed, but its document cannot be read
    jobs = LocalJobsEndpoint(core, cuttable, [thing[0]], SystemClock(), poll_seconds=0.05).start()
    try:
        job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
        wait_for(lambda: jobs.status(thing[0], job_id) is not None, what="the job taken in")
        seen = len(device.messages)
        device.core.publish(device.prefix + "start-next", b"{}", "test-device")  # unanswerable now
        cuttable.cut = {"*"}
        threading.Event().wait(0.3)  # a few polls against a dead control plane
        assert [t for t, _ in device.messages[seen:] if t != "start-next"] == []  # no answer, no notice

        cuttable.cut = set()
        notified = device.wait("notify-next", after=seen)
        assert notified["execution"]["jobId"] == job_id
        started = device.request("start-next", {}, "start-next/accepted")["execution"]
        assert started["jobId"] == job_id

        later = create_job(iot, thing[1], {"operation": "scrapeNow"})  # the thread still serves
        device.request(f"{job_id}/update", {"status": "SUCCEEDED"}, f"{job_id}/update/accepted")
        def announced() -> list[str]:
            return [b.get("execution", {}).get("jobId") for t, b in device.messages if t == "notify-next"]

        wait_for(lambda: later in announced(), what="the next job announced")
    finally:
        jobs.stop()


def unpolled(core: LocalIotCore, iot: Any, thing: str, state: Path) -> LocalJobsEndpoint:
    """An endpoint whose poll of the control plane after the one at start is an hour away."""
    return LocalJobsEndpoint(core, iot, [thing], SystemClock(), poll_seconds=3600, state_path=state)


@pytest.mark.parametrize("by_group", [False, True])
def test_a_job_the_creator_announces_is_notified_without_waiting_for_the_poll(
    iot: Any, thing: Any, tmp_path: Path, by_group: bool
) -> None:
    """IoT sends notify-next as a job is queued. Told of the job by its creator, the endpoint
    takes it in at once though its next poll of the control plane is an hour away (a job
    for a thing group is found by the full refresh)."""
    target = thing[1]
    if by_group:
        group = f"offices-{uuid.uuid4().hex[:6]}"
        target = iot.create_thing_group(thingGroupName=group)["thingGroupArn"]
        iot.add_thing_to_thing_group(thingGroupName=group, thingName=thing[0])
    device = Device(LocalIotCore(), thing[0])
    before = create_job(iot, thing[1], {"operation": "scrapeNow"})
    jobs = unpolled(device.core, iot, thing[0], tmp_path / "iotjobs.json").start()
    try:
        assert device.wait("notify-next")["execution"]["jobId"] == before  # the poll at start
        finished = len(device.messages)
        device.request(f"{before}/update", {"status": "SUCCEEDED"}, f"{before}/update/accepted")
        assert "execution" not in device.wait("notify-next", after=finished)  # nothing is next now
        seen = len(device.messages)
        job_id = create_job(iot, target, {"operation": "snoozeAlert", "alertId": 31})
        jobs.job_created(job_id)
        notified = device.wait("notify-next", after=seen)["execution"]
        assert notified["jobId"] == job_id
        assert notified["jobDocument"] == {"operation": "snoozeAlert", "alertId": 31}
        assert device.request("start-next", {}, "start-next/accepted")["execution"]["jobId"] == job_id
    finally:
        jobs.stop()


def test_an_announced_job_not_yet_started_is_delivered_after_the_endpoint_dies(
    iot: Any, thing: Any, tmp_path: Path
) -> None:
    """The endpoint keeps a job it was told of in memory until the device starts it: killed
    in between, the next endpoint reads it from the control plane again and delivers it."""
    device = Device(LocalIotCore(), thing[0])
    state = tmp_path / "iotjobs.json"
    first = unpolled(device.core, iot, thing[0], state).start()
    job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
    first.job_created(job_id)
    assert device.wait("notify-next")["execution"]["jobId"] == job_id
    first.stop()  # nothing is written on stopping: as a kill, for the delivery state
    again = unpolled(device.core, iot, thing[0], state).start()
    try:
        started = device.request("start-next", {}, "start-next/accepted")["execution"]
        assert (started["jobId"], started["status"]) == (job_id, "IN_PROGRESS")
    finally:
        again.stop()


def test_a_job_the_endpoint_was_told_of_is_started_without_reading_the_control_plane(
    iot: Any, thing: Any, tmp_path: Path
) -> None:
    """The local API tells the endpoint of its job, with the targets and document its
    CreateJob asked for: notify-next and start-next are answered from that, not after
    reading moto again (which queues behind the API's own calls)."""
    core = LocalIotCore()
    device = Device(core, thing[0])
    reads: list[str] = []
    iot.meta.events.register("before-call.iot", lambda model, **_: reads.append(model.name))
    jobs = LocalJobsEndpoint(core, iot, [thing[0]], SystemClock(), poll_seconds=3600.0).start()
    try:
        wait_for(lambda: "ListJobExecutionsForThing" in reads, what="the poll at start")
        job_id = create_job(iot, thing[1], {"operation": "scrapeNow"})
        reads.clear()
        jobs.job_created(job_id, [thing[1]], json.dumps({"operation": "scrapeNow"}))
        assert device.wait("notify-next")["execution"]["jobId"] == job_id
        started = device.request("start-next", {}, "start-next/accepted")["execution"]
        assert started["jobId"] == job_id and started["jobDocument"] == {"operation": "scrapeNow"}
        assert reads == []
        device.request(f"{job_id}/update", {"status": "SUCCEEDED"}, f"{job_id}/update/accepted")
        assert "execution" not in device.request("start-next", {}, "start-next/accepted")
        assert "ListJobExecutionsForThing" in reads  # nothing known: the control plane is asked
    finally:
        jobs.stop()


def test_a_job_told_of_for_a_thing_group_is_read_from_the_control_plane(
    iot: Any, thing: Any, endpoint: Any
) -> None:
    jobs, device = endpoint
    group = f"offices-{uuid.uuid4().hex[:6]}"
    group_arn = iot.create_thing_group(thingGroupName=group)["thingGroupArn"]
    iot.add_thing_to_thing_group(thingGroupName=group, thingName=thing[0])
    job_id = create_job(iot, group_arn, {"operation": "scrapeNow"})
    jobs.job_created(job_id, [group_arn], json.dumps({"operation": "scrapeNow"}))
    assert device.wait("notify-next")["execution"]["jobId"] == job_id
