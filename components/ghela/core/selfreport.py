"""Each component's own account of its health: its lifecycle state and how often its process
has started, for the admin's health card (CloudSync puts them in the status item).

Why the component says it itself: the nucleus knows every state, but a component can only
ask through ListComponents / GetComponentDetails, and the nucleus leaves those to the
Greengrass CLI component (aws-greengrass-nucleus, AuthorizationHandler.java registers them
under the service ``aws.greengrass.Cli``), which AWS recommends deploying "in only
development environments, not production environments" (developer guide, gg-cli). Neither
operation reports restarts either. So each process counts its own starts in a file in its
work folder (the nucleus runs it there and keeps the folder across restarts and
deployments) and publishes COMPONENT_HEALTH when it is running, whenever CloudSync asks
(HEALTH_REQUEST, so a CloudSync that starts last still hears everyone), when it is asked to
stop, and when it fails.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from pathlib import Path

from ghela.core import topics
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.messages import Message
from ghela.core.messages.health import MAX_STARTS, ComponentHealth, ComponentState

log = logging.getLogger(__name__)

STARTS_FILE = "process-starts"
"""In the component's work folder: one whole number, the process starts so far."""


def count_start(path: Path) -> int:
    """Add this start to the count in ``path`` and return it (1 for the first).

    A file that cannot be read as a count (missing, corrupt, out of range) starts the count
    again at 1, logged; a count that cannot be written is still returned (logged): the
    component runs either way.
    """
    previous = 0
    try:
        text = path.read_text(encoding="ascii").strip()
        previous = int(text) if text.isdigit() and len(text) <= len(str(MAX_STARTS)) else -1
    except FileNotFoundError:
        pass
    except (OSError, UnicodeError, ValueError) as exc:
        log.warning("cannot read the start count in %s (%s); counting from 1", path, exc)
    if not 0 <= previous < MAX_STARTS:
        log.warning("the start count in %s is not a count; counting from 1", path)
        previous = 0
    starts = previous + 1
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(f"{starts}\n", encoding="ascii")
        os.replace(temporary, path)
    except OSError as exc:
        log.error("cannot record start %d in %s: %s", starts, path, exc)
    return starts


class HealthReporter:
    """Publishes one component's ComponentHealth now and whenever it is asked for."""

    def __init__(self, bus: Bus, component: str, clock: Clock, starts: int, started_at: datetime) -> None:
        self._bus = bus
        self._component = component
        self._clock = clock
        self._starts = starts
        self._started_at = started_at
        self._lock = threading.Lock()
        self._state: ComponentState | None = None
        self._subscription: Subscription | None = None

    def start(self) -> HealthReporter:
        """Answer requests from now on and report RUNNING.

        A subscription the nucleus refuses (a recipe without the topic) only costs the answers
        to CloudSync's request: the component runs on, and still reports its own changes.
        """
        try:
            self._subscription = self._bus.subscribe(topics.HEALTH_REQUEST, self._on_request)
        except Exception as exc:
            log.warning("%s will not answer health requests: %s", self._component, exc)
        self.report(ComponentState.RUNNING)
        return self

    def report(self, state: ComponentState) -> None:
        with self._lock:
            self._state = state
        self._publish()

    def _on_request(self, message: Message) -> None:
        self._publish()

    def _publish(self) -> None:
        with self._lock:
            state = self._state
        if state is None:
            return
        health = ComponentHealth(
            component=self._component,
            state=state,
            starts=self._starts,
            started_at=self._started_at,
            at=self._clock.now(),
        )
        try:
            self._bus.publish(topics.COMPONENT_HEALTH, health)
        except Exception as exc:  # a report that cannot go out must not take the component down
            log.warning("could not report %s's health: %s", self._component, exc)

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
