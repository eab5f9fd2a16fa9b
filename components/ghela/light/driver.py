"""The driver thread: sets the relay to what the plan says at each instant of the clock.

It sleeps with ``clock.wait`` until the next edge of the pattern (or a new command), so with
a :class:`~ghela.core.clock.FrozenClock` tests step time edge by edge and no test sleeps.

Fail-safe, all from timing alone: the relay is off from start-up until told otherwise; a
plan ends at the command's ``until`` or at ``maxOnMinutes`` after the command was received,
whichever comes first, so with IPC lost the last command holds only until then; stopping
switches the relay off.

State reports (:class:`LightState`) go out through a :class:`StateReporter` thread, so a
slow or broken bus never delays an edge.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from ghela.core.clock import Clock, monotonic
from ghela.core.messages.light import LightCommand, LightState
from ghela.core.wiretypes import LightPattern
from ghela.light.holdsignal import next_alert_signal
from ghela.light.pattern import Plan, Sequence
from ghela.light.relay import Relay

log = logging.getLogger(__name__)


class LightDriver:
    """Owns the relay; takes commands from any thread; one thread switches the pin."""

    def __init__(
        self, relay: Relay, clock: Clock, max_on: timedelta, report: Callable[[LightState], None]
    ) -> None:
        self._relay = relay
        self._clock = clock
        self._max_on = max_on
        self._report = report
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._stopping = False
        self._idle = False
        self._sleep_until: datetime | None = None
        self._plan = Plan.off_since(clock.now(), "start-up")
        self._signal: Sequence | None = None
        self._last_command: LightCommand | None = None
        self._reported: LightState | None = None
        self._thread = threading.Thread(target=self._run, name="light-driver", daemon=True)

    # ------------------------------------------------------------------ inputs (any thread)

    def start(self) -> None:
        self._relay.set(False)
        self._thread.start()

    def command(self, command: LightCommand) -> None:
        """Follow ``command`` from now on.

        The latest command received wins, whatever its ``issued_at``: a Pi without a
        real-time clock may step its clock back at boot, and refusing "older" commands
        then would leave the light deaf to the Scheduler.
        """
        with self._cond:
            self._last_command = command
            self._plan = Plan.from_command(command, self._clock.now(), self._max_on, self._plan)
            self._poke()

    def show_next_alert(self) -> None:
        """Overlay the next-alert signal (see :mod:`ghela.light.holdsignal`) from now."""
        with self._cond:
            known = self._last_command.next_alert_at if self._last_command else None
            self._signal = next_alert_signal(self._clock.now(), known)
            self._poke()

    def state(self) -> LightState:
        """What the light does now, as reported."""
        with self._cond:
            return self._state_of(self._plan)

    def stop(self) -> None:
        """Stop the thread and switch the relay off."""
        with self._cond:
            self._stopping = True
            self._poke()
        if self._thread.is_alive():
            self._thread.join(5.0)
        self._relay.set(False)
        stopped = Plan.off_since(self._clock.now(), "stopped")
        self._publish(self._state_of(stopped))

    def wait_idle(self, timeout: float) -> bool:
        """Block until the pin shows the current instant and the thread waits for a later edge.

        For tests and the benchmark: after stepping a FrozenClock, this returns once the
        driver has caught up, so the pin can be asserted without sleeping.
        """
        def caught_up() -> bool:
            if not self._idle or self._wake.is_set():
                return False
            return self._sleep_until is None or self._sleep_until > self._clock.now()

        with self._cond:
            return self._cond.wait_for(caught_up, timeout)

    @property
    def next_edge(self) -> datetime | None:
        """When the thread next wakes by itself (None: not until told); valid once idle."""
        with self._cond:
            return self._sleep_until

    def _poke(self) -> None:
        self._wake.set()
        self._cond.notify_all()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                self._wake.clear()
                self._idle = False
                now = self._clock.now()
                ended = self._plan.expired(now)
                if ended is not None:
                    self._plan = ended
                if self._signal is not None and now >= self._signal.end:
                    self._signal = None
                closed = self._relay_at(now)
                wake_at = self._next_change(now)
                state = self._state_of(self._plan)
            if closed != self._relay.is_on:
                self._relay.set(closed)
                # monotonic: for measuring command-to-pin latency (bench/light.py)
                log.debug(
                    "GPIO%d relay %s", self._relay.pin, "on" if self._relay.is_on else "off",
                    extra={"command_id": state.command_id, "monotonic": monotonic()},
                )
            if state != self._reported:
                self._publish(state)
            with self._cond:
                self._idle = True
                self._sleep_until = wake_at
                self._cond.notify_all()
            self._clock.wait(self._wake, wake_at)

    def _relay_at(self, now: datetime) -> bool:
        if self._signal is not None and self._signal.covers(now):
            return self._signal.relay_at(now)
        return self._plan.relay_at(now)

    def _next_change(self, now: datetime) -> datetime | None:
        edges = [self._plan.next_change(now)]
        if self._signal is not None:
            edges.append(self._signal.next_change(now))
        return min((e for e in edges if e is not None), default=None)

    def _state_of(self, plan: Plan) -> LightState:
        return LightState(
            on=plan.pattern is not LightPattern.OFF,
            pattern=plan.pattern,
            since=plan.since,
            until=plan.ends_at,
            reason=plan.reason,
            command_id=plan.command_id,
        )

    def _publish(self, state: LightState) -> None:
        self._reported = state
        self._report(state)


class StateReporter:
    """Publishes LightState messages from its own thread; a failing bus is logged, not fatal."""

    def __init__(self, publish: Callable[[LightState], None], capacity: int = 100) -> None:
        self._publish = publish
        self._queue: queue.Queue[LightState | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._run, name="light-reporter", daemon=True)

    def start(self) -> StateReporter:
        self._thread.start()
        return self

    def report(self, state: LightState) -> None:
        self._put(state)

    def _put(self, item: LightState | None) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:  # the bus is stuck: the newest state matters most
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()

    def _run(self) -> None:
        while (state := self._queue.get()) is not None:
            try:
                self._publish(state)
            except Exception:
                log.exception("could not publish the light state")

    def close(self, timeout: float = 2.0) -> None:
        """Publish what is queued (waiting at most ``timeout``), then end the thread."""
        if not self._thread.is_alive():
            return  # never started (or already ended): nothing to publish from
        self._put(None)
        self._thread.join(timeout)
