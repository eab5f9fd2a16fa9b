"""Issue 18's "Metrics that count everything", end to end against moto's CloudWatch.

GIVEN the Scheduler behind its CountedBus (the outbox every component's bus has, see
:mod:`ghela.core.countedbus`) and no Metrics yet, WHEN the first scrape finds four games and
a person snoozes an alert with the CLI (handed to the running Scheduler), and only then
Metrics starts, THEN CloudWatch receives EventsAdded 4 and AlertsSnoozed 1: nothing
published before a subscriber is lost, and the CLI's change is counted.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ghela.cli import main as ghela
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.countedbus import CountedBus
from ghela.core.countoutbox import CountOutbox
from ghela.metrics.config import MetricsConfig
from ghela.metrics.service import start
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.store import Store

from tests.scheduler.helpers import alerts, events, game, scrape
from tests.support.cloudwatch import metric_points
from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto

# The CLI runs on the real clock (as a person's does), so the frozen one starts at today's
# last 5-minute boundary: the games are ahead of both.
NOW = datetime.fromtimestamp(int(time.time()) // 300 * 300, UTC)


def total(moto, device: str, metric: str) -> float:
    """The metric's sum in moto's CloudWatch over the hour around NOW."""
    hour = timedelta(hours=1)
    points = metric_points(moto, device, metric, NOW - hour, NOW + hour, period=300)
    return float(sum(points.values()))


def test_the_first_scrape_and_a_cli_snooze_are_counted_though_metrics_starts_last(
    moto_server, tmp_path: Path
) -> None:
    moto_server.start()
    clock = FrozenClock(NOW)
    device = f"pi-{uuid.uuid4().hex[:8]}"
    db = tmp_path / "ghela.db"
    bus = InMemoryBus()
    counted = CountedBus(bus, CountOutbox(tmp_path / "scheduler-outbox.sqlite3", "Scheduler"), clock).start()
    config = SchedulerConfig(db_path=str(db), db_check_seconds=1)
    scheduler = SchedulerService(counted, config, clock, Store(config.db_path)).start()
    metrics = None
    try:
        kickoffs = [NOW + timedelta(days=d, hours=6) for d in (3, 10, 17, 24)]
        first = scrape([game(f"g{i}", k, away=f"Club {i}") for i, k in enumerate(kickoffs)], NOW).result
        bus.publish(topics.SCRAPE_RESULT, first)  # nobody counts yet: Metrics is not running
        store = Store(db)
        try:
            wait_for(lambda: len(events(store)) == 4, 10.0, "the first scrape applied")
            alert_id = alerts(store, events(store)[0].id)[0].id
        finally:
            store.close()
        # The CLI, not the bus: its hand-off is applied at once, the clock standing still.
        assert ghela(["alert", "snooze", str(alert_id), "--db", str(db)]) == 0
        wait_for(lambda: len(counted.outbox.pending()) >= 2, 10.0, "both counts kept in the outbox")

        metrics_config = MetricsConfig(
            device=device, aws_endpoint_url=moto_server.url, buffer_path=str(tmp_path / "buf")
        )
        metrics = start(bus, metrics_config, clock)  # last: it asks every sender to send again
        wait_for(lambda: counted.outbox.pending() == [], 10.0, "Metrics to confirm every count")
        clock.advance(seconds=300)
        assert metrics.pusher.wait_until(lambda: len(metrics.buffer) == 0 and metrics.pusher.sent > 0, 20.0)
    finally:
        if metrics is not None:
            metrics.stop()
        scheduler.stop()
        counted.close()
    assert total(moto_server, device, "EventsAdded") == 4.0
    assert total(moto_server, device, "AlertsSnoozed") == 1.0
