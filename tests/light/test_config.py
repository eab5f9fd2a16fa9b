"""LightConfig validation, the pin factory by name, and the component's starter."""

from __future__ import annotations

import pytest
from ghela.core.bus import InMemoryBus
from ghela.core.config import load_config
from ghela.core.errors import ConfigurationError
from ghela.light.config import LightConfig
from ghela.light.relay import Relay, make_pin_factory
from ghela.light.service import LightService, start
from gpiozero import Button as GpioButton
from gpiozero.exc import GPIOPinInUse
from gpiozero.pins.mock import MockFactory


def test_defaults_are_the_documented_ones() -> None:
    config = load_config(LightConfig, {})
    assert (config.pin, config.active_high, config.max_on_minutes) == (17, True, 60)
    assert (config.button_pin, config.snooze_minutes, config.pin_factory) == (None, None, "")


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"pin": 40}, "pin"),
        ({"maxOnMinutes": 0}, "maxOnMinutes"),
        ({"pinFactory": "bogus"}, "pinFactory"),
        ({"buttonPin": 17}, "buttonPin"),
        ({"holdSeconds": 0}, "holdSeconds"),
        ({"relayPin": 4}, "relayPin"),
    ],
)
def test_bad_values_are_refused_naming_the_key(raw: dict, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load_config(LightConfig, raw)


def test_pin_factories_by_name() -> None:
    assert make_pin_factory("") is None
    assert isinstance(make_pin_factory("mock"), MockFactory)
    with pytest.raises(ConfigurationError, match="pigpio"):
        make_pin_factory("pigpio")  # its library is not installed here


def test_the_starter_runs_on_the_mock_factory_and_stops_off(clock) -> None:
    bus = InMemoryBus()
    service = start(bus, LightConfig(pin_factory="mock", pin=5, button_pin=6), clock)
    try:
        assert service.button is not None
        assert service.driver.wait_idle(2.0)
    finally:
        service.stop()
    assert service.driver.state().on is False


def test_an_assembled_light_holds_no_button_pin_and_stops_quietly(clock) -> None:
    """Assembling asks nothing and claims no button pin (start() does); stopping it is safe."""
    factory = MockFactory()
    bus = InMemoryBus()
    config = LightConfig(pin_factory="mock", pin=5, button_pin=6)
    service = LightService(bus, config, clock, Relay(config.pin, config.active_high, factory), factory)
    GpioButton(6, pin_factory=factory).close()  # the pin is free: another device may take it
    assert bus.published == [] and service.button is None
    service.stop()
    relay = Relay(config.pin, config.active_high, factory)
    service = LightService(bus, config, clock, relay, factory).start()
    try:
        with pytest.raises(GPIOPinInUse):
            GpioButton(6, pin_factory=factory)
    finally:
        service.stop()
