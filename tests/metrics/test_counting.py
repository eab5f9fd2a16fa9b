"""Counting: which message becomes which metric, and bad messages never crash the count."""

from __future__ import annotations

import pytest
from ghela.core import topics
from ghela.core.messages import ActivityKind, JobStatus
from ghela.metrics.counters import ACTIVITY_METRICS, METRIC_NAMES, Counters


def test_every_activity_kind_has_a_metric_named_in_the_brief() -> None:
    assert set(ACTIVITY_METRICS) == set(ActivityKind)
    assert set(ACTIVITY_METRICS.values()) <= set(METRIC_NAMES)


def test_take_returns_the_counts_and_resets_them() -> None:
    counters = Counters()
    counters.add("EventsAdded", 3)
    counters.add("EventsAdded")
    assert counters.take()["EventsAdded"] == 4
    assert counters.take() == dict.fromkeys(METRIC_NAMES, 0)
    with pytest.raises(KeyError, match="Bogus"):
        counters.add("Bogus")


@pytest.mark.parametrize(
    ("kind", "metric"),
    [
        (ActivityKind.EVENT_ADDED, "EventsAdded"),
        (ActivityKind.EVENT_UPDATED, "EventsUpdated"),
        (ActivityKind.EVENT_CANCELLED, "EventsCancelled"),
        (ActivityKind.ALERT_STARTED, "AlertsStarted"),
        (ActivityKind.ALERT_STOPPED, "AlertsStopped"),
        (ActivityKind.ALERT_SNOOZED, "AlertsSnoozed"),
        (ActivityKind.SCRAPE_OK, "ScrapesOk"),
        (ActivityKind.SCRAPE_FAILED, "ScrapesFailed"),
        (ActivityKind.INVALID_MESSAGE, "InvalidMessages"),
    ],
)
def test_activity_messages_are_counted_with_their_count(metrics_rig, fake_cloudwatch, kind, metric) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.activity(kind)
    rig.activity(kind, count=4)
    counts = rig.counters.peek()
    assert counts[metric] == 5
    assert sum(counts.values()) == 5


def test_job_outcomes_count_rejected_as_failed(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.job(JobStatus.SUCCEEDED)
    rig.job(JobStatus.FAILED)
    rig.job(JobStatus.REJECTED)
    counts = rig.counters.peek()
    assert (counts["JobsSucceeded"], counts["JobsFailed"]) == (1, 2)


def test_bad_messages_are_counted_as_invalid_and_counting_goes_on(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    unknown_kind = '{"kind": "party", "at": "2026-11-25T12:00:00+00:00", "component": "x"}'
    rig.bus.publish_raw(topics.ACTIVITY, unknown_kind)
    rig.bus.publish_raw(topics.ACTIVITY, b"{not json")
    bad_status = '{"job_id": "j", "operation": "x", "status": "MAYBE", "at": "now"}'
    rig.bus.publish_raw(topics.JOB_OUTCOME, bad_status)
    rig.activity(ActivityKind.EVENT_ADDED)
    counts = rig.counters.peek()
    assert counts["InvalidMessages"] == 3
    assert counts["EventsAdded"] == 1
