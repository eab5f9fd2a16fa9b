"""The interval loop: close each interval into datapoints, store them, send the backlog.

Intervals are aligned to multiples of ``interval_seconds`` since the epoch (like CloudWatch
periods) and each datapoint carries its interval's start as timestamp. A closed interval is
first written to the on-disk buffer, then the buffer is sent oldest first; what CloudWatch
accepts is removed. While sending fails the loop backs off (doubling, capped) and keeps
closing intervals; counting happens in other threads and never waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ghela.core.backoff import Backoff
from ghela.core.clock import Clock
from ghela.core.errors import TransientError
from ghela.core.metricnames import METRIC_NAMES
from ghela.metrics.buffer import DatapointBuffer
from ghela.metrics.cloudwatch import MAX_DATAPOINTS_PER_REQUEST, CloudWatchMetrics, RejectedDatapoints

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=14) - timedelta(hours=1)
"""CloudWatch refuses datapoints older than two weeks; older buffered ones are dropped."""
FIRST_RETRY = timedelta(seconds=5)
STOP_TIMEOUT_SECONDS = 12.0
"""Longer than one PutMetricData can take (5 s connect + 5 s read, one attempt)."""


def interval_start(moment: datetime, seconds: int) -> datetime:
    """Start of the ``seconds``-long interval (aligned to the epoch) holding ``moment``."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


class Pusher:
    """Owns the thread that turns counters into datapoints and datapoints into PutMetricData."""

    def __init__(
        self,
        buffer: DatapointBuffer,
        cloudwatch: CloudWatchMetrics,
        clock: Clock,
        *,
        device: str,
        interval_seconds: int,
        retry_max_seconds: int,
    ) -> None:
        self._buffer = buffer
        self._cloudwatch = cloudwatch
        self._clock = clock
        self._device = device
        self._interval = interval_seconds
        self._backoff = Backoff(FIRST_RETRY.total_seconds(), retry_max_seconds)
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="metrics-pusher", daemon=True)
        self._progress = threading.Condition()
        self.sent = 0
        """Datapoints CloudWatch accepted since this pusher started."""
        self.failures = 0
        """Send attempts that failed with a transient error since start."""
        self.current_interval = interval_start(clock.now(), interval_seconds)
        """Start of the interval being counted now."""
        self.retry_at: datetime | None = clock.now()
        """When the buffer is next sent (None: at the next interval); at start, what an
        earlier run left behind is sent at once."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> bool:
        """Stop the loop and keep the unfinished interval's counts in the buffer.

        Returns False when the thread is still stuck in a call to CloudWatch (its
        datapoints stay buffered; the buffer must then be left open for it).
        """
        self._stopping = True
        self._wake.set()
        self._thread.join(STOP_TIMEOUT_SECONDS)
        ended = not self._thread.is_alive()
        if not ended:
            log.warning("metrics sender still busy with CloudWatch at stop; its datapoints stay buffered")
        # The current interval is not over: store what it counted so a restart loses nothing.
        self._close_interval(self.current_interval, heartbeat=False)
        return ended

    def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block until ``predicate()`` holds after some loop step (or ``timeout`` seconds)."""
        with self._progress:
            return self._progress.wait_for(predicate, timeout)

    def _run(self) -> None:
        while not self._stopping:
            boundary = self.current_interval + timedelta(seconds=self._interval)
            wake_at = boundary if self.retry_at is None else min(boundary, self.retry_at)
            if self._clock.wait(self._wake, wake_at) and self._stopping:
                break
            now = self._clock.now()
            if now >= boundary:
                self._close_interval(self.current_interval, heartbeat=True)
                self.current_interval = interval_start(now, self._interval)
                self.retry_at = now
            if self.retry_at is not None and now >= self.retry_at:
                self.retry_at = self._send_backlog(now)
            with self._progress:
                self._progress.notify_all()

    def _close_interval(self, start: datetime, *, heartbeat: bool) -> None:
        self._buffer.close_interval(start, self._device, heartbeat, METRIC_NAMES)

    def _send_backlog(self, now: datetime) -> datetime | None:
        """Send the buffer oldest first; None when it is empty, else when to try again."""
        while not self._stopping:
            batch = self._buffer.oldest(MAX_DATAPOINTS_PER_REQUEST)
            if not batch:
                self._backoff.succeeded()
                return None
            stale = [s.id for s in batch if now - s.point.timestamp > MAX_AGE]
            if stale:
                log.warning("dropping %d buffered datapoints older than CloudWatch accepts", len(stale))
                self._buffer.remove(stale)
                continue
            try:
                self._cloudwatch.put([s.point for s in batch])
            except TransientError as exc:
                self.failures += 1
                retry = self._backoff.failed(now)
                log.warning(
                    "metrics not sent (%d buffered), retrying in %d s: %s",
                    len(self._buffer), self._backoff.delay(), exc,
                )
                return retry
            except RejectedDatapoints as exc:
                log.error("dropping %d datapoints CloudWatch refused: %s", len(batch), exc)
            else:
                self.sent += len(batch)
            self._buffer.remove(s.id for s in batch)
        return now
