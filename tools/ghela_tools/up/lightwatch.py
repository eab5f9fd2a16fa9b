"""The light's state in the console: a probe component on the runtime's IPC that prints each
``LightState`` the AlertLight reports (and asks for the current one at start).

The same probe asks the Scraper for a scrape once every component is connected: a
component's first scrape at start-up can be published before the Scheduler has subscribed
(they start in parallel), and the next one would come an hour later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ghela.core import topics
from ghela.core.clock import SystemClock, venue_zone
from ghela.core.messages import Message
from ghela.core.messages.light import LightState, LightStateRequest

PROBE_NAME = "ghela_tools.up.LightWatch"


def probe_access_control() -> dict[str, Any]:
    """Exactly what the watch uses: ask for the state, hear the state."""
    return {
        "aws.greengrass.ipc.pubsub": {
            f"{PROBE_NAME}:pubsub:publish": {
                "operations": ["aws.greengrass#PublishToTopic"],
                "resources": [topics.LIGHT_STATE_REQUEST],
            },
            f"{PROBE_NAME}:pubsub:subscribe": {
                "operations": ["aws.greengrass#SubscribeToTopic"],
                "resources": [topics.LIGHT_STATE],
            },
        }
    }


def describe(state: LightState, zone: str = "Europe/Brussels") -> str:
    since = state.since.astimezone(venue_zone(zone)).strftime("%H:%M:%S")
    what = f"ON ({state.pattern.value})" if state.on else "off"
    reason = f" — {state.reason}" if state.reason else ""
    return f"light {what} since {since}{reason}"


class LightWatch:
    """Prints a line when the light changes; keeps the last state and when it was seen."""

    def __init__(self, bus: Any, say: Callable[[str], None]) -> None:
        self._bus = bus
        self._say = say
        self._lock = threading.Condition()
        self.last: LightState | None = None
        self.history: list[tuple[datetime, LightState]] = []

    def start(self) -> LightWatch:
        self._bus.subscribe(topics.LIGHT_STATE, self._on_state)
        self._bus.publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())
        return self

    def _on_state(self, message: Message) -> None:
        if not isinstance(message, LightState):
            return
        with self._lock:
            changed = self.last is None or (self.last.on, self.last.pattern) != (message.on, message.pattern)
            self.last = message
            self.history.append((SystemClock().now(), message))
            self._lock.notify_all()
        if changed:
            self._say(describe(message))

    def wait_for(self, on: bool, timeout: float) -> LightState | None:
        """Block until the light is ``on`` (or off); the state, or None after ``timeout``."""
        with self._lock:
            self._lock.wait_for(lambda: self.last is not None and self.last.on == on, timeout)
            return self.last if self.last is not None and self.last.on == on else None

    def close(self) -> None:
        self._bus.close()
