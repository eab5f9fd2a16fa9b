"""The AlertLight component's configuration (its recipe's DefaultConfiguration mirrors these)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ghela.core.config import ComponentConfig

BcmPin = Annotated[int, Field(ge=0, le=27)]
"""A BCM GPIO number on the 40-pin header (GPIO0–GPIO27)."""

PIN_FACTORIES = ("", "mock", "lgpio", "rpigpio", "pigpio", "native")
"""gpiozero pin factories by name; "" lets gpiozero choose (honouring GPIOZERO_PIN_FACTORY)."""


class LightConfig(ComponentConfig):
    """Where the relay and the optional snooze button are wired, and the fail-safe limit."""

    pin: BcmPin = 17
    """BCM number of the GPIO that drives the relay."""
    active_high: bool = True
    """True when the relay closes on a high pin; False for active-low relay boards."""
    max_on_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    """Fail-safe: the light goes off this long after the last LightCommand, whatever it said."""
    button_pin: BcmPin | None = None
    """BCM number of the snooze button (to ground, internal pull-up); None = no button."""
    button_bounce_ms: Annotated[int, Field(ge=0, le=1000)] = 50
    """Debounce time of the button."""
    hold_seconds: Annotated[float, Field(ge=0.1, le=30.0)] = 2.0
    """Holding the button this long shows the next-alert signal instead of snoozing."""
    snooze_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] | None = None
    """How long a button press snoozes the active alert; None = the Scheduler's default."""
    pin_factory: str = ""
    """gpiozero pin factory: "" (gpiozero's choice), "mock" (off the Pi), "lgpio", "rpigpio", ..."""

    @model_validator(mode="after")
    def _check(self) -> LightConfig:
        if self.pin_factory not in PIN_FACTORIES:
            raise ValueError(f"pinFactory must be one of {', '.join(map(repr, PIN_FACTORIES))}")
        if self.button_pin is not None and self.button_pin == self.pin:
            raise ValueError(f"buttonPin {self.button_pin} is the relay's pin")
        return self
