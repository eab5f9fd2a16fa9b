"""The device side of AWS IoT Jobs, inside the local runtime, on the local IoT Core.

A component talks IoT Jobs over MQTT exactly as on a Pi: it publishes to
``$aws/things/{thing}/jobs/start-next``, ``.../jobs/{jobId}/update``, ``.../jobs/get`` and
``.../jobs/{jobId}/get``, and gets ``.../accepted`` or ``.../rejected`` back, plus
``.../jobs/notify-next`` when the next pending job changes.

Jobs themselves are created in the control plane (moto's server, via boto3
``iot.create_job`` targeting a thing or one of its thing groups). moto has no jobs data
plane, so this endpoint keeps the device-side state (IN_PROGRESS, SUCCEEDED, ...) in
:mod:`ghela_tools.runtime.iotjobs_state`. It polls the control plane every ``poll_seconds`` to
notice new or cancelled jobs: that polling is the stand-in for AWS pushing notify-next,
not something the component does. A job creator in the same process (the local API in
``ghela up``) calls :meth:`LocalJobsEndpoint.job_created` right after CreateJob instead,
with the targets and document it asked for: the worker wakes at once, takes the job in
(from those for its things by name, else by reading the control plane) and sends
notify-next, as IoT does when "a new job execution is added to the list as QUEUED, and
it's the first one in the list" (AWS IoT developer guide, jobs-comm-notifications.html,
NextNotification). The poll is only the fallback for jobs created or cancelled elsewhere
(a test, ``aws iot create-job``), and a start-next is answered from what the endpoint
knows (:meth:`LocalJobsEndpoint._know_next`). moto cannot record
a device's terminal status (it has no UpdateJobExecution), so a job's
SUCCEEDED/FAILED/REJECTED shows here and in the jobs table, not in moto's
``describe_job_execution``; a job or execution cancelled in moto becomes CANCELED here.

:meth:`LocalJobsEndpoint.redeliver` puts a job back in the queue, so tests can show that a
job delivered twice is applied once.
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ghela.core.clock import Clock
from ghela.core.topics import jobs_topic

from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.iotjobs_control import JobsControlPlane
from ghela_tools.runtime.iotjobs_state import TERMINAL, DeliveryState, Execution

log = logging.getLogger(__name__)

SENDER = "runtime.iotjobs"
DEVICE_STATUSES = frozenset({"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"})
MAX_DETAIL = 1024
REQUEST_FILTERS = tuple(
    jobs_topic("+", suffix) for suffix in ("start-next", "get", "+/update", "+/get")
)


@dataclass(frozen=True)
class _Created:
    """The worker's queue item for a job just created (:meth:`LocalJobsEndpoint.job_created`)."""

    job_id: str
    targets: tuple[str, ...]
    document: str | None


