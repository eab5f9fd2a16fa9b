"""IpcBus end to end: typed messages between processes through the IPC server, reconnects."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.backoff import Backoff
from ghela.core.errors import TransientError
from ghela.core.ipc import IpcBus
from ghela.core.ipclink import IpcCallRefused, unix_socket_connector
from ghela.core.messages import Message
from ghela.core.messages.snapshots import RevisionChanged
from ghela_tools.runtime.ipcserver import IpcServer

from tests.runtime.ipc_support import MQTTPROXY, PUBSUB, ProbeProcess, short_tempdir
from tests.support.waiting import wait_for

OPEN = {
    PUBSUB: {"all:1": {"operations": ["*"], "resources": ["*"]}},
    MQTTPROXY: {"all:2": {"operations": ["*"], "resources": ["*"]}},
}
SCHEDULER, WEB = "test.Scheduler", "test.Web"
COMMAND = {
    "command_id": "cmd-1",
    "origin": "test",
    "command": {"op": "snooze_alert", "alert_id": 3, "minutes": 10},
}


class Pair:
    """A server and two processes each holding an IpcBus: a scheduler that answers commands
    from inside its handler, and a web side that sends them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.states: list[tuple[str, str]] = []
        self.server = IpcServer(root / "ipc.sock", on_state=lambda n, s: self.states.append((n, s)))
        self.server.register(SCHEDULER, configuration={"accessControl": OPEN, "pin": 17})
        self.server.register(WEB, configuration={"accessControl": OPEN})
        self.server.start()
        self.scheduler = self._bus_probe(SCHEDULER)
        self.web = self._bus_probe(WEB)
        self.scheduler.ok("bus_subscribe", topic=topics.COMMAND, answer_commands=True)
        self.web.ok("bus_subscribe", topic=topics.COMMAND_RESULT)

    def _bus_probe(self, name: str) -> ProbeProcess:
        probe = ProbeProcess(self.root / f"{name}.err")
        probe.ok("bus_connect", socket=str(self.server.socket_path), token=self.server.token(name))
        return probe

    def command_round_trip(self, command_id: str) -> dict[str, Any]:
        self.web.ok("bus_publish", topic=topics.COMMAND, message={**COMMAND, "command_id": command_id})
        return self.web.wait_event(
            lambda e: e.get("event") == "bus_message" and e["message"]["command_id"] == command_id
        )["message"]

    def close(self) -> None:
        self.scheduler.close()
        self.web.close()
        self.server.stop()


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with short_tempdir() as root:
        harness = Pair(root)
        try:
            yield harness
        finally:
            harness.close()


def test_typed_messages_cross_processes_and_a_handler_can_publish_its_answer(pair: Pair) -> None:
    result = pair.command_round_trip("cmd-typed")

    assert result == {
        "command_id": "cmd-typed",
        "status": "applied",
        "message": "",
        "field": None,
        "revision": 1,
        "data": {},
    }
    received = pair.scheduler.wait_event(lambda e: e.get("event") == "bus_message")
    assert received["message"]["command"] == {"op": "snooze_alert", "alert_id": 3, "minutes": 10}


def test_invalid_messages_go_to_on_invalid_never_to_the_handler(pair: Pair) -> None:
    rogue = ProbeProcess(pair.root / "rogue.err")
    try:
        rogue.ok("connect", socket=str(pair.server.socket_path), token=pair.server.token(WEB))
        rogue.ok("publish", topic=topics.COMMAND, json_message={"command_id": "x", "command": {"op": "nope"}})
        rogue.ok("publish", topic=topics.COMMAND, binary_b64="e25vdCBqc29u")  # b"{not json"
    finally:
        rogue.close()

    invalid = [
        pair.scheduler.wait_event(lambda e: e.get("event") == "invalid" and "command" in e["reason"]),
        pair.scheduler.wait_event(lambda e: e.get("event") == "invalid" and "not valid JSON" in e["reason"]),
    ]
    assert all(e["topic"] == topics.COMMAND for e in invalid)
    assert pair.command_round_trip("cmd-after-invalid")["status"] == "applied"
    handled = pair.scheduler.events(lambda e: e.get("event") == "bus_message")
    assert {e["message"]["command_id"] for e in handled} <= {"cmd-typed", "cmd-after-invalid"}


