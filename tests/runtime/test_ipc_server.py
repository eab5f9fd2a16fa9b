"""The IPC server against the real ``GreengrassCoreIPCClientV2`` running in other processes.

Two probe processes play two components: A (publishes and subscribes under ``a/*`` and
``shared``; IoT Core under ``dev/#``) and B (only ``shared`` locally; only its jobs topics
on IoT Core). Each test uses its own topics, so the module shares one server and probes.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from ghela_tools.runtime import rpc
from ghela_tools.runtime.eventstream import MAX_FRAME_BYTES, encode_frame
from ghela_tools.runtime.ipcserver import IpcServer
from ghela_tools.runtime.operations import HANDLERS
from ghela_tools.runtime.rpc import Flag, MessageType

from tests.runtime.ipc_support import (
    MQTTPROXY,
    PUBSUB,
    ProbeProcess,
    RawClient,
    short_tempdir,
)
from tests.support.waiting import wait_for

A = "test.ComponentA"
B = "test.ComponentB"
ALL_OPS = ["*"]
CONFIG_A = {
    "accessControl": {
        **{PUBSUB: {"a:pubsub:1": {"operations": ALL_OPS, "resources": ["a/*", "shared"]}}},
        **{MQTTPROXY: {"a:mqtt:1": {"operations": ALL_OPS, "resources": ["dev/#"]}}},
    },
    "tuning": {"level": 3, "name": "x"},
    "pin": 17,
}
CONFIG_B = {
    "accessControl": {
        PUBSUB: {
            "b:pubsub:1": {
                "operations": ["aws.greengrass#PublishToTopic", "aws.greengrass#SubscribeToTopic"],
                "resources": ["shared"],
            }
        },
        MQTTPROXY: {
            "b:mqtt:1": {
                "operations": ["aws.greengrass#SubscribeToIoTCore"],
                "resources": ["$aws/things/pi/jobs/#"],
            }
        },
    },
    "schedule": "hourly",
}


class Harness:
    def __init__(self, root: Path) -> None:
        self.states: list[tuple[str, str]] = []
        self.state_seen = threading.Condition()
        self.server = IpcServer(root / "ipc.sock", on_state=self._on_state)
        self.token_a = self.server.register(A, configuration=CONFIG_A)
        self.token_b = self.server.register(B, configuration=CONFIG_B)
        self.server.start()
        self.a = ProbeProcess(root / "a.err")
        self.b = ProbeProcess(root / "b.err")
        self.a.ok("connect", socket=str(self.server.socket_path), token=self.token_a)
        self.b.ok("connect", socket=str(self.server.socket_path), token=self.token_b)

    def _on_state(self, name: str, state: str) -> None:
        with self.state_seen:
            self.states.append((name, state))
            self.state_seen.notify_all()

    def close(self) -> None:
        self.a.close()
        self.b.close()
        self.server.stop()

    def check_a_still_works(self, topic: str) -> None:
        """A round trip through the server for component A."""
        sub = self.a.ok("subscribe", topic=topic)["sub"]
        self.a.ok("publish", topic=topic, json_message={"alive": True})
        self.a.wait_event(lambda e: e.get("sub") == sub and e["json"] == {"alive": True})


@pytest.fixture(scope="module")
def h() -> Iterator[Harness]:
    with short_tempdir() as root:
        harness = Harness(root)
        try:
            yield harness
        finally:
            harness.close()


def topic_events(probe: ProbeProcess, sub: int) -> list[dict]:
    return probe.events(lambda e: e.get("sub") == sub)


# --------------------------------------------------------------------------- local pub/sub


def test_a_json_message_reaches_the_other_component_and_the_publisher_itself(h: Harness) -> None:
    sub_a = h.a.ok("subscribe", topic="shared")["sub"]
    sub_b = h.b.ok("subscribe", topic="shared")["sub"]

    h.a.ok("publish", topic="shared", json_message={"n": 1, "text": "é"})

    got_b = h.b.wait_event(lambda e: e.get("sub") == sub_b)
    got_a = h.a.wait_event(lambda e: e.get("sub") == sub_a)
    assert got_b["topic"] == "shared" and got_b["json"] == {"n": 1, "text": "é"}
    assert got_a["json"] == {"n": 1, "text": "é"}  # the nucleus default: RECEIVE_ALL_MESSAGES


def test_receive_messages_from_others_skips_the_own_component(h: Harness) -> None:
    others_only = h.a.ok("subscribe", topic="a/mode", receive_mode="RECEIVE_MESSAGES_FROM_OTHERS")["sub"]
    everything = h.a.ok("subscribe", topic="a/mode")["sub"]

    h.a.ok("publish", topic="a/mode", json_message={"own": True})

    h.a.wait_event(lambda e: e.get("sub") == everything)
    h.check_a_still_works("a/mode-after")  # later traffic on the connection has arrived
    assert topic_events(h.a, others_only) == []


def test_a_binary_message_arrives_as_binary(h: Harness) -> None:
    sub = h.a.ok("subscribe", topic="shared")["sub"]
    blob = bytes(range(256))

    h.b.ok("publish", topic="shared", binary_b64=base64.b64encode(blob).decode())

    got = h.a.wait_event(lambda e: e.get("sub") == sub and "binary_b64" in e)
    assert base64.b64decode(got["binary_b64"]) == blob
    assert got["topic"] == "shared"


def test_closing_the_stream_unsubscribes(h: Harness) -> None:
    closed = h.a.ok("subscribe", topic="a/unsub")["sub"]
    kept = h.a.ok("subscribe", topic="a/unsub")["sub"]

    h.a.ok("unsubscribe", sub=closed)
    h.a.ok("publish", topic="a/unsub", json_message={"after": "close"})

    h.a.wait_event(lambda e: e.get("sub") == kept)
    assert topic_events(h.a, closed) == []


def test_a_subscription_with_a_wildcard_gets_every_matching_topic(h: Harness) -> None:
    # allowed: the resource glob a/* covers it. Without a receiveMode a wildcard filter gets
    # only the other components' messages (PubSubIPCEventStreamAgent.validateReceiveMode).
    own_excluded = h.a.ok("subscribe", topic="a/#")["sub"]
    sub = h.a.ok("subscribe", topic="a/#", receive_mode="RECEIVE_ALL_MESSAGES")["sub"]

    h.a.ok("publish", topic="a/deep/down", json_message={"n": 1})
    h.b.ok("publish", topic="shared", json_message={"n": 2})

    got = h.a.wait_event(lambda e: e.get("sub") == sub)
    assert (got["topic"], got["json"]) == ("a/deep/down", {"n": 1})
    h.check_a_still_works("a/after-wildcard")
    assert all(e["topic"].startswith("a/") for e in topic_events(h.a, sub))
    assert topic_events(h.a, own_excluded) == []


def test_a_publish_topic_with_a_glob_is_refused(h: Harness) -> None:
    reply = h.a.request("publish", topic="a/*", json_message={"n": 1})
    assert (reply["ok"], reply["error"]) == (False, "InvalidArgumentsError")
    assert "wildcard" in reply["message"]


# --------------------------------------------------------------------------- IoT Core


def test_iot_core_messages_flow_both_ways_with_mqtt_wildcards(h: Harness) -> None:
    received: list[tuple[str, bytes]] = []
    arrived = threading.Event()

    def on_status(topic: str, payload: bytes) -> None:
        received.append((topic, payload))
        arrived.set()

    unsubscribe = h.server.iot_core.subscribe("dev/+/status", on_status)
    try:
        sub = h.a.ok("subscribe_iot", topic="dev/+/cmd")["sub"]

        h.server.iot_core.publish("dev/pi/cmd", b'{"go": 1}', sender="test")
        h.server.iot_core.publish("dev/pi/other", b"not for A", sender="test")
        h.a.ok("publish_iot", topic="dev/pi/status", payload_b64=base64.b64encode(b"\x00\xffok").decode())

        got = h.a.wait_event(lambda e: e.get("sub") == sub)
        assert got["topic"] == "dev/pi/cmd"
        assert base64.b64decode(got["payload_b64"]) == b'{"go": 1}'
        assert arrived.wait(5)
        assert received == [("dev/pi/status", b"\x00\xffok")]
        assert len(topic_events(h.a, sub)) == 1
    finally:
        unsubscribe()


def test_iot_core_subscription_inside_a_wildcard_resource_is_allowed(h: Harness) -> None:
    sub = h.b.ok("subscribe_iot", topic="$aws/things/pi/jobs/+/update/accepted")["sub"]
    h.server.iot_core.publish("$aws/things/pi/jobs/j-1/update/accepted", b"{}", sender="test")
    assert h.b.wait_event(lambda e: e.get("sub") == sub)["topic"] == "$aws/things/pi/jobs/j-1/update/accepted"


# --------------------------------------------------------------------------- authorization


@pytest.mark.parametrize(
    ("cmd", "args", "operation", "resource"),
    [
        ("publish", {"topic": "a/x", "json_message": {}}, "aws.greengrass#PublishToTopic", "a/x"),
        ("subscribe", {"topic": "a/x"}, "aws.greengrass#SubscribeToTopic", "a/x"),
        (
            "subscribe_iot",
            {"topic": "$aws/things/other/jobs/#"},
            "aws.greengrass#SubscribeToIoTCore",
            "$aws/things/other/jobs/#",
        ),
        ("subscribe_iot", {"topic": "$aws/things/#"}, "aws.greengrass#SubscribeToIoTCore", "$aws/things/#"),
        (
            "publish_iot",
            {"topic": "$aws/things/pi/jobs/start-next", "payload_b64": ""},
            "aws.greengrass#PublishToIoTCore",
            "$aws/things/pi/jobs/start-next",
        ),
    ],
)
def test_calls_outside_access_control_are_unauthorized(h, cmd, args, operation, resource) -> None:
    reply = h.b.request(cmd, **args)

    assert reply["ok"] is False
    assert reply["error"] == "UnauthorizedError"
    assert operation in reply["message"] and resource in reply["message"] and B in reply["message"]


def test_publish_to_a_wildcard_topic_is_invalid(h: Harness) -> None:
    reply = h.a.request("publish_iot", topic="dev/+/x", payload_b64="")
    assert (reply["ok"], reply["error"]) == (False, "InvalidArgumentsError")
    assert "wildcard" in reply["message"]


def test_iot_core_messages_over_128_kb_are_refused_as_the_nucleus_does(h: Harness) -> None:
    received: list[bytes] = []
    unsubscribe = h.server.iot_core.subscribe("dev/big", lambda _topic, payload: received.append(payload))
    try:
        limit = 128 * 1024
        at_limit = base64.b64encode(b"x" * limit).decode()
        assert h.a.request("publish_iot", topic="dev/big", payload_b64=at_limit)["ok"]
        reply = h.a.request(
            "publish_iot", topic="dev/big", payload_b64=base64.b64encode(b"x" * (limit + 1)).decode()
        )
    finally:
        unsubscribe()
    assert (reply["ok"], reply["error"]) == (False, "ServiceError")
    assert f"{limit + 1} bytes exceeds the configured limit of {limit} bytes" in reply["message"]
    assert [len(p) for p in received] == [limit]
    h.check_a_still_works("a/after-big")


# --------------------------------------------------------------------------- unsupported operations


def _unsupported_operations() -> list[str]:
    listed = json.loads(Path(__file__).with_name("ipc-operations.json").read_text())["operations"]
    return [entry["operation"] for entry in listed if entry["operation"] not in HANDLERS]


def _client_method(operation: str) -> str:
    from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2

    wanted = operation.split("#")[1].lower()
    for name in dir(GreengrassCoreIPCClientV2):
        if name.replace("_", "") == wanted:
            return name
    raise AssertionError(f"no client method for {operation}")


def test_every_other_operation_is_a_service_error_naming_it(h: Harness) -> None:
    operations = _unsupported_operations()
    assert len(operations) == 28  # 35 operations in awsiotsdk 1.31, 7 implemented

    for operation in operations:
        reply = h.a.request("call", method=_client_method(operation))
        assert (reply["ok"], reply["error"]) == (False, "ServiceError"), operation
        assert reply["message"] == f"operation {operation} is not supported by the local runtime"
    h.check_a_still_works("a/after-unsupported")


# --------------------------------------------------------------------------- configuration and state


def test_get_configuration_of_self_of_a_key_and_of_another_component(h: Harness) -> None:
    whole = h.a.ok("get_config")
    branch = h.a.ok("get_config", key_path=["tuning"])
    leaf = h.a.ok("get_config", key_path=["tuning", "level"])
    other = h.a.ok("get_config", component=B, key_path=["schedule"])

    assert whole["componentName"] == A and whole["value"]["pin"] == 17
    assert whole["value"]["accessControl"] == CONFIG_A["accessControl"]
    assert branch["value"] == {"level": 3, "name": "x"}
    assert leaf["value"] == {"level": 3}  # a leaf comes back under its own key, as on the nucleus
    assert other == {"componentName": B, "value": {"schedule": "hourly"}}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"key_path": ["tuning", "nope"]}, "tuning/nope"),
        ({"component": "no.such.Component"}, "no.such.Component"),
    ],
)
def test_get_configuration_of_something_missing_is_resource_not_found(h, args, named) -> None:
    reply = h.a.request("get_config", **args)
    assert (reply["ok"], reply["error"]) == (False, "ResourceNotFoundError")
    assert named in reply["message"]


def test_configuration_updates_reach_the_watchers_of_the_changed_keys(h: Harness) -> None:
    whole = h.a.ok("subscribe_config")["sub"]
    tuning = h.a.ok("subscribe_config", key_path=["tuning"])["sub"]
    pin = h.a.ok("subscribe_config", key_path=["pin"])["sub"]
    of_b = h.a.ok("subscribe_config", component=B)["sub"]

    h.server.set_configuration(A, {**CONFIG_A, "tuning": {"level": 4, "name": "x"}, "extra": True})
    h.server.set_configuration(B, {**CONFIG_B, "schedule": "daily"})

    h.a.wait_event(lambda e: e.get("sub") == whole and e["keyPath"] == ["tuning", "level"])
    h.a.wait_event(lambda e: e.get("sub") == whole and e["keyPath"] == ["extra"])
    change_b = h.a.wait_event(lambda e: e.get("sub") == of_b)
    assert change_b == {"event": "config", "sub": of_b, "componentName": B, "keyPath": ["schedule"]}
    h.a.wait_event(lambda e: e.get("sub") == tuning)  # each stream's event travels on its own
    assert [e["keyPath"] for e in topic_events(h.a, tuning)] == [["tuning", "level"]]
    assert topic_events(h.a, pin) == []
    assert h.a.ok("get_config", key_path=["tuning", "level"])["value"] == {"level": 4}
    h.server.set_configuration(A, CONFIG_A)


def test_update_state_reaches_the_supervisor_callback_in_order(h: Harness) -> None:
    h.a.ok("update_state", state="RUNNING")
    h.b.ok("update_state", state="ERRORED")
    h.a.ok("update_state", state="ERRORED")

    with h.state_seen:
        assert h.state_seen.wait_for(lambda: len(h.states) >= 3, timeout=5)
    assert (A, "RUNNING") in h.states and (B, "ERRORED") in h.states
    assert h.states.index((A, "RUNNING")) < h.states.index((A, "ERRORED"))


def test_update_state_with_an_unknown_state_is_invalid(h: Harness) -> None:
    reply = h.a.request("update_state", state="SLEEPY")
    assert (reply["ok"], reply["error"]) == (False, "InvalidArgumentsError")


# --------------------------------------------------------------------------- connection


def test_a_wrong_token_is_refused_as_access_denied(h: Harness, tmp_path: Path) -> None:
    stranger = ProbeProcess(tmp_path / "stranger.err")
    try:
        reply = stranger.request("connect", socket=str(h.server.socket_path), token="not-a-token")
    finally:
        stranger.close()
    assert (reply["ok"], reply["error"]) == (False, "AccessDeniedError")
    h.check_a_still_works("a/after-refusal")


def test_a_wrong_token_gets_a_connect_ack_without_the_accepted_flag(h: Harness) -> None:
    raw = RawClient(h.server.socket_path)
    try:
        ack = raw.connect("wrong")
        raw.sock.shutdown(socket.SHUT_WR)
        assert raw.read_until_closed() == []
    finally:
        raw.close()
    assert ack.header(rpc.MESSAGE_TYPE) == MessageType.CONNECT_ACK
    assert ack.header(rpc.MESSAGE_FLAGS) & Flag.CONNECTION_ACCEPTED == 0


def test_ping_gets_a_ping_response(h: Harness) -> None:
    raw = RawClient(h.server.socket_path)
    try:
        ack = raw.connect(h.token_a)
        raw.send_frame(rpc.message(MessageType.PING, payload=b"hello"))
        pong = raw.next_frame()
    finally:
        raw.close()
    assert ack.header(rpc.MESSAGE_FLAGS) & Flag.CONNECTION_ACCEPTED
    assert pong.header(rpc.MESSAGE_TYPE) == MessageType.PING_RESPONSE and pong.payload == b"hello"
    h.a.ok("ping")  # and the real client's ping is answered without upsetting it
    h.check_a_still_works("a/after-ping")


def test_a_request_that_is_not_json_is_invalid_and_the_connection_stays(h: Harness) -> None:
    raw = RawClient(h.server.socket_path)
    try:
        raw.connect(h.token_a)
        raw.send_frame(
            rpc.message(
                MessageType.APPLICATION_MESSAGE,
                stream_id=1,
                headers={
                    rpc.OPERATION: "aws.greengrass#PublishToTopic",
                    rpc.CONTENT_TYPE: rpc.APPLICATION_JSON,
                },
                payload=b"{not json",
            )
        )
        error = raw.next_frame()
        raw.send_frame(rpc.message(MessageType.PING))
        pong = raw.next_frame()
    finally:
        raw.close()
    assert error.header(rpc.MESSAGE_TYPE) == MessageType.APPLICATION_ERROR
    assert error.header(rpc.MODEL_TYPE) == "aws.greengrass#InvalidArgumentsError"
    assert error.header(rpc.MESSAGE_FLAGS) & Flag.TERMINATE_STREAM
    assert pong.header(rpc.MESSAGE_TYPE) == MessageType.PING_RESPONSE


def _publish_frame() -> bytes:
    return encode_frame(
        rpc.json_message(1, "aws.greengrass#PublishToTopicRequest", {"topic": "a/x"}, terminate=False)
    )


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def _bad_prelude_crc(data: bytes) -> bytes:
    return data[:8] + bytes([data[8] ^ 0xFF]) + data[9:]


def _oversized_prelude() -> bytes:
    prelude = struct.pack(">II", MAX_FRAME_BYTES + 1, 0)
    return prelude + struct.pack(">I", zlib.crc32(prelude))


def _frame_with_headers(headers: bytes) -> bytes:
    """A frame with correct lengths and CRCs around hand-made header bytes."""
    prelude = struct.pack(">II", 16 + len(headers), len(headers))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers
    return body + struct.pack(">I", zlib.crc32(body))


def _header_past_its_section() -> bytes:
    return _frame_with_headers(bytes([4]) + b"name" + bytes([7]) + struct.pack(">H", 500) + b"short")


MALFORMED = {
    "bad message CRC": (_flip_last_byte(_publish_frame()), False, "message CRC"),
    "bad prelude CRC": (_bad_prelude_crc(_publish_frame()), False, "prelude CRC"),
    "truncated": (_publish_frame()[:30], True, "stream ended"),
    "oversized": (_oversized_prelude(), False, "over the limit"),
    "header past its section": (_header_past_its_section(), False, "runs past"),
    "unknown header type": (
        _frame_with_headers(bytes([4]) + b"name" + bytes([42])),
        False,
        "unknown type 42",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_frame_closes_only_that_connection(h: Harness, case: str) -> None:
    data, then_hang_up, reason = MALFORMED[case]
    raw = RawClient(h.server.socket_path)
    try:
        raw.connect(h.token_a)
        raw.send(data)
        if then_hang_up:
            raw.sock.shutdown(socket.SHUT_WR)
        frames = raw.read_until_closed()  # socket.timeout here would mean: not closed
    finally:
        raw.close()
    assert frames, "the server says why before closing"
    assert frames[-1].header(rpc.MESSAGE_TYPE) == MessageType.PROTOCOL_ERROR
    assert re.search(reason, json.loads(frames[-1].payload)["message"])
    h.check_a_still_works(f"a/after-{case.replace(' ', '-')}")


def test_a_call_before_connect_is_a_protocol_error(h: Harness) -> None:
    raw = RawClient(h.server.socket_path)
    try:
        raw.send(_publish_frame())
        frames = raw.read_until_closed()
    finally:
        raw.close()
    assert [f.header(rpc.MESSAGE_TYPE) for f in frames] == [MessageType.PROTOCOL_ERROR]


def test_the_server_knows_who_is_connected_and_dropping_a_component_ends_its_streams(tmp_path: Path) -> None:
    access = {MQTTPROXY: {"p": {"operations": ["*"], "resources": ["#"]}}}
    with short_tempdir() as root, IpcServer(root / "s") as server:
        token = server.register("solo", configuration={"accessControl": access})
        probe = ProbeProcess(tmp_path / "solo.err")
        try:
            probe.ok("connect", socket=str(server.socket_path), token=token)
            probe.ok("subscribe_iot", topic="dev/#")
            wait_for(lambda: server.connected() == ["solo"], what="solo connected")
            assert server.iot_core.subscription_count() == 1

            server.unregister("solo")

            wait_for(lambda: server.connected() == [], what="solo dropped")
            assert server.iot_core.subscription_count() == 0
            reply = probe.request("get_config")
        finally:
            probe.close()
    assert reply["ok"] is False


def test_stopping_the_server_ends_every_stream_and_it_can_start_again(tmp_path: Path) -> None:
    access = {MQTTPROXY: {"p": {"operations": ["*"], "resources": ["#"]}}}
    with short_tempdir() as root:
        server = IpcServer(root / "s")
        token = server.register("solo", configuration={"accessControl": access})
        probe = ProbeProcess(tmp_path / "solo.err")
        try:
            server.start()
            probe.ok("connect", socket=str(server.socket_path), token=token)
            probe.ok("subscribe_iot", topic="dev/#")
            server.stop()
            assert server.iot_core.subscription_count() == 0
            assert not server.socket_path.exists()

            server.start()
            probe.ok("connect", socket=str(server.socket_path), token=token)
            assert probe.ok("get_config") == {"componentName": "solo", "value": {"accessControl": access}}
        finally:
            probe.close()
            server.stop()


def test_a_response_too_large_for_a_frame_is_a_service_error(tmp_path: Path) -> None:
    with short_tempdir() as root, IpcServer(root / "s", max_frame_bytes=4096) as server:
        token = server.register("big", configuration={"blob": "x" * 10_000, "small": 1})
        probe = ProbeProcess(tmp_path / "big.err")
        try:
            probe.ok("connect", socket=str(server.socket_path), token=token)
            too_big = probe.request("get_config")
            small = probe.ok("get_config", key_path=["small"])
        finally:
            probe.close()
    assert (too_big["ok"], too_big["error"]) == (False, "ServiceError")
    assert "does not fit in a frame" in too_big["message"]
    assert small["value"] == {"small": 1}