class Rejected(Exception):
    """A request refused with an IoT Jobs error code (InvalidRequest, VersionMismatch, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LocalJobsEndpoint:
    def __init__(
        self,
        iot_core: LocalIotCore,
        iot_client: Any,
        thing_names: Iterable[str],
        clock: Clock,
        *,
        poll_seconds: float = 1.0,
        state_path: str | Path | None = None,
    ) -> None:
        self._iot_core = iot_core
        self._control = JobsControlPlane(iot_client)
        self._things = frozenset(thing_names)
        self._clock = clock
        self._poll = timedelta(seconds=poll_seconds)
        self._state = DeliveryState(state_path)
        self._requests: queue.Queue[tuple[str, bytes] | _Created] = queue.Queue()
        self._stop = threading.Event()
        self._notified: dict[str, str | None] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._thread = threading.Thread(target=self._run, name="iotjobs-endpoint", daemon=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> LocalJobsEndpoint:
        for topic_filter in REQUEST_FILTERS:
            self._unsubscribe.append(self._iot_core.subscribe(topic_filter, self._on_request))
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    # ------------------------------------------------------------------ for tests and tools

    def redeliver(self, thing: str, job_id: str) -> None:
        """Queue a job's execution again (as IoT may deliver a job twice) and notify."""
        with self._state.lock:
            execution = self._state.get(thing, job_id)
            if execution is None:
                raise KeyError(f"no execution of job {job_id} for {thing}")
            execution.status = "QUEUED"
            execution.version_number += 1
            execution.last_updated_at = self._now()
            self._state.save()
        self._notified.pop(thing, None)
        self._requests.put(("", b""))  # wake the worker to send notify-next

    def job_created(self, job_id: str, targets: Sequence[str] = (), document: str | None = None) -> None:
        """``job_id`` was just created in the control plane: take it in and notify-next now.

        ``targets`` and ``document`` are what the creator's CreateJob asked for, when it
        knows them: a job for things of this endpoint by name is then taken in from them,
        with no read of the control plane (which answered the CreateJob a moment ago).
        """
        self._requests.put(_Created(job_id, tuple(targets), document))

    def status(self, thing: str, job_id: str) -> Execution | None:
        with self._state.lock:
            execution = self._state.get(thing, job_id)
            return Execution(**vars(execution)) if execution else None

    # ------------------------------------------------------------------ worker

    def _on_request(self, topic: str, payload: bytes) -> None:
        self._requests.put((topic, payload))  # never block the publisher

    def _run(self) -> None:
        """Serve until stopped. Every step that can reach the control plane is guarded: the
        cloud going away must cost answers while it is away, never this thread."""
        next_poll = self._clock.now()
        while not self._stop.is_set():
            if self._clock.now() >= next_poll:
                for thing in sorted(self._things):
                    self._guard(functools.partial(self._refresh, thing, cancels=True), f"refresh of {thing}")
                    self._guard(functools.partial(self._notify_if_changed, thing), f"notify-next of {thing}")
                next_poll = self._clock.now() + self._poll
            try:
                item = self._requests.get(timeout=min(self._poll.total_seconds(), 0.2))
            except queue.Empty:
                continue
            if isinstance(item, _Created):
                self._guard(functools.partial(self._take_in, item), f"job {item.job_id!r}")
            elif item[0]:
                self._guard(functools.partial(self._handle, *item), item[0])
            for thing in sorted(self._things):
                self._guard(functools.partial(self._notify_if_changed, thing), f"notify-next of {thing}")

    def _guard(self, action: Callable[[], None], what: str) -> None:
        try:
            action()
        except Exception as exc:  # the control plane away, a bug: log, keep serving
            log.warning("IoT jobs endpoint: %s failed: %s", what, exc)

    def _try_refresh(self, thing: str) -> None:
        """Refresh before answering, but answer from local state if the control plane is away."""
        self._guard(lambda: self._refresh(thing), f"refresh of {thing}")

    # ------------------------------------------------------------------ requests

    def _handle(self, topic: str, payload: bytes) -> None:
        parts = topic.split("/")  # $aws/things/{thing}/jobs/...
        thing, rest = parts[2], parts[4:]
        if thing not in self._things:
            return
        reply = "/".join(parts) + "/"
        token: Any = None
        try:
            body = json.loads(payload or b"{}")
            if not isinstance(body, dict):
                raise Rejected("InvalidRequest", "the request must be a JSON object")
            token = body.get("clientToken")
            if rest == ["start-next"]:
                answer = self._start_next(thing, body)
            elif rest == ["get"]:
                answer = self._pending(thing)
            elif len(rest) == 2 and rest[1] == "update":
                answer = self._update(thing, rest[0], body)
            elif len(rest) == 2 and rest[1] == "get":
                answer = self._describe(thing, rest[0])
            else:
                return
        except ValueError as exc:
            self._reply(reply + "rejected", {"code": "InvalidRequest", "message": str(exc)[:500]}, token)
            return
        except Rejected as exc:
            self._reply(reply + "rejected", {"code": exc.code, "message": str(exc)}, token)
            return
        self._reply(reply + "accepted", answer, token)

    def _start_next(self, thing: str, body: dict[str, Any]) -> dict[str, Any]:
        self._guard(lambda: self._know_next(thing), f"refresh of {thing}")
        with self._state.lock:
            execution = self._state.next_pending(thing)
            if execution is None:
                return {}
            if execution.status == "QUEUED":
                now = self._now()
                execution.status = "IN_PROGRESS"
                execution.started_at = now
                execution.last_updated_at = now
                execution.version_number += 1
                details = body.get("statusDetails")
                if isinstance(details, dict):
                    execution.status_details = _checked_details(details)
                self._state.save()
            try:
                document = self._control.document(execution.job_id)
            except Exception:
                self._unannounced(thing)  # the device hears no answer; notify-next tells it later
                raise
            return {"execution": execution.description(thing, document)}

    def _update(self, thing: str, job_id: str, body: dict[str, Any]) -> dict[str, Any]:
        status = body.get("status")
        if status not in DEVICE_STATUSES:
            raise Rejected(
                "InvalidRequest", f"status must be one of {sorted(DEVICE_STATUSES)}, not {status!r}"
            )
        details = body.get("statusDetails", {})
        if not isinstance(details, dict):
            raise Rejected("InvalidRequest", "statusDetails must be an object of strings")
        checked = _checked_details(details)
        with self._state.lock:
            execution = self._state.get(thing, job_id)
            if execution is None:
                self._try_refresh(thing)
                execution = self._state.get(thing, job_id)
            if execution is None:
                raise Rejected("ResourceNotFound", f"job {job_id} has no execution for {thing}")
            if execution.status in TERMINAL:
                raise Rejected(
                    "InvalidStateTransition",
                    f"job {job_id} is already {execution.status}; it cannot become {status}",
                )
            expected = body.get("expectedVersion")
            if expected is not None and expected != execution.version_number:
                raise Rejected(
                    "VersionMismatch",
                    f"expected version {expected}, the execution is at {execution.version_number}",
                )
            execution.status = status
            execution.status_details = {**execution.status_details, **checked}
            execution.version_number += 1
            execution.last_updated_at = self._now()
            self._state.save()
            state = {
                "status": execution.status,
                "statusDetails": dict(execution.status_details),
                "versionNumber": execution.version_number,
            }
        log.info("job %s on %s: %s", job_id, thing, status)
        return {"executionState": state}

    def _pending(self, thing: str) -> dict[str, Any]:
        self._try_refresh(thing)
        executions = sorted(self._state.executions(thing), key=lambda e: e.queued_at)
        return {
            "inProgressJobs": [e.summary() for e in executions if e.status == "IN_PROGRESS"],
            "queuedJobs": [e.summary() for e in executions if e.status == "QUEUED"],
        }

    def _describe(self, thing: str, job_id: str) -> dict[str, Any]:
        execution = self._state.get(thing, job_id)
        if execution is None:
            raise Rejected("ResourceNotFound", f"job {job_id} has no execution for {thing}")
        return {"execution": execution.description(thing, self._control.document(job_id))}

    def _reply(self, topic: str, body: dict[str, Any], token: Any) -> None:
        message = {**body, "timestamp": int(self._now())}
        if isinstance(token, str):
            message["clientToken"] = token
        self._iot_core.publish(topic, json.dumps(message).encode(), SENDER)

    # ------------------------------------------------------------------ control plane

    def _refresh(self, thing: str, cancels: bool = False) -> None:
        """Take in new jobs for ``thing``; mark jobs cancelled in the control plane CANCELED.

        Asking each pending job whether it was cancelled costs one call per job, so that is
        done on the periodic poll (``cancels``), not before every answer to the device.
        """
        found = self._control.executions(thing)
        with self._state.lock:
            changed = False
            for job in found:
                execution = self._state.get(thing, job.job_id)
                if execution is None:
                    if job.status in TERMINAL:
                        continue
                    execution = Execution(job.job_id, queued_at=job.queued_at, last_updated_at=job.queued_at)
                    self._state.add(thing, execution)
                    changed = True
                if execution.pending and (
                    job.status == "CANCELED"
                    or (cancels and self._control.job_status(job.job_id) == "CANCELED")
                ):
                    execution.status = "CANCELED"
                    execution.version_number += 1
                    execution.last_updated_at = self._now()
                    changed = True
            if changed:
                self._state.save()

    def _know_next(self, thing: str) -> None:
        """Read the control plane before a start-next only when no pending job is known.

        The endpoint hears of the local API's jobs the moment they exist
        (:meth:`job_created`) and of anything done elsewhere (a job made or cancelled with
        ``aws iot``, a test's boto3) at its poll, then tells the device with notify-next,
        as IoT Jobs does. A start-next is answered from that: re-reading moto first cost
        two to four reads, one of which grows with every job ever made (moto lists them
        all), and they queue behind the API's own calls in moto's one interpreter: 56-65 ms
        p50 of ``bench/e2e.py``'s click-to-light, against 4 ms answered from what is known.
        A device that asks when nothing is known (at its start, or for a job made elsewhere
        before the poll saw it) gets the control plane's answer, read then.
        """
        with self._state.lock:
            known = self._state.next_pending(thing)
        if known is None:
            self._refresh(thing)

    def _take_in(self, created: _Created) -> None:
        """Add the new job's executions on this endpoint's things.

        A job whose CreateJob named only things, with its document, is taken in from that
        (queued now, as the control plane queued it). Otherwise each thing's execution is
        read; a job that targets none of them by name may target one of their thing groups
        (moto keeps those executions under the group's name): then the full refresh.

        Not written to the state file before notify-next: a QUEUED execution is the control
        plane's to tell again (after a kill, the poll at start takes it in once more); the
        file is written when the device starts it, which only this endpoint knows.
        """
        job_id, document = created.job_id, created.document
        named = [_thing_of(target) for target in created.targets]
        if named and document is not None and None not in named:
            self._control.remember_document(job_id, document)
            now = self._now()
            with self._state.lock:
                for thing in sorted(self._things.intersection(named)):
                    if self._state.get(thing, job_id) is None:
                        self._state.add(thing, Execution(job_id, queued_at=now, last_updated_at=now))
            return
        found = self._control.new_job(job_id, sorted(self._things))
        if not any(found.values()):
            for thing in sorted(self._things):
                self._refresh(thing)
            return
        with self._state.lock:
            for thing, job in found.items():
                if job is None or job.status in TERMINAL or self._state.get(thing, job_id) is not None:
                    continue
                queued = job.queued_at
                self._state.add(thing, Execution(job_id, queued_at=queued, last_updated_at=queued))

    def _notify_if_changed(self, thing: str) -> None:
        """Send notify-next when the next pending job changed (or was never announced).

        The job is recorded as announced only once the message is built: if its document
        cannot be read (the control plane is away), the next poll tries again, so a job
        pending through an outage is announced when the cloud returns.
        """
        with self._state.lock:
            execution = self._state.next_pending(thing)
            job_id = execution.job_id if execution else None
            first = thing not in self._notified
            if (not first and self._notified[thing] == job_id) or (first and job_id is None):
                self._notified[thing] = job_id
                return
            body: dict[str, Any] = {}
            if execution is not None:
                body["execution"] = execution.description(thing, self._control.document(execution.job_id))
            self._notified[thing] = job_id
        self._reply(jobs_topic(thing, "notify-next"), body, None)

    def _unannounced(self, thing: str) -> None:
        """An answer about ``thing``'s next job was lost: announce it again at the next poll."""
        self._notified.pop(thing, None)

    def _now(self) -> float:
        return self._clock.now().timestamp()


def _thing_of(target: str) -> str | None:
    """The thing a job target's ARN names (``arn:aws:iot:<region>:<account>:thing/<name>``),
    None for any other target (a thing group)."""
    resource = target.split(":", 5)[-1] if target.count(":") >= 5 else ""
    kind, _, name = resource.partition("/")
    return name if kind == "thing" and name else None


def _checked_details(details: dict[str, Any]) -> dict[str, str]:
    """statusDetails as IoT requires: string keys and string values of at most 1024 characters."""
    checked: dict[str, str] = {}
    for key, value in details.items():
        if not isinstance(value, str) or not value or len(value) > MAX_DETAIL:
            raise Rejected(
                "InvalidRequest", f"statusDetails.{key} must be a string of 1 to {MAX_DETAIL} characters"
            )
        checked[str(key)] = value
    return checked