def test_iot_core_through_the_bus(pair: Pair) -> None:
    pair.scheduler.ok("bus_subscribe_iot", topic="$aws/things/pi/jobs/+/update/accepted")
    pair.web.ok(
        "bus_publish_iot", topic="$aws/things/pi/jobs/j7/update/accepted", payload={"status": "SUCCEEDED"}
    )

    got = pair.scheduler.wait_event(lambda e: e.get("event") == "bus_iot")
    assert got == {
        "event": "bus_iot",
        "topic": "$aws/things/pi/jobs/j7/update/accepted",
        "payload": {"status": "SUCCEEDED"},
    }


def test_configuration_and_state_through_the_bus(pair: Pair) -> None:
    assert pair.scheduler.ok("bus_get_config") == {"accessControl": OPEN, "pin": 17}
    pair.scheduler.ok("bus_subscribe_config")

    pair.server.set_configuration(SCHEDULER, {"accessControl": OPEN, "pin": 27})

    got = pair.scheduler.wait_event(lambda e: e.get("event") == "bus_config")
    assert got["config"] == {"accessControl": OPEN, "pin": 27}
    pair.scheduler.ok("bus_update_state", state="RUNNING")
    wait_for(lambda: (SCHEDULER, "RUNNING") in pair.states, what="RUNNING reported")
    refused = pair.scheduler.request("bus_update_state", state="BORED")
    assert (refused["ok"], refused["error"]) == (False, "ValueError")


def test_the_buses_reconnect_and_resubscribe_after_the_server_restarts() -> None:
    with short_tempdir() as root:
        pair = Pair(root)
        try:
            assert pair.command_round_trip("before")["status"] == "applied"

            pair.server.stop()
            wait_for(lambda: not pair.web.ok("bus_connected"), what="the web bus notices the drop")
            pair.server.start()
            wait_for(lambda: pair.web.ok("bus_connected"), what="the web bus reconnects")
            wait_for(lambda: pair.scheduler.ok("bus_connected"), what="the scheduler bus reconnects")

            assert pair.command_round_trip("after")["status"] == "applied"
        finally:
            pair.close()


# --------------------------------------------------------------------------- in-process


@pytest.fixture
def server() -> Iterator[IpcServer]:
    with short_tempdir() as root:
        server = IpcServer(root / "s")
        server.register("c", configuration={"accessControl": OPEN}, token="tok-c")
        yield server
        server.stop()


def fast_bus(server: IpcServer, **options: Any) -> IpcBus:
    connector = unix_socket_connector(str(server.socket_path), server.token("c"), timeout=2)
    return IpcBus(connector, backoff=Backoff(initial=0.02, cap=0.1), **options)


def test_from_environment_connects_with_the_nucleus_variables(server: IpcServer, monkeypatch) -> None:
    server.start()
    for key, value in server.environment("c").items():
        monkeypatch.setenv(key, value)
    bus = IpcBus.from_environment()
    try:
        assert bus.get_configuration() == {"accessControl": OPEN}
    finally:
        bus.close()


def test_from_environment_outside_a_nucleus_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.delenv("SVCUID", raising=False)
    monkeypatch.delenv("AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", raising=False)
    with pytest.raises(
        TransientError, match="AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT is not set"
    ):
        IpcBus.from_environment()


def test_connecting_retries_until_the_server_is_there(server: IpcServer) -> None:
    real = unix_socket_connector(str(server.socket_path), server.token("c"), timeout=2)
    failures: list[Exception] = []

    def counting(on_disconnect: Any) -> Any:
        try:
            return real(on_disconnect)
        except Exception as exc:
            failures.append(exc)
            raise

    made: list[IpcBus] = []
    connecting = threading.Thread(
        target=lambda: made.append(
            IpcBus(counting, backoff=Backoff(initial=0.02, cap=0.1), connect_timeout=10)
        )
    )
    connecting.start()
    wait_for(lambda: len(failures) >= 2, what="two failed attempts")
    server.start()
    connecting.join(10)
    try:
        assert made and made[0].connected
        assert made[0].get_configuration() == {"accessControl": OPEN}
    finally:
        for bus in made:
            bus.close()


def test_connecting_gives_up_after_the_timeout(server: IpcServer) -> None:
    with pytest.raises(TransientError, match="cannot connect to Greengrass IPC"):
        fast_bus(server, connect_timeout=0.3)


