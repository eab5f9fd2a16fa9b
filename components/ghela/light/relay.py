"""The relay and the button behind thin classes over gpiozero.

gpiozero never touches hardware itself; it asks a pin factory. On a Pi 5 (and Pi 4) that is
``lgpio``; off the Pi it is ``mock`` (``GPIOZERO_PIN_FACTORY=mock`` or ``pinFactory: mock``),
whose pins tests can read and drive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from ghela.core.errors import ConfigurationError

log = logging.getLogger(__name__)


def make_pin_factory(name: str) -> Any | None:
    """The gpiozero pin factory called ``name``; None ("") lets gpiozero choose.

    gpiozero's own choice honours ``GPIOZERO_PIN_FACTORY`` and otherwise tries lgpio first,
    which works on every Pi model including the Pi 5.
    """
    if not name:
        return None
    for entry in entry_points(group="gpiozero_pin_factories"):
        if entry.name == name:
            try:
                return entry.load()()
            except Exception as exc:  # its library is missing, or this is not a Pi
                raise ConfigurationError(f"pinFactory {name!r} cannot be used here: {exc}") from exc
    raise ConfigurationError(f"pinFactory {name!r} is not an installed gpiozero pin factory")


class Relay:
    """The light's relay: one output pin, off (de-energised) until told otherwise."""

    def __init__(self, pin: int, active_high: bool = True, pin_factory: Any | None = None) -> None:
        from gpiozero import OutputDevice

        self.pin = pin
        self._device = OutputDevice(
            pin, active_high=active_high, initial_value=False, pin_factory=pin_factory
        )

    @property
    def is_on(self) -> bool:
        """Whether the relay is energised (gpiozero accounts for active-low)."""
        return bool(self._device.value)

    def set(self, on: bool) -> None:
        if on:
            self._device.on()
        else:
            self._device.off()

    def close(self) -> None:
        """Switch off, then release the pin."""
        try:
            self._device.off()
        finally:
            self._device.close()


class Button:
    """A push button to ground (internal pull-up, debounced): short press or long hold.

    A press that is released before ``hold_seconds`` calls ``on_press`` (on release, so a
    hold is never also a press); reaching ``hold_seconds`` calls ``on_hold`` once.
    """

    def __init__(
        self,
        pin: int,
        on_press: Callable[[], None],
        on_hold: Callable[[], None],
        *,
        bounce_ms: int = 50,
        hold_seconds: float = 2.0,
        pin_factory: Any | None = None,
    ) -> None:
        from gpiozero import Button as GpioButton

        self.pin = pin
        self._on_press = on_press
        self._on_hold = on_hold
        self._held = False
        self._button = GpioButton(
            pin,
            pull_up=True,
            bounce_time=bounce_ms / 1000 if bounce_ms else None,
            hold_time=hold_seconds,
            pin_factory=pin_factory,
        )
        self._button.when_pressed = self._pressed
        self._button.when_held = self._hold
        self._button.when_released = self._released

    def _pressed(self) -> None:
        self._held = False

    def _hold(self) -> None:
        self._held = True
        self._safely(self._on_hold, "hold")

    def _released(self) -> None:
        if not self._held:
            self._safely(self._on_press, "press")
        self._held = False

    def _safely(self, action: Callable[[], None], what: str) -> None:
        # gpiozero's threads call us; an exception there would go unnoticed by the user.
        try:
            action()
        except Exception:
            log.exception("button %s on GPIO%d failed", what, self.pin)

    def close(self) -> None:
        self._button.close()
