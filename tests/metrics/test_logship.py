"""Log shipping with watchtower: to moto's CloudWatch Logs, and never blocking on a dead endpoint."""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import pytest
from ghela.core.clock import FrozenClock
from ghela.core.errors import ConfigurationError
from ghela.core.logship import LogShippingSettings, start_log_shipping, with_log_shipping
from ghela.core.nucleusenv import THING_NAME_ENV
from ghela.metrics.config import MetricsConfig

from tests.support.moto import MotoServer

FAST = LogShippingSettings(send_interval_seconds=1, flush_timeout_seconds=5, timeout_seconds=1)


class BlackHole:
    """A TCP endpoint that accepts connections and never answers (a network that hangs)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._changed:
                self._held.append(conn)
                self._changed.notify_all()

    def wait_connections(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self._held) >= count, timeout)

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def test_logger() -> logging.Logger:
    logger = logging.getLogger(f"ghela.test.logship.{uuid.uuid4().hex[:6]}")
    logger.setLevel(logging.INFO)
    return logger


def closes_within(shipper, seconds: float) -> bool:
    closer = threading.Thread(target=shipper.close, daemon=True)
    closer.start()
    closer.join(seconds)
    return not closer.is_alive()


@pytest.mark.moto
def test_records_arrive_in_the_components_log_group(moto_server: MotoServer, test_logger) -> None:
    moto_server.start()
    thing = f"pi-{uuid.uuid4().hex[:8]}"
    shipper = start_log_shipping("Metrics", "/ghela/{thing}/{component}", FAST, moto_server.url, thing=thing)
    assert shipper.log_group == f"/ghela/{thing}/Metrics" and shipper.stream == thing
    assert shipper.ready.wait(10)
    test_logger.info("alert %d started", 41)
    test_logger.debug("below the shipping level")
    logging.getLogger("botocore.test").warning("the sender's own chatter is not shipped")
    assert closes_within(shipper, 15)
    assert shipper.handler not in logging.getLogger().handlers
    events = moto_server.client("logs").get_log_events(logGroupName=shipper.log_group, logStreamName=thing)
    messages = [e["message"] for e in events["events"]]
    shipped = [json.loads(m) for m in messages if "alert 41" in m]
    expected = [("alert 41 started", "INFO", "Metrics")]
    assert [(r["message"], r["level"], r["component"]) for r in shipped] == expected
    assert not any("below the shipping level" in m or "chatter" in m for m in messages)


def test_a_hanging_endpoint_neither_blocks_logging_nor_shutdown(black_hole, test_logger) -> None:
    settings = LogShippingSettings(
        send_interval_seconds=1, flush_timeout_seconds=0.5, timeout_seconds=2, max_queued_records=10
    )
    shipper = start_log_shipping("AlertLight", "/ghela/{component}", settings, black_hole.url, thing="pi")
    test_logger.info("first record")
    # One connection creates the log group, the other sends the first batch: both now hang.
    assert black_hole.wait_connections(2, 10), "nothing tried to reach the endpoint"
    for n in range(50):  # the sender hangs on the endpoint: the queue fills to its cap
        test_logger.info("record %d", n)
    assert isinstance(shipper.handler, CappedQueue)
    assert shipper.handler.queued() == 10
    assert shipper.handler.dropped == 40
    assert not shipper.ready.is_set()
    assert closes_within(shipper, 5)


@runtime_checkable
class CappedQueue(Protocol):
    """What the shipper's handler adds to logging's: its bounded queue."""

    dropped: int

    def queued(self) -> int: ...


class _Service:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.mark.moto
def test_with_log_shipping_attaches_for_the_service_lifetime(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    moto_server.start()
    monkeypatch.setenv(THING_NAME_ENV, "ghela-test-pi")  # as the nucleus sets it
    inner = _Service()
    starter = with_log_shipping("Metrics", lambda bus, config, clock: inner)
    assert with_log_shipping("Metrics", starter) is starter
    before = list(logging.getLogger().handlers)
    config = MetricsConfig(
        log_group="/ghela/test-{component}", aws_endpoint_url=moto_server.url, log_shipping=FAST
    )
    service = starter(None, config, clock)
    assert len(logging.getLogger().handlers) == len(before) + 1
    service.stop()
    assert inner.stopped and logging.getLogger().handlers == before
    quiet = starter(None, MetricsConfig(), clock)
    assert logging.getLogger().handlers == before
    quiet.stop()
    monkeypatch.delenv(THING_NAME_ENV)  # not under a nucleus: no guessed identity
    with pytest.raises(ConfigurationError, match=THING_NAME_ENV):
        starter(None, config, clock)
    assert logging.getLogger().handlers == before
