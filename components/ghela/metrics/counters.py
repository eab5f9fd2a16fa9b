"""Counting: which message adds to which metric, stored on disk as it is counted.

Names are the CloudWatch metric names the cloud side's dashboards and alarms use. Every
count is one SQLite transaction in the buffer (:meth:`DatapointBuffer.count`), together
with the sender's sequence number, so a kill of Metrics loses nothing counted and a
message delivered again is not counted again (see :mod:`ghela.core.countedbus`).
"""

from __future__ import annotations

from ghela.core.messages.counted import Activity, ActivityKind, JobOutcome, JobStatus, Sequenced
from ghela.core.metricnames import METRIC_NAMES
from ghela.metrics.buffer import DatapointBuffer

ACTIVITY_METRICS: dict[ActivityKind, str] = {
    ActivityKind.EVENT_ADDED: "EventsAdded",
    ActivityKind.EVENT_UPDATED: "EventsUpdated",
    ActivityKind.EVENT_CANCELLED: "EventsCancelled",
    ActivityKind.ALERT_STARTED: "AlertsStarted",
    ActivityKind.ALERT_STOPPED: "AlertsStopped",
    ActivityKind.ALERT_SNOOZED: "AlertsSnoozed",
    ActivityKind.SCRAPE_OK: "ScrapesOk",
    ActivityKind.SCRAPE_FAILED: "ScrapesFailed",
    ActivityKind.SOURCE_DISAGREEMENT: "SourceDisagreements",
    ActivityKind.INVALID_MESSAGE: "InvalidMessages",
}

JOB_METRICS: dict[JobStatus, str] = {
    JobStatus.SUCCEEDED: "JobsSucceeded",
    JobStatus.FAILED: "JobsFailed",
    JobStatus.REJECTED: "JobsFailed",  # a job the device refused did not succeed
}


class Counters:
    """The open interval's counts, kept in the buffer's file; safe from any thread."""

    def __init__(self, buffer: DatapointBuffer) -> None:
        self._buffer = buffer

    def add(self, metric: str, count: int = 1) -> None:
        self._buffer.count(self._known(metric), count)

    def count_activity(self, activity: Activity) -> int | None:
        """Count ``activity`` once; returns up to which number its sender is counted (or None)."""
        return self._count(ACTIVITY_METRICS[activity.kind], activity.count, activity)

    def count_job(self, outcome: JobOutcome) -> int | None:
        return self._count(JOB_METRICS[outcome.status], 1, outcome)

    def peek(self) -> dict[str, int]:
        """Every metric's count in the open interval (0 when nothing was counted)."""
        return dict.fromkeys(METRIC_NAMES, 0) | self._buffer.open_counts()

    def _count(self, metric: str, value: int, message: Sequenced) -> int | None:
        return self._buffer.count(metric, value, message.sender, message.seq, message.acked)

    @staticmethod
    def _known(metric: str) -> str:
        if metric not in METRIC_NAMES:
            raise KeyError(f"unknown metric {metric!r}")
        return metric
