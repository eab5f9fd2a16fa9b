"""IoT Jobs for this device, pushed over the IoT Core proxy (never polled as the main path).

Flow, as AWS recommends for devices:

1. On start (and after each finished job, and on ``notify-next``) publish ``start-next``.
2. ``start-next/accepted`` carries the next execution (QUEUED or IN_PROGRESS) with its
   document; the runner thread executes it (see :mod:`ghela.cloudsync.executor`).
3. The outcome goes to the outbox: the IoT status update (lane ``iot``) and the jobs table
   row (lane ``jobs``), atomically, and to local JOB_OUTCOME for Metrics.
4. When the ``iot`` lane has delivered the update (``{jobId}/update/accepted`` or
   ``rejected`` arrived), ask ``start-next`` again. Asking before the update is delivered
   would only get the same IN_PROGRESS job back.

Whatever arrives on these topics never stops the jobs thread: a payload that is not a JSON
object is logged and counted (``InvalidMessages``, :meth:`Bus.report_invalid`). A job whose
document nests too deeply to read is still picked out of its envelope (the deep part cut
off, :func:`~ghela.core.decoding.read_json_cut`) and REJECTED once with that reason, so
IoT does not deliver it again and again.

A job whose outcome is still waiting in the outbox is never executed again; a job
delivered again after its update went out is executed again, and the Scheduler answers
DUPLICATE (the job id is the command id), so it is applied once and reported SUCCEEDED.

After a reconnect: when the bus reports its connection back (:meth:`Bus.on_reconnect`),
``start-next`` is published at once. A reconnect the bus cannot see (the nucleus's own MQTT
link to AWS) is covered by a safety net: ``start-next`` is also published after
``recheck_seconds`` without any job traffic.

One thread (``cloudsync-jobs``) runs the jobs. It sleeps on the injected clock until the
next ask is due (a retry of a failed ask, the recheck) or until something arrives; all
state the bus's and the outbox's threads share with it is under one lock.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from ghela.cloudsync.executor import JobExecutor, Outcome
from ghela.cloudsync.items import JobRecord
from ghela.cloudsync.stopsignal import StopSignal
from ghela.core import topics
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.decoding import MAX_DEPTH, read_json_cut
from ghela.core.errors import InvalidInput, PermanentError, TransientError
from ghela.core.messages.counted import JobOutcome

log = logging.getLogger(__name__)

IOT_LANE = "iot"
JOBS_LANE = "jobs"
ASK_RETRY = timedelta(seconds=5)
"""When publishing start-next failed (IPC hiccup), ask again this much later."""


def _read_message(payload: bytes) -> tuple[dict[str, Any], str | None]:
    """The message as an object, and why it could not be read strictly (None: it could).

    A message that cannot be read strictly may still name its job: nested too deeply (the
    deep part is cut off), or holding what only Python's lenient json reads (``NaN``).
    That job is then REJECTED with the reason, rather than delivered again and again.
    """
    try:
        body, cut = read_json_cut(payload, "IoT jobs message")
        unreadable = f"job document is nested deeper than {MAX_DEPTH - 2} levels" if cut else None
    except InvalidInput as exc:
        unreadable = str(exc)
        try:
            # Lenient, only to find the job to reject: numbers kept as text, so a
            # 5,000-digit one or NaN cannot stop us from reading the job id.
            body = json.loads(payload, parse_int=str, parse_float=str, parse_constant=str)
        except Exception:
            body = None
    if not isinstance(body, dict):
        return {}, unreadable or f"IoT jobs message must be a JSON object, not {type(body).__name__}"
    return body, unreadable


class UpdateAnswers:
    """Waits, on the injected clock, for IoT's accepted/rejected answer to one job's update."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[threading.Event, list[tuple[str, dict[str, Any]]]]] = {}

    def expect(self, job_id: str) -> None:
        with self._lock:
            self._slots[job_id] = (threading.Event(), [])

    def answered(self, job_id: str, verdict: str, payload: dict[str, Any]) -> None:
        with self._lock:
            slot = self._slots.get(job_id)
            if slot is not None:
                slot[1].append((verdict, payload))
        if slot is not None:
            slot[0].set()

    def wait(self, job_id: str, timeout: float) -> tuple[str, dict[str, Any]] | None:
        with self._lock:
            answered, answers = self._slots[job_id]
        try:
            if not self._clock.wait(answered, self._clock.now() + timedelta(seconds=timeout)):
                return None
            with self._lock:
                return answers[0]
        finally:
            with self._lock:
                self._slots.pop(job_id, None)


