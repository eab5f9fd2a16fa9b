"""The device status item (light state, last seen, synced revision, each source's last
scrape, each component's own state and starts), kept current, throttled.

Written when the light reports a change (at most once per ``min_gap``) and at least every
``interval`` as a "last seen" beat. Runs as the ``status`` worker; a failed write is
retried with the worker's backoff, and only the latest state is ever written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from ghela.cloudsync.aws import DynamoDb
from ghela.cloudsync.items import status_update
from ghela.core.clock import Clock
from ghela.core.messages import Message
from ghela.core.messages.health import ComponentHealth, ScrapeVerdict
from ghela.core.messages.light import LightState
from ghela.core.messages.scrape import ScrapeResult


class StatusReporter:
    def __init__(
        self,
        db: DynamoDb,
        table: str,
        device: str,
        clock: Clock,
        *,
        interval: float,
        min_gap: float,
        software_version: str,
        revision: Callable[[], int],
    ) -> None:
        self._db = db
        self._table = table
        self._device = device
        self._clock = clock
        self._interval = timedelta(seconds=interval)
        self._min_gap = timedelta(seconds=min_gap)
        self._version = software_version
        self._revision = revision
        self._lock = threading.Lock()
        self._light: LightState | None = None
        self._scrapes: dict[str, ScrapeVerdict] = {}
        self._components: dict[str, ComponentHealth] = {}
        self._dirty = True
        self._last_write: datetime | None = None
        self.on_change: Callable[[], None] = lambda: None
        """Set by the service: wakes the status worker."""

    def light_changed(self, message: Message) -> None:
        if not isinstance(message, LightState):
            return
        with self._lock:
            if self._light == message:
                return
            self._light = message
            self._dirty = True
        self.on_change()

    def scrape_seen(self, message: Message) -> None:
        """Keep each source's last scrape verdict (what the admin's health card shows)."""
        if not isinstance(message, ScrapeResult):
            return
        with self._lock:
            self._scrapes[message.source] = ScrapeVerdict.of(message)
            self._dirty = True
        self.on_change()

    def component_seen(self, message: Message) -> None:
        """Keep each component's last report of itself (ghela.core.selfreport)."""
        if not isinstance(message, ComponentHealth):
            return
        with self._lock:
            if self._components.get(message.component) == message:
                return
            self._components[message.component] = message
            self._dirty = True
        self.on_change()

    def _reported(self) -> tuple[list[ScrapeVerdict], list[ComponentHealth]]:
        return (
            [self._scrapes[name] for name in sorted(self._scrapes)],
            [self._components[name] for name in sorted(self._components)],
        )

    def work(self) -> datetime | None:
        now = self._clock.now()
        with self._lock:
            light, dirty, last = self._light, self._dirty, self._last_write
            reported = self._reported()
        if last is not None:
            if not dirty and now < last + self._interval:
                return last + self._interval
            if now < last + self._min_gap:
                return last + self._min_gap
        update = status_update(
            self._device,
            last_seen=now,
            revision=self._revision(),
            software_version=self._version,
            light=light,
            scrapes=reported[0],
            components=reported[1],
        )
        self._db.update(self._table, update.key, update.expression, update.values, update.names)
        with self._lock:
            self._last_write = now
            self._dirty = self._light != light or reported != self._reported()
        return now + (self._min_gap if self._dirty else self._interval)
