"""The interval loop with a CloudWatch fake: datapoints, timestamps, backlog, back-off."""

from __future__ import annotations

from datetime import timedelta

from ghela.core.errors import TransientError
from ghela.core.messages.counted import ActivityKind
from ghela.metrics.buffer import Datapoint
from ghela.metrics.cloudwatch import RejectedDatapoints
from ghela.metrics.counters import METRIC_NAMES

from tests.metrics.conftest import DEVICE, at


def test_each_interval_sends_one_datapoint_per_metric_at_its_start(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.activity(ActivityKind.ALERT_STARTED)
    rig.activity(ActivityKind.EVENT_ADDED, count=3)
    rig.next_interval(lambda: len(fake_cloudwatch.points) == len(METRIC_NAMES))
    sent = {p.metric: p for p in fake_cloudwatch.points}
    assert set(sent) == set(METRIC_NAMES)
    assert {p.timestamp for p in sent.values()} == {at(0)}
    assert {p.device for p in sent.values()} == {DEVICE}
    assert (sent["AlertsStarted"].value, sent["EventsAdded"].value, sent["Heartbeat"].value) == (1, 3, 1)
    assert sent["ScrapesFailed"].value == 0
    rig.next_interval(lambda: len(fake_cloudwatch.points) == 2 * len(METRIC_NAMES))
    second = {p.metric: p for p in fake_cloudwatch.points[len(METRIC_NAMES):]}
    assert second["AlertsStarted"].value == 0 and second["Heartbeat"].timestamp == at(5)
    assert len(rig.buffer) == 0


def test_unsent_datapoints_wait_with_capped_back_off_and_keep_their_timestamps(
    metrics_rig, fake_cloudwatch
) -> None:
    rig = metrics_rig(fake_cloudwatch, retry_max=20)
    fake_cloudwatch.failure = TransientError("network down")
    rig.activity(ActivityKind.SCRAPE_FAILED)
    rig.next_interval(lambda: len(fake_cloudwatch.attempts) == 1)
    assert len(rig.buffer) == len(METRIC_NAMES)
    retries = []
    for attempt in range(2, 6):
        retries.append(rig.pusher.retry_at)
        rig.clock.set(rig.pusher.retry_at)
        assert rig.pusher.wait_until(lambda n=attempt: len(fake_cloudwatch.attempts) == n, 10.0)
    second = timedelta(seconds=1)
    assert [r - at(5) for r in retries] == [5 * second, 15 * second, 35 * second, 55 * second]
    rig.activity(ActivityKind.SCRAPE_OK)  # counting goes on meanwhile
    fake_cloudwatch.failure = None
    rig.clock.set(at(10))
    assert rig.pusher.wait_until(lambda: len(rig.buffer) == 0, 10.0)
    assert sorted({p.timestamp for p in fake_cloudwatch.points}) == [at(0), at(5)]
    counted = [p for p in fake_cloudwatch.points if p.value and p.metric != "Heartbeat"]
    nonzero = sorted((p.metric, p.timestamp) for p in counted)
    assert nonzero == [("ScrapesFailed", at(0)), ("ScrapesOk", at(5))]
    assert rig.pusher.retry_at is None


def test_refused_datapoints_are_dropped_not_retried_forever(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    fake_cloudwatch.failure = RejectedDatapoints("InvalidParameterValue")
    rig.next_interval(lambda: len(fake_cloudwatch.attempts) == 1 and len(rig.buffer) == 0)
    assert rig.pusher.retry_at is None


def test_datapoints_too_old_for_cloudwatch_are_dropped(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    too_old, recent = at(-15 * 24 * 60), at(-60)
    rig.buffer.add([Datapoint("Heartbeat", DEVICE, too_old, 1), Datapoint("Heartbeat", DEVICE, recent, 1)])
    rig.next_interval(lambda: len(rig.buffer) == 0)
    sent = {p.timestamp for p in fake_cloudwatch.points}
    assert too_old not in sent and recent in sent


def test_stop_keeps_the_unfinished_interval_in_the_buffer(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.activity(ActivityKind.ALERT_SNOOZED, count=2)
    rig.clock.advance(seconds=100)
    rig.stop()
    kept = [s.point for s in rig.buffer.__class__(rig.buffer.path, 100).oldest(100)]
    assert [(p.metric, p.timestamp, p.value) for p in kept] == [("AlertsSnoozed", at(0), 2)]