def test_a_refused_call_is_a_typed_error(server: IpcServer) -> None:
    server.start()
    server.set_configuration("c", {})  # no accessControl any more
    bus = fast_bus(server)
    try:
        with pytest.raises(IpcCallRefused, match="UnauthorizedError") as refused:
            bus.publish_iot("dev/x", {"a": 1})
        assert refused.value.error_type == "UnauthorizedError"
    finally:
        bus.close()


def test_a_failing_handler_is_reported_and_the_dispatcher_keeps_going(server: IpcServer, monkeypatch) -> None:
    server.start()
    reported: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: reported.append(args.exc_value))
    handled = threading.Event()
    calls: list[int] = []

    def handler(message: Any) -> None:
        calls.append(message.revision)
        if message.revision == 1:
            raise RuntimeError("handler bug")
        handled.set()

    bus = fast_bus(server)
    try:
        bus.subscribe(topics.STATE_CHANGED, handler)
        for revision in (1, 2):
            bus.publish(topics.STATE_CHANGED, RevisionChanged(revision=revision, at="2026-11-25T12:00:00Z"))
        assert handled.wait(5)
    finally:
        bus.close()
    assert calls == [1, 2]
    assert [str(e) for e in reported] == ["handler bug"]


def test_publishing_the_wrong_model_is_a_type_error_before_anything_is_sent(server: IpcServer) -> None:
    server.start()
    bus = fast_bus(server)
    try:
        with pytest.raises(TypeError, match="carries CommandRequest"):
            bus.publish(topics.COMMAND, RevisionChanged(revision=1, at="2026-11-25T12:00:00Z"))
        with pytest.raises(KeyError, match="no message model"):
            bus.subscribe("not/a/ghela/topic", lambda m: None)
    finally:
        bus.close()


def test_no_message_reaches_a_handler_after_its_subscription_closed(server: IpcServer) -> None:
    server.start()
    in_handler, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow_handler(message: Any) -> None:
        seen.append(message.revision)
        in_handler.set()
        release.wait(5)

    bus = fast_bus(server)
    try:
        subscription = bus.subscribe(topics.STATE_CHANGED, slow_handler)
        marker = threading.Event()

        def on_second(message: Message) -> None:
            if isinstance(message, RevisionChanged) and message.revision == 2:
                marker.set()

        bus.subscribe(topics.STATE_CHANGED, on_second)
        bus.publish(topics.STATE_CHANGED, RevisionChanged(revision=1, at="2026-11-25T12:00:00Z"))
        assert in_handler.wait(5)
        bus.publish(topics.STATE_CHANGED, RevisionChanged(revision=2, at="2026-11-25T12:00:00Z"))
        subscription.close()  # revision 2 may already sit in the queue for slow_handler
        release.set()
        assert marker.wait(5)  # the dispatcher got past revision 2
    finally:
        bus.close()
    assert seen == [1]


def test_a_dropped_socket_is_reconnected_and_the_subscription_comes_back(server: IpcServer) -> None:
    server.register("other", configuration={"accessControl": OPEN})
    server.start()
    got = threading.Event()
    real = unix_socket_connector(str(server.socket_path), server.token("c"), timeout=2)
    connections: list[Any] = []

    def counting(on_disconnect: Any) -> Any:
        connections.append(real(on_disconnect))
        return connections[-1]

    bus = IpcBus(counting, backoff=Backoff(initial=0.02, cap=0.1))
    other = IpcBus(
        unix_socket_connector(str(server.socket_path), server.token("other"), timeout=2),
        backoff=Backoff(initial=0.02, cap=0.1),
    )
    reconnects: list[int] = []
    try:
        bus.subscribe(topics.STATE_CHANGED, lambda m: got.set())
        bus.on_reconnect(lambda: reconnects.append(len(connections)))
        assert reconnects == []  # the first connection is no reconnect

        server.disconnect("c")  # the socket drops under the bus; the server stays up
        wait_for(lambda: len(connections) == 2 and bus.connected, what="a second connection")
        wait_for(lambda: reconnects == [2], what="the reconnect reported once")

        for _ in range(50):  # until the bus has reconnected and re-subscribed
            other.publish(topics.STATE_CHANGED, RevisionChanged(revision=9, at="2026-11-25T12:00:00Z"))
            if got.wait(0.1):
                break
        assert got.is_set()
        assert bus.get_configuration() == {"accessControl": OPEN}
    finally:
        other.close()
        bus.close()
