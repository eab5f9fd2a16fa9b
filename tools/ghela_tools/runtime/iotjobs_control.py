"""The IoT Jobs control plane (moto's, or AWS's) as the local jobs endpoint reads it."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass(frozen=True)
class QueuedJob:
    job_id: str
    status: str
    """The execution's status in the control plane (QUEUED, CANCELED, ...)."""
    queued_at: float


class JobsControlPlane:
    """Thin wrapper of a boto3 ``iot`` client: executions for a thing, job documents."""

    def __init__(self, iot_client: Any) -> None:
        self._iot = iot_client
        self._documents: dict[str, Any] = {}

    def executions(self, thing: str) -> list[QueuedJob]:
        """Executions targeting ``thing`` directly or through one of its thing groups.

        Read one list after the other: moto's server threads share one interpreter lock,
        so reading them at once made the device's start-next slower (``bench/e2e.py``).
        """
        return [job for target in (thing, *self._groups(thing)) for job in self._executions_of(target)]

    def _executions_of(self, target: str) -> list[QueuedJob]:
        """The executions moto lists under ``target`` (a thing's name, or a thing group's)."""
        found: list[QueuedJob] = []
        request: dict[str, Any] = {"thingName": target}
        while True:
            page = self._iot.list_job_executions_for_thing(**request)
            for summary in page.get("executionSummaries", []):
                found.append(_queued(summary["jobId"], summary.get("jobExecutionSummary", {})))
            if not page.get("nextToken"):
                return found
            request["nextToken"] = page["nextToken"]

    def new_job(self, job_id: str, things: list[str]) -> dict[str, QueuedJob | None]:
        """The executions of a job just created on each of ``things`` (:meth:`execution`).

        Its document is read meanwhile, for the notify-next that follows: it is then cached.
        A failure to read it is left to that notify-next, which reads it again.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="iotjobs-read") as pool:
            pool.submit(self.document, job_id)
            return {thing: self.execution(job_id, thing) for thing in things}

    def execution(self, job_id: str, thing: str) -> QueuedJob | None:
        """The execution of ``job_id`` on ``thing`` itself, None if the job does not target it
        by name (moto keeps a thing group's executions under the group's name)."""
        try:
            detail = self._iot.describe_job_execution(jobId=job_id, thingName=thing)["execution"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        return _queued(job_id, detail)

    def job_status(self, job_id: str) -> str:
        """The job's own status (IN_PROGRESS, CANCELED, COMPLETED, ...)."""
        return self._iot.describe_job(jobId=job_id)["job"].get("status", "IN_PROGRESS")

    def document(self, job_id: str) -> Any:
        """The job document, parsed from JSON when it is JSON (cached; documents never change).

        A document that is not valid JSON is handed on as the raw string, so the device can
        reject it with a reason rather than never seeing it.
        """
        if job_id not in self._documents:
            self.remember_document(job_id, self._iot.get_job_document(jobId=job_id).get("document", ""))
        return self._documents[job_id]

    def remember_document(self, job_id: str, raw: str) -> None:
        """Keep ``job_id``'s document as its creator sent it (what the control plane stores)."""
        try:
            self._documents[job_id] = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            self._documents[job_id] = raw

    def _groups(self, thing: str) -> list[str]:
        try:
            groups = self._iot.list_thing_groups_for_thing(thingName=thing).get("thingGroups", [])
        except ClientError:  # a thing not registered in the control plane has no groups
            return []
        return [g["groupName"] for g in groups]


def _queued(job_id: str, detail: dict[str, Any]) -> QueuedJob:
    """A job's execution from the control plane's summary or description of it."""
    queued: Any = detail.get("queuedAt")
    return QueuedJob(
        job_id=job_id,
        status=detail.get("status", "QUEUED"),
        queued_at=queued.timestamp() if hasattr(queued, "timestamp") else 0.0,
    )