Execution = tuple[dict[str, Any], str | None]
"""An execution to run, with why its document cannot be read (None: it can)."""


class JobsClient:
    def __init__(
        self,
        bus: Bus,
        *,
        thing: str,
        executor: JobExecutor,
        clock: Clock,
        enqueue: Callable[..., None],
        held: Callable[[], Iterable[str]],
        update_timeout: float,
        recheck_seconds: float = 600,
    ) -> None:
        """``held`` gives, at start, the jobs whose outcome is still in the outbox."""
        self._bus = bus
        self.thing = thing
        self._executor = executor
        self._clock = clock
        self._enqueue = enqueue
        self._initially_held = held
        self._update_timeout = update_timeout
        self._recheck = timedelta(seconds=recheck_seconds)
        self._stopping = StopSignal()
        self._wake = threading.Event()
        self._answers = UpdateAnswers(clock)
        self._subscriptions: list[Subscription] = []
        self._thread = threading.Thread(target=self._run, name="cloudsync-jobs", daemon=True)
        # Shared with the bus's and the outbox's threads: all under this one lock.
        self._lock = threading.Lock()
        self._held: set[str] = set()
        """Job ids running now or whose outcome is still in the outbox: never run again."""
        self._pending: deque[Execution] = deque()
        self._busy = False
        self._last_traffic: datetime = clock.now()
        self._ask_again_at: datetime | None = None
        self._reconnected = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        with self._lock:
            self._held = set(self._initially_held())
            self._last_traffic = self._clock.now()
        for suffix in (
            "notify-next",
            "start-next/accepted",
            "start-next/rejected",
            "+/update/accepted",
            "+/update/rejected",
        ):
            self._subscriptions.append(self._bus.subscribe_iot(self._topic(suffix), self._on_message))
        self._subscriptions.append(self._bus.on_reconnect(self._on_reconnect))
        self._thread.start()
        self.ask_next()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            subscription.close()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _topic(self, suffix: str) -> str:
        return topics.jobs_topic(self.thing, suffix)

    # ------------------------------------------------------------------ asking

    def ask_next(self) -> None:
        """Publish start-next; a failure is only logged (asked again after ASK_RETRY)."""
        now = self._clock.now()
        with self._lock:
            self._last_traffic = now
            self._ask_again_at = None
        try:
            self._bus.publish_iot(self._topic("start-next"), {})
        except Exception as exc:
            log.warning("could not ask IoT for the next job: %s", exc)
            with self._lock:
                self._ask_again_at = now + ASK_RETRY
        self._wake.set()

    def _on_reconnect(self) -> None:
        """The bus's connection is back: jobs notified while away are asked for (never blocks)."""
        with self._lock:
            self._reconnected = True
        self._wake.set()

    # ------------------------------------------------------------------ incoming

    def _on_message(self, topic: str, payload: bytes) -> None:
        """Never raises and never blocks: work goes to the runner thread."""
        with self._lock:
            self._last_traffic = self._clock.now()
        self._wake.set()
        suffix = topic.removeprefix(self._topic(""))
        body, unreadable = _read_message(payload)
        if unreadable is not None:
            self._bus.report_invalid(topic, unreadable)
            if suffix == "notify-next":
                # Only a signal that a job is waiting: start-next reads it (leniently, to
                # REJECT it by its id), so an unreadable notice must not leave it pending.
                self._ask_unless_busy()
                return
            if suffix != "start-next/accepted" or not isinstance(body.get("execution"), dict):
                return
        if suffix == "start-next/accepted":
            execution = body.get("execution")
            if isinstance(execution, dict):
                with self._lock:
                    self._pending.append((execution, unreadable))
                self._wake.set()
            else:
                log.info("no pending jobs")
        elif suffix == "notify-next":
            if isinstance(body.get("execution"), dict):
                self._ask_unless_busy()
        elif suffix == "start-next/rejected":
            log.warning("IoT refused start-next: %s", body.get("message") or body)
        elif suffix.endswith("/update/accepted") or suffix.endswith("/update/rejected"):
            job_id, _, verdict = suffix.rpartition("/update/")
            self._answers.answered(job_id, verdict, body)

    def _ask_unless_busy(self) -> None:
        with self._lock:
            busy = self._busy
        if not busy:
            self.ask_next()

    # ------------------------------------------------------------------ running

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before reading: a change after this read wakes the wait
            execution, ask, due = self._next_step(self._clock.now())
            if execution is not None:
                self._run_one(*execution)
            elif ask:
                self.ask_next()
            else:
                self._clock.wait(self._wake, due)

    def _next_step(self, now: datetime) -> tuple[Execution | None, bool, datetime | None]:
        """The next execution to run, else whether to ask start-next now, else when to look again.

        Asked again: after a failed ask (at its retry time), after a reconnect, and after
        ``recheck`` without job traffic while no job is held.
        """
        with self._lock:
            if self._pending:
                return self._pending.popleft(), False, None
            if self._reconnected:
                self._reconnected = False
                return None, True, None
            due = [] if self._ask_again_at is None else [self._ask_again_at]
            if not self._held:
                due.append(self._last_traffic + self._recheck)
        if due and now >= min(due):
            return None, True, None
        return None, False, min(due, default=None)

    def _run_one(self, execution: dict[str, Any], unreadable: str | None = None) -> None:
        job_id = str(execution.get("jobId", ""))[:200]
        with self._lock:
            if not job_id or job_id in self._held:
                log.info("job %s is already being handled; not running it again", job_id or "(no id)")
                return
            self._held.add(job_id)
            self._busy = True
        try:
            document = execution.get("jobDocument")
            outcome = self._executor.execute(job_id, document, self._stopping, unreadable)
            if outcome is None:  # stopping: left IN_PROGRESS, delivered again on the next start
                with self._lock:
                    self._held.discard(job_id)
                return
            self._finish(job_id, document, outcome)
        finally:
            with self._lock:
                self._busy = False

    def _finish(self, job_id: str, document: Any, outcome: Outcome) -> None:
        now = self._clock.now()
        log.info("job %s (%s): %s: %s", job_id, outcome.operation, outcome.status.value, outcome.reason)
        record = JobRecord(
            job_id=job_id,
            device=self.thing,
            operation=outcome.operation,
            document=document if isinstance(document, dict | str) else json.dumps(document),
            status=outcome.status.value,
            reason=outcome.reason[:2000],
            at=now,
        )
        update = {"job_id": job_id, "status": outcome.status.value, "statusDetails": outcome.status_details()}
        self._enqueue((IOT_LANE, update), (JOBS_LANE, record.to_json()))
        try:
            self._bus.publish(
                topics.JOB_OUTCOME,
                JobOutcome(
                    job_id=job_id,
                    operation=outcome.operation,
                    status=outcome.status,
                    reason=outcome.reason[:2000],
                    at=now,
                ),
            )
        except Exception as exc:
            log.warning("could not publish the outcome of job %s locally: %s", job_id, exc)

    # ------------------------------------------------------------------ outbox lane "iot"

    def deliver_update(self, entry: dict[str, Any]) -> None:
        """Send one status update and wait for IoT's verdict; TransientError to retry."""
        job_id = entry["job_id"]
        self._answers.expect(job_id)
        body = {"status": entry["status"], "statusDetails": entry["statusDetails"]}
        try:
            self._bus.publish_iot(self._topic(f"{job_id}/update"), body)
        except Exception as exc:
            self._answers.wait(job_id, 0)
            if getattr(exc, "permanent", False):  # the nucleus refuses this topic or body for good
                raise PermanentError(f"the update of job {job_id} is refused: {exc}") from exc
            raise TransientError(f"could not send the update of job {job_id}: {exc}") from exc
        answer = self._answers.wait(job_id, self._update_timeout)
        if answer is None:
            raise TransientError(f"IoT did not answer the update of job {job_id}")
        verdict, payload = answer
        if verdict == "rejected":
            log.warning(
                "IoT rejected the %s update of job %s: %s",
                entry["status"],
                job_id,
                payload.get("message") or payload,
            )

    def update_delivered(self, job_id: str, lane_empty: bool) -> None:
        """The outbox delivered a job's update: it may run again; ask for the next job."""
        with self._lock:
            self._held.discard(job_id)
        self._wake.set()
        if lane_empty:
            self.ask_next()
