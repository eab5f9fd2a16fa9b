"""The snooze button on a mock pin: a press snoozes through the Scheduler, a hold shows a signal."""

from __future__ import annotations

from datetime import timedelta

from ghela.core.messages.commands import CommandRequest, SnoozeActive

from tests.light.conftest import BUTTON_PIN
from tests.support.waiting import wait_for

MS = timedelta(milliseconds=1)


def press(light) -> None:
    button = light.factory.pin(BUTTON_PIN)
    button.drive_low()
    button.drive_high()


def test_a_press_publishes_snooze_active_with_a_fresh_command_id(rig) -> None:
    light = rig(buttonPin=BUTTON_PIN, snoozeMinutes=15)
    press(light)
    press(light)
    first: CommandRequest = light.commands.next()
    second: CommandRequest = light.commands.next()
    assert isinstance(first.command, SnoozeActive) and first.command.minutes == 15
    assert first.origin == "button"
    assert first.command_id != second.command_id


def test_a_press_without_snooze_minutes_leaves_the_length_to_the_scheduler(rig) -> None:
    light = rig(buttonPin=BUTTON_PIN)
    press(light)
    assert light.commands.next().command.minutes is None


def test_a_hold_shows_hours_to_the_next_alert_and_does_not_snooze(rig) -> None:
    light = rig(buttonPin=BUTTON_PIN, holdSeconds=0.1)
    t0 = light.clock.now()
    light.send(next_alert_at=t0 + timedelta(hours=2, minutes=30))  # steady on, next alert in 3rd hour
    assert light.lit()
    button = light.factory.pin(BUTTON_PIN)
    button.drive_low()
    wait_for(lambda: light.pin.state is False, what="the hold signal to start")
    button.drive_high()
    edges = light.trace(until=t0 + timedelta(seconds=10))
    pause, on, off = 1000 * MS, 250 * MS, 350 * MS
    expected = [(timedelta(0), False)]
    for n in range(3):
        start = pause + n * (on + off)
        expected += [(start, True), (start + on, False)]
    expected.append((pause + 3 * (on + off) + pause, True))  # back to the steady pattern
    assert edges[: len(expected)] == expected
    assert light.commands.drain() == []


def test_a_hold_with_no_alert_known_shows_one_long_flash(rig) -> None:
    light = rig(buttonPin=BUTTON_PIN, holdSeconds=0.1)
    t0 = light.clock.now()
    button = light.factory.pin(BUTTON_PIN)
    button.drive_low()
    wait_for(lambda: light.driver.next_edge is not None, what="the hold signal to start")
    button.drive_high()
    edges = light.trace(until=t0 + timedelta(seconds=10))
    assert edges == [
        (timedelta(0), False),
        (timedelta(seconds=1), True),
        (timedelta(seconds=4), False),
    ]
