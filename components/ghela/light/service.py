"""The AlertLight component: LightCommands in, the relay switched, LightState out.

The optional button publishes a SnoozeActive command to the Scheduler on a short press
(so the office can silence the light with the internet down) and shows the next-alert
signal on a long hold.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from ghela.core import topics
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock, monotonic
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, SnoozeActive
from ghela.core.messages.light import LightCommand, LightCommandRequest, LightStateRequest
from ghela.core.wiretypes import new_id
from ghela.light.config import LightConfig
from ghela.light.driver import LightDriver, StateReporter
from ghela.light.relay import Button, Relay, make_pin_factory

log = logging.getLogger(__name__)


class LightService:
    """Wires the bus to the driver, and the button to the bus."""

    def __init__(
        self, bus: Bus, config: LightConfig, clock: Clock, relay: Relay, pin_factory: Any | None = None
    ) -> None:
        """Assemble only: the reporter's thread, the button's pin and the subscriptions
        start in :meth:`start` (the relay is opened by the caller)."""
        self._bus = bus
        self._config = config
        self._relay = relay
        self._stopped = False
        self._reporter = StateReporter(lambda state: bus.publish(topics.LIGHT_STATE, state))
        max_on = timedelta(minutes=config.max_on_minutes)
        self.driver = LightDriver(relay, clock, max_on, self._reporter.report)
        self._pin_factory = pin_factory
        self.button: Button | None = None
        self._subscriptions: list[Subscription] = []

    def start(self) -> LightService:
        """Listen for commands, ask for the one that holds now, and start the driver."""
        self._reporter.start()
        if self._config.button_pin is not None:
            self.button = Button(
                self._config.button_pin,
                on_press=self.snooze,
                on_hold=self.driver.show_next_alert,
                bounce_ms=self._config.button_bounce_ms,
                hold_seconds=self._config.hold_seconds,
                pin_factory=self._pin_factory,
            )
        self._subscriptions = [
            self._bus.subscribe(topics.LIGHT_SET, self._on_command),
            self._bus.subscribe(topics.LIGHT_STATE_REQUEST, self._on_state_request),
        ]
        # Subscribed first, then ask: the Scheduler's answer cannot arrive before we listen.
        # A Scheduler that is down now sends the command itself when it starts. The driver
        # starts (relay off, fail-safe) right after asking, so an answer that comes first is
        # followed at once and a restart inside an alert does not go dark for long.
        self._bus.publish(topics.LIGHT_SET_REQUEST, LightCommandRequest())
        self.driver.start()
        return self

    def _on_command(self, message: Message) -> None:
        if isinstance(message, LightCommand):
            log.debug(
                "light command %s received: %s", message.command_id, message.pattern.value,
                extra={"command_id": message.command_id, "monotonic": monotonic()},
            )
            self.driver.command(message)

    def _on_state_request(self, message: Message) -> None:
        if isinstance(message, LightStateRequest):
            self._reporter.report(self.driver.state())

    def snooze(self) -> None:
        """Ask the Scheduler to snooze whatever alert is active (the button's short press)."""
        request = CommandRequest(
            command_id=f"button-{new_id()}",
            origin="button",
            command=SnoozeActive(minutes=self._config.snooze_minutes),
        )
        log.info("snooze button pressed: sending %s", request.command_id)
        self._bus.publish(topics.COMMAND, request)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for subscription in self._subscriptions:
            subscription.close()
        if self.button is not None:
            self.button.close()
        self.driver.stop()
        self._reporter.close()
        self._relay.close()


def start(bus: Bus, config: LightConfig, clock: Clock) -> LightService:
    """The AlertLight component's starter for :func:`ghela.core.component.run_component`."""
    factory = make_pin_factory(config.pin_factory)
    relay = Relay(config.pin, config.active_high, factory)
    log.info(
        "relay on GPIO%d (%s), button %s, fail-safe %d min",
        config.pin, "active-high" if config.active_high else "active-low",
        f"on GPIO{config.button_pin}" if config.button_pin is not None else "none", config.max_on_minutes,
    )
    try:
        return LightService(bus, config, clock, relay, factory).start()
    except BaseException:
        relay.close()
        raise
