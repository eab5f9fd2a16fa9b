"""The local IoT Jobs endpoint's delivery state: one record per (thing, job) execution.

moto has an IoT Jobs control plane but no data plane, so what a device has started and
finished lives here, in a small JSON file written atomically (temp file + rename) after
every change (a job the API just announced waits in memory until the device starts it:
the control plane still has it), so the runtime can restart without re-delivering
finished jobs.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ghela.core.errors import StorageError

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "REJECTED", "CANCELED", "TIMED_OUT", "REMOVED"})
PENDING = frozenset({"QUEUED", "IN_PROGRESS"})


@dataclass
class Execution:
    """One job's execution on one thing, as the device side sees it."""

    job_id: str
    status: str = "QUEUED"
    queued_at: float = 0.0
    started_at: float | None = None
    last_updated_at: float = 0.0
    version_number: int = 1
    execution_number: int = 1
    status_details: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def summary(self) -> dict[str, Any]:
        """The JobExecutionSummary shape of the MQTT API."""
        summary: dict[str, Any] = {
            "jobId": self.job_id,
            "queuedAt": int(self.queued_at),
            "lastUpdatedAt": int(self.last_updated_at),
            "versionNumber": self.version_number,
            "executionNumber": self.execution_number,
        }
        if self.started_at is not None:
            summary["startedAt"] = int(self.started_at)
        return summary

    def description(self, thing: str, document: Any) -> dict[str, Any]:
        """The JobExecution shape (with status and document) of the MQTT API."""
        return {
            **self.summary(),
            "thingName": thing,
            "status": self.status,
            "statusDetails": dict(self.status_details),
            "jobDocument": document,
        }


class DeliveryState:
    """Executions per thing; ``path`` None keeps them in memory only."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = Path(path) if path else None
        self._lock = threading.RLock()
        self._things: dict[str, dict[str, Execution]] = {}
        if self._path is not None and self._path.exists():
            self._things = _load(self._path)

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def get(self, thing: str, job_id: str) -> Execution | None:
        with self._lock:
            return self._things.get(thing, {}).get(job_id)

    def executions(self, thing: str) -> list[Execution]:
        with self._lock:
            return list(self._things.get(thing, {}).values())

    def add(self, thing: str, execution: Execution) -> None:
        with self._lock:
            self._things.setdefault(thing, {})[execution.job_id] = execution

    def next_pending(self, thing: str) -> Execution | None:
        """IN_PROGRESS first (a device that restarted gets its job back), then oldest QUEUED."""
        with self._lock:
            pending = [e for e in self.executions(thing) if e.pending]
        order = {"IN_PROGRESS": 0, "QUEUED": 1}
        pending.sort(key=lambda e: (order[e.status], e.queued_at))
        return pending[0] if pending else None

    def save(self) -> None:
        if self._path is None:
            return
        with self._lock:
            body = {
                "things": {t: {j: asdict(e) for j, e in jobs.items()} for t, jobs in self._things.items()}
            }
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self._path.parent, prefix=".iotjobs-", suffix=".json")
            try:
                with os.fdopen(fd, "w") as handle:
                    json.dump(body, handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, self._path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise


def _load(path: Path) -> dict[str, dict[str, Execution]]:
    """The executions saved in ``path``; StorageError naming the file if it cannot be read."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            thing: {job_id: Execution(**record) for job_id, record in jobs.items()}
            for thing, jobs in raw.get("things", {}).items()
        }
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise StorageError(
            f"cannot read the IoT jobs delivery state {path}: {exc} (delete it to start afresh)"
        ) from None
