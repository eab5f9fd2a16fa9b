"""The counters of one interval, fed from the messages other components publish.

Names are the CloudWatch metric names the cloud side's dashboards and alarms use. Counting
is a lock and an addition, so it never waits on the network.
"""

from __future__ import annotations

import threading

from ghela.core.messages import Activity, ActivityKind, JobOutcome, JobStatus
from ghela.core.metricnames import METRIC_NAMES

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
    """Thread-safe counts for the current interval; :meth:`take` reads and resets them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(METRIC_NAMES, 0)

    def add(self, metric: str, count: int = 1) -> None:
        if metric not in self._counts:
            raise KeyError(f"unknown metric {metric!r}")
        with self._lock:
            self._counts[metric] += count

    def count_activity(self, activity: Activity) -> None:
        self.add(ACTIVITY_METRICS[activity.kind], activity.count)

    def count_job(self, outcome: JobOutcome) -> None:
        self.add(JOB_METRICS[outcome.status])

    def count_invalid(self, count: int = 1) -> None:
        self.add("InvalidMessages", count)

    def peek(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def take(self) -> dict[str, int]:
        """The counts so far, and zero them (the interval itself sets Heartbeat)."""
        with self._lock:
            counts, self._counts = self._counts, dict.fromkeys(METRIC_NAMES, 0)
        return counts
