"""The CloudWatch contract between the device's Metrics component and the cloud side.

The device writes these metrics; the cloud's alarm, dashboard and API read them. Both import
them from here (the Lambda package carries ``ghela.core``), so the names cannot drift.
"""

from __future__ import annotations

NAMESPACE = "GhelamcoAlert"
DIMENSION = "Device"
HEARTBEAT = "Heartbeat"
METRIC_NAMES = (
    "EventsAdded",
    "EventsUpdated",
    "EventsCancelled",
    "AlertsStarted",
    "AlertsStopped",
    "AlertsSnoozed",
    "ScrapesOk",
    "ScrapesFailed",
    "SourceDisagreements",
    "JobsSucceeded",
    "JobsFailed",
    "InvalidMessages",
    HEARTBEAT,
)
