"""Turn one job execution into one outcome: parse, ask the Scheduler, judge the answer.

Never raises for anything a document can contain: every document ends in an
:class:`Outcome` (SUCCEEDED, FAILED or REJECTED) with a reason a person can read.

Timeout policy: the Scheduler is given ``attempts`` × ``timeout`` seconds to answer; within
that the command is re-sent after 1, 2, 4 … s (see :mod:`ghela.cloudsync.exchange`), which
is safe because the Scheduler applies a command id once. If it never answers, the job is
FAILED ("scheduler did not answer in N s"): not left hanging, not retried forever. When
the service stops mid-wait, the job is left IN_PROGRESS and IoT delivers it again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ghela.cloudsync.exchange import Exchange
from ghela.cloudsync.stopsignal import StopSignal
from ghela.core import topics
from ghela.core.bus import Bus
from ghela.core.decoding import read_json
from ghela.core.errors import InvalidInput, TransientError
from ghela.core.jobdocs import parse_job_document
from ghela.core.messages import is_command_id
from ghela.core.messages.commands import CommandRequest, CommandResult, CommandStatus
from ghela.core.messages.counted import JobStatus
from ghela.core.messages.scrape import ScrapeRequest

log = logging.getLogger(__name__)

MAX_DETAIL = 1024  # IoT Jobs: each statusDetails value is at most 1024 characters


@dataclass(frozen=True)
class Outcome:
    status: JobStatus
    reason: str
    operation: str
    details: dict[str, str] = field(default_factory=dict)

    def status_details(self) -> dict[str, str]:
        """statusDetails as IoT accepts them: string values of 1..1024 characters."""
        raw = {"reason": self.reason, "operation": self.operation, **self.details}
        return {k: v[:MAX_DETAIL] for k, v in raw.items() if v}


def operation_of(document: Any) -> str:
    """The operation a document names, for records; "unknown" when it names none."""
    if isinstance(document, str | bytes):
        try:
            document = read_json(document, "job document")
        except InvalidInput:
            return "unknown"
    op = document.get("operation") if isinstance(document, dict) else None
    return op[:100] if isinstance(op, str) and op else "unknown"


class JobExecutor:
    def __init__(
        self, bus: Bus, commands: Exchange[CommandResult], timeout: float, attempts: int = 2
    ) -> None:
        self._bus = bus
        self._commands = commands
        self._timeout = timeout
        self._attempts = attempts

    def execute(
        self, job_id: str, document: Any, cancel: StopSignal | None = None, unreadable: str | None = None
    ) -> Outcome | None:
        """The job's outcome; None only if ``cancel`` (stopping) ended the wait for the Scheduler.

        ``unreadable`` says why the document could not be read out of its envelope (it is
        then REJECTED with that reason).
        """
        operation = operation_of(document)
        if not is_command_id(job_id):
            return Outcome(JobStatus.REJECTED, f"job id {job_id[:80]!r} is not a valid command id", operation)
        if unreadable is not None:
            return Outcome(JobStatus.REJECTED, unreadable, operation, {"field": "(message)"})
        try:
            request = parse_job_document(document)
        except InvalidInput as exc:  # anything a document can hold ends here (ghela.core.decoding)
            return Outcome(JobStatus.REJECTED, str(exc), operation, _field(exc))
        if isinstance(request, ScrapeRequest):
            try:
                self._bus.publish(topics.SCRAPE_REQUEST, request.model_copy(update={"request_id": job_id}))
            except TransientError as exc:
                return Outcome(JobStatus.FAILED, f"could not ask the Scraper: {exc}"[:500], operation)
            return Outcome(JobStatus.SUCCEEDED, "scrape requested", operation)
        command = CommandRequest(command_id=job_id, origin="job", command=request)
        for attempt in range(1, self._attempts + 1):
            result = self._commands.ask(command, job_id, self._timeout, cancel)
            if result is not None:
                return _judge(result, operation)
            if cancel is not None and cancel.is_set():
                return None  # stopping: the job stays IN_PROGRESS and comes back on the next start
            log.warning(
                "job %s: no answer from the Scheduler (attempt %d of %d)", job_id, attempt, self._attempts
            )
        return Outcome(
            JobStatus.FAILED, f"scheduler did not answer in {self._timeout * self._attempts:g} s", operation
        )


def _field(exc: InvalidInput) -> dict[str, str]:
    return {"field": exc.field} if exc.field else {}


def _judge(result: CommandResult, operation: str) -> Outcome:
    details = {"result": result.status.value, "revision": str(result.revision)}
    if result.field:
        details["field"] = result.field
    if result.data:
        details["data"] = json.dumps(result.data, separators=(",", ":"))
    if result.status is CommandStatus.APPLIED:
        return Outcome(JobStatus.SUCCEEDED, result.message or "applied", operation, details)
    if result.status is CommandStatus.DUPLICATE:
        return Outcome(JobStatus.SUCCEEDED, result.message or "already applied", operation, details)
    if result.status is CommandStatus.REJECTED:
        return Outcome(JobStatus.REJECTED, result.message or "rejected by the scheduler", operation, details)
    return Outcome(JobStatus.FAILED, result.message or "the scheduler could not apply it", operation, details)
