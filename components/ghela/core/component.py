"""How every component process starts, runs and stops, as the nucleus expects.

A component's ``__main__`` is one call::

    run_component("Scheduler", SchedulerConfig, start_scheduler)

where ``start_scheduler(bus, config, clock)`` starts the component's threads and returns
something with ``stop()``. This module:

- sets up JSON logging, connects the IPC bus from the nucleus's environment, and counts
  every invalid message a subscription receives (an ``invalid_message`` Activity),
- reads and validates the configuration (a bad value is a clear error and exit code 2:
  a restart cannot fix it, and the nucleus marks the component BROKEN after 3 tries),
- restarts the service in-process when a deployment changes the configuration,
- ships logs to CloudWatch Logs for components whose configuration sets ``logGroup``
  (see :mod:`ghela.core.logship`),
- exits 0 only when asked to stop (SIGTERM/SIGINT), non-zero on a fatal fault (an
  exception that escapes any worker thread), so the nucleus's restart rules do the healing.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ghela.core import topics
from ghela.core.bus import Bus
from ghela.core.clock import Clock, SystemClock
from ghela.core.config import ComponentConfig, load_config
from ghela.core.countedbus import CountedBus
from ghela.core.countoutbox import CountOutbox
from ghela.core.errors import ConfigurationError
from ghela.core.logging import setup_logging
from ghela.core.logship import with_log_shipping
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.messages.health import ComponentState
from ghela.core.nucleus import ERRORED, RUNNING
from ghela.core.selfreport import STARTS_FILE, HealthReporter, count_start

log = logging.getLogger(__name__)

C = TypeVar("C", bound=ComponentConfig)

EXIT_STOPPED = 0
EXIT_FATAL = 1
EXIT_BAD_CONFIGURATION = 2
OUTBOX_FILE = "count-outbox.sqlite3"
"""In the component's work folder (the nucleus runs it there)."""


class Service(Protocol):
    def stop(self) -> None:
        """Stop every thread the service started; return when they are done."""
        ...


Starter = Callable[[Bus, C, Clock], Service]


class ComponentHost:
    """Runs one service on a bus: start, restart on configuration change, stop, fail.

    Kept apart from process concerns (signals, exit codes) so tests can drive it.
    """

    def __init__(self, name: str, config_model: type[C], start: Starter[C], bus: Bus, clock: Clock) -> None:
        self.name = name
        self._config_model = config_model
        self._start = start
        self._bus = bus
        self._clock = clock
        self._lock = threading.Lock()
        self._service: Service | None = None
        self._config: C | None = None
        self.stopped = threading.Event()
        self.fatal: BaseException | None = None

    def start(self) -> None:
        self._config = load_config(self._config_model, self._bus.get_configuration())
        setup_logging(self.name, self._config.log_level)
        self._service = self._start(self._bus, self._config, self._clock)
        self._bus.subscribe_configuration(self._on_configuration)
        self._bus.update_state(RUNNING)
        log.info("%s started", self.name)

    def _on_configuration(self, raw: dict[str, Any]) -> None:
        try:
            config = load_config(self._config_model, raw)
        except ConfigurationError as exc:
            log.error("configuration update refused, keeping the current one: %s", exc)
            return
        with self._lock:
            if config == self._config or self.stopped.is_set():
                return
            log.info("configuration changed; restarting %s in-process", self.name)
            if self._service is not None:
                self._service.stop()
            self._config = config
            try:
                self._service = self._start(self._bus, config, self._clock)
            except Exception as exc:  # the process must exit so the nucleus restarts it
                log.exception("restart with the new configuration failed")
                self.fail(exc)

    def fail(self, exc: BaseException) -> None:
        """A fault a restart may fix: report ERRORED and end the process non-zero."""
        self.fatal = exc
        self.stopped.set()

    def stop(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.stop()
                self._service = None
        self.stopped.set()


def thread_died(hook: threading.ExceptHookArgs) -> BaseException:
    """Log why a thread ended (so the restart has a reason in the log); returns the error."""
    error = hook.exc_value or RuntimeError("thread died")
    where = hook.thread.name if hook.thread is not None else "a thread"
    log.critical(
        "thread %s died, stopping the component: %r", where, error,
        exc_info=(hook.exc_type, error, hook.exc_traceback),
    )
    return error


def run_component(name: str, config_model: type[C], start: Starter[C]) -> None:
    """Run a component until SIGTERM; never returns (exits with the nucleus's codes)."""
    from ghela.core.ipc import IpcBus  # only a real process needs the real client

    setup_logging(name)
    start = with_log_shipping(name, start)
    clock = SystemClock()
    bus: CountedBus | None = None

    def count_invalid(topic: str, reason: str) -> None:
        """An invalid message is logged (by the bus) and counted by Metrics.

        On every topic, the Activity topic too: the count published here is itself valid, so
        it cannot loop.
        """
        if bus is not None:
            activity = Activity(
                kind=ActivityKind.INVALID_MESSAGE,
                at=clock.now(),
                component=name,
                detail=f"{topic}: {reason}"[:2000],
            )
            try:
                bus.publish(topics.ACTIVITY, activity)
            except Exception:  # a refused count must not take the component down
                log.exception("could not report an invalid message on %s", topic)

    # Counted messages go through an outbox in the work folder until Metrics confirms them.
    ipc = IpcBus.from_environment(on_invalid=count_invalid)
    bus = CountedBus(ipc, CountOutbox(OUTBOX_FILE, name), clock).start()
    host = ComponentHost(name, config_model, start, bus, clock)
    # Counted per process start in the work folder: the health card's restarts.
    health = HealthReporter(bus, name, clock, count_start(Path(STARTS_FILE)), clock.now())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: host.stopped.set())
    # An exception that escapes any worker thread is a fault a restart may fix: the process
    # ends with the reason in its log, never half-alive without that thread.
    threading.excepthook = lambda hook: host.fail(thread_died(hook))
    try:
        host.start()
    except ConfigurationError as exc:
        log.error("%s", exc)
        bus.close()
        sys.exit(EXIT_BAD_CONFIGURATION)
    health.start()  # after the service: CloudSync's own subscription hears it too
    while not host.stopped.wait(1.0):
        pass
    if host.fatal is not None:
        bus.update_state(ERRORED)
    health.report(ComponentState.ERRORED if host.fatal is not None else ComponentState.STOPPING)
    health.close()
    host.stop()
    bus.close()
    sys.exit(EXIT_FATAL if host.fatal is not None else EXIT_STOPPED)
