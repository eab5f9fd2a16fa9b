"""Apply each streamed change of the events table to the alert schedules.

An undecodable record is logged with its field and skipped (it can never become valid by
retrying); a Scheduler failure is reported as a batch item failure, so Lambda retries
from that record (``FunctionResponseTypes: [ReportBatchItemFailures]`` in the template).
Late changes go to the sender at once through ``send_now``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ghela_cloud.notify.messages import Notification
from ghela_cloud.notify.planning import plan_change
from ghela_cloud.notify.schedules import Schedules
from ghela_cloud.notify.stream import Rejected, decode_record

log = logging.getLogger("ghela.notify.planner")


@dataclass
class PlannerResult:
    rejected: list[Rejected] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Sequence numbers of the records to retry (``batchItemFailures``)."""


def plan_records(
    records: Iterable[Any],
    schedules: Schedules,
    send_now: Callable[[Notification], object],
    now: datetime,
) -> PlannerResult:
    result = PlannerResult()
    for record in records:
        change = decode_record(record)
        if change is None:
            continue
        if isinstance(change, Rejected):
            log.warning("skipping a stream record: %s: %s", change.field, change.reason)
            result.rejected.append(change)
            continue
        plan = plan_change(change.device, change.old, change.new, now)
        try:
            for upsert in plan.upserts:
                schedules.put(upsert.name, upsert.at, upsert.notification)
            for name in plan.deletes:
                schedules.delete(name)
            for notification in plan.now:
                send_now(notification)
        except Exception:
            log.exception("planning failed; the batch is retried from this record")
            sequence = (record.get("dynamodb") or {}).get("SequenceNumber", "")
            result.failed.append(str(sequence))
            break  # later records of the shard must not overtake this one
    return result
