"""Fixtures for AlertLight tests: a mock pin factory, an in-memory bus, a running service."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages import Message
from ghela.core.messages.light import LightCommand
from ghela.core.wiretypes import LightPattern
from ghela.light.config import LightConfig
from ghela.light.relay import Relay
from ghela.light.service import LightService
from gpiozero.pins.mock import MockFactory

RELAY_PIN = 17
BUTTON_PIN = 27




class Listener:
    """Collects what is published on one topic, for ``next()`` with a timeout."""

    def __init__(self, bus: InMemoryBus, topic: str) -> None:
        self._queue: queue.Queue[Message] = queue.Queue()
        bus.subscribe(topic, self._queue.put)

    def next(self, timeout: float = 2.0) -> Any:
        return self._queue.get(timeout=timeout)

    def first(self, predicate: Callable[[Any], bool], timeout: float = 2.0) -> Any:
        """The next published message that ``predicate`` accepts (skipping the others)."""
        while not predicate(message := self.next(timeout)):
            pass
        return message

    def drain(self) -> list[Any]:
        items = []
        while not self._queue.empty():
            items.append(self._queue.get_nowait())
        return items


class Rig:
    """A running LightService on mock pins with a frozen clock, and ways to drive it."""

    def __init__(self, clock: FrozenClock, **config: Any) -> None:
        self.clock = clock
        self.factory = MockFactory()
        self.invalid: list[tuple[str, str]] = []
        self.bus = InMemoryBus(on_invalid=lambda topic, reason: self.invalid.append((topic, reason)))
        self.states = Listener(self.bus, topics.LIGHT_STATE)
        self.commands = Listener(self.bus, topics.COMMAND)
        self.asked = Listener(self.bus, topics.LIGHT_SET_REQUEST)
        self.config = LightConfig.model_validate({"pinFactory": "mock", **config})
        relay = Relay(self.config.pin, self.config.active_high, self.factory)
        self.service = LightService(self.bus, self.config, clock, relay, self.factory).start()
        self.driver = self.service.driver
        self.pin = self.factory.pin(self.config.pin)

    def send(self, pattern: LightPattern = LightPattern.STEADY, **fields: Any) -> LightCommand:
        command = LightCommand(pattern=pattern, issued_at=fields.pop("issued_at", self.clock.now()), **fields)
        self.bus.publish(topics.LIGHT_SET, command)
        self.settle()
        return command

    def settle(self) -> None:
        assert self.driver.wait_idle(2.0), "the light driver did not catch up with the clock"

    def lit(self) -> bool:
        """Whether the relay is energised (accounting for active-low wiring)."""
        self.settle()
        return self.pin.state == self.config.active_high

    def at(self, moment: datetime) -> bool:
        self.clock.set(moment)
        return self.lit()

    def trace(self, until: datetime) -> list[tuple[timedelta, bool]]:
        """Step the clock edge by edge up to ``until``: (offset from now, relay) at each switch."""
        start = self.clock.now()
        seen = [(timedelta(0), self.lit())]
        while (edge := self.driver.next_edge) is not None and edge <= until:
            self.clock.set(edge)
            if (lit := self.lit()) != seen[-1][1]:
                seen.append((edge - start, lit))
        return seen

    def stop(self) -> None:
        self.service.stop()


@pytest.fixture
def rig(clock: FrozenClock) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(**config: Any) -> Rig:
        made.append(Rig(clock, **config))
        return made[-1]

    yield make
    for each in made:
        each.stop()
