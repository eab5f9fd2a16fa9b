"""AlertLight on gpiozero's MockFactory with a frozen clock: pin states and their timing."""

from __future__ import annotations

from datetime import timedelta

from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.light import LightCommandRequest, LightState, LightStateRequest
from ghela.core.wiretypes import LightPattern
from ghela.light.config import LightConfig
from ghela.light.relay import Relay
from ghela.light.service import LightService
from gpiozero.pins.mock import MockFactory

MINUTE = timedelta(minutes=1)
MS = timedelta(milliseconds=1)


def test_off_at_start_until_told_otherwise(rig) -> None:
    light = rig()
    assert not light.lit()
    state: LightState = light.states.next()
    assert (state.on, state.pattern, state.reason) == (False, LightPattern.OFF, "start-up")
    light.clock.advance(hours=5)
    assert not light.lit()


def test_a_starting_light_asks_for_the_command_that_holds_now(rig) -> None:
    light = rig()
    assert isinstance(light.asked.next(), LightCommandRequest)
    assert light.asked.drain() == []  # once, at start


def test_steady_turns_the_pin_on_and_reports_it(rig) -> None:
    light = rig()
    light.states.next()
    t0 = light.clock.now()
    sent = light.send(until=t0 + 30 * MINUTE)
    assert light.lit()
    state = light.states.next()
    assert (state.on, state.pattern) == (True, LightPattern.STEADY)
    assert (state.since, state.until) == (t0, t0 + 30 * MINUTE)
    assert state.command_id == sent.command_id


def test_blink_switches_at_each_on_and_off_edge(rig) -> None:
    light = rig()
    t0 = light.clock.now()
    light.send(LightPattern.BLINK, on_ms=400, off_ms=600)
    edges = light.trace(until=t0 + timedelta(seconds=3))
    expected = [(timedelta(0), True)]
    for cycle in range(3):
        expected += [(cycle * 1000 * MS + 400 * MS, False), ((cycle + 1) * 1000 * MS, True)]
    assert edges == expected


def test_until_turns_the_light_off_exactly_then(rig) -> None:
    light = rig()
    t0 = light.clock.now()
    light.send(until=t0 + 10 * MINUTE)
    assert light.at(t0 + 10 * MINUTE - MS)
    assert not light.at(t0 + 10 * MINUTE)
    off = light.states.first(lambda s: not s.on and s.reason != "start-up")
    assert (off.reason, off.since) == ("until reached", t0 + 10 * MINUTE)


def test_max_on_time_cuts_off_a_command_with_no_end(rig) -> None:
    light = rig(maxOnMinutes=60)
    t0 = light.clock.now()
    light.send()
    assert light.at(t0 + 60 * MINUTE - MS)
    assert not light.at(t0 + 60 * MINUTE)
    off = light.states.first(lambda s: not s.on and s.reason != "start-up")
    assert (off.reason, off.since) == ("maximum on-time reached", t0 + 60 * MINUTE)


def test_ipc_lost_keeps_the_last_command_only_until_the_maximum(rig) -> None:
    """The Scheduler re-sends while on; when it (or IPC) goes silent the light goes off alone."""
    light = rig(maxOnMinutes=60)
    t0 = light.clock.now()
    light.send(until=t0 + 3 * timedelta(hours=1))
    light.clock.set(t0 + 50 * MINUTE)
    light.send(until=t0 + 3 * timedelta(hours=1))  # the last re-send before the silence
    assert light.at(t0 + 110 * MINUTE - MS)
    assert not light.at(t0 + 110 * MINUTE)
    assert not light.at(t0 + 3 * timedelta(hours=1))


def test_off_command_and_stop_switch_the_relay_off(rig) -> None:
    light = rig()
    light.send()
    assert light.lit()
    light.send(LightPattern.OFF)
    assert not light.lit()
    light.send(LightPattern.BLINK)
    assert light.lit()
    light.stop()
    assert light.pin.state is False
    assert light.states.first(lambda s: s.reason == "stopped").on is False


def test_active_low_relay_is_driven_low_to_switch_on(rig) -> None:
    light = rig(activeHigh=False, pin=22)
    assert light.pin.state is True  # de-energised from the first instant
    light.send()
    assert light.pin.state is False
    light.stop()
    assert light.pin.state is True


def test_state_request_is_answered_with_the_current_state(rig) -> None:
    light = rig()
    light.send(LightPattern.BLINK, on_ms=250, off_ms=250)
    light.states.drain()
    light.bus.publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())
    state = light.states.next()
    assert (state.on, state.pattern) == (True, LightPattern.BLINK)


def test_the_latest_command_received_wins_whatever_its_issue_time(rig) -> None:
    light = rig()
    t0 = light.clock.now()
    light.send()
    light.send(LightPattern.OFF, issued_at=t0 - MINUTE)  # e.g. the clock was stepped back
    assert not light.lit()


def test_invalid_light_commands_are_refused_and_the_light_keeps_going(rig) -> None:
    light = rig()
    light.send()
    light.bus.publish_raw(topics.LIGHT_SET, '{"pattern": "disco", "issued_at": "2026-11-25T12:00:00+00:00"}')
    light.bus.publish_raw(topics.LIGHT_SET, b"\xff not json")
    light.bus.publish_raw(topics.LIGHT_SET, '{"pattern": "off", "issued_at": "2026-11-25T12:00:00"}')
    assert light.lit()
    assert len(light.invalid) == 3 and "pattern" in light.invalid[0][1]


def test_the_constructor_only_assembles_start_listens_and_asks(clock: FrozenClock) -> None:
    factory = MockFactory()
    bus = InMemoryBus()
    config = LightConfig(pin_factory="mock")
    service = LightService(bus, config, clock, Relay(config.pin, True, factory), factory)
    bus.publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())
    assert [topic for topic, _ in bus.published] == [topics.LIGHT_STATE_REQUEST]  # nobody answered
    service.start()
    try:
        assert topics.LIGHT_SET_REQUEST in [topic for topic, _ in bus.published]
    finally:
        service.stop()
