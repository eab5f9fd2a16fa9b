"""The Metrics component: subscribe to what is countable, count it, push it every interval.

Each count is on disk before Metrics confirms it to its sender (``Counted``), and a
starting Metrics asks every sender for what it has not confirmed (see
:mod:`ghela.core.countedbus`), so nothing published while it was down is lost.
"""

from __future__ import annotations

import logging

from ghela.core import topics
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.messages import Message
from ghela.core.messages.counted import Activity, Counted, JobOutcome, Sequenced
from ghela.metrics.buffer import DatapointBuffer
from ghela.metrics.cloudwatch import CloudWatchMetrics
from ghela.metrics.config import MetricsConfig
from ghela.metrics.counters import Counters
from ghela.metrics.pusher import Pusher

log = logging.getLogger(__name__)


class MetricsService:
    """Counts Activity and JobOutcome messages; the :class:`Pusher` sends them."""

    def __init__(self, bus: Bus, counters: Counters, pusher: Pusher, buffer: DatapointBuffer) -> None:
        """Assemble only: :meth:`start` subscribes, starts the pusher and asks for resends."""
        self._bus = bus
        self.counters = counters
        self.pusher = pusher
        self.buffer = buffer
        self._subscriptions: list[Subscription] = []

    def start(self) -> MetricsService:
        self._subscriptions = [
            self._bus.subscribe(topics.ACTIVITY, self._on_activity),
            self._bus.subscribe(topics.JOB_OUTCOME, self._on_job),
        ]
        self.pusher.start()
        self._bus.publish(topics.COUNTED, Counted())  # senders: send again what I have not confirmed
        return self

    def _on_activity(self, message: Message) -> None:
        if isinstance(message, Activity):
            self._confirm(message, self.counters.count_activity(message))

    def _on_job(self, message: Message) -> None:
        if isinstance(message, JobOutcome):
            self._confirm(message, self.counters.count_job(message))

    def _confirm(self, message: Sequenced, counted: int | None) -> None:
        """Tell the sender how far it is counted (stored): it may forget those messages."""
        if message.sender is not None and counted is not None:
            self._bus.publish(topics.COUNTED, Counted(sender=message.sender, seq=counted))

    def stop(self) -> None:
        for subscription in self._subscriptions:
            subscription.close()
        if self.pusher.stop():
            self.buffer.close()


def start(bus: Bus, config: MetricsConfig, clock: Clock) -> MetricsService:
    """The Metrics component's starter for :func:`ghela.core.component.run_component`."""
    device = config.device_name()
    buffer = DatapointBuffer(config.buffer_path, config.max_buffered_datapoints)
    counters = Counters(buffer)
    pusher = Pusher(
        buffer,
        CloudWatchMetrics.connect(config.namespace, config.aws_endpoint_url),
        clock,
        device=device,
        interval_seconds=config.interval_seconds,
        retry_max_seconds=config.retry_max_seconds,
    )
    log.info(
        "counting into %s (Device=%s) every %d s; %d datapoints buffered from before",
        config.namespace, device, config.interval_seconds, len(buffer),
    )
    return MetricsService(bus, counters, pusher, buffer).start()
