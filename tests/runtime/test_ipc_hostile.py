"""The IPC server against hostile sockets: silent ones, broken CONNECTs, unreadable requests.

A socket that sends no CONNECT is closed after the server's ``connect_timeout`` (short
here); a CONNECT or a request whose payload cannot be read (5,000-level nesting, bytes that
are not UTF-8, 5,000-digit numbers, ...) is refused as the protocol says — a CONNECT_ACK
without the accepted flag, an InvalidArgumentsError — and the server goes on serving.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ghela_tools.runtime import rpc
from ghela_tools.runtime.eventstream import encode_frame
from ghela_tools.runtime.ipcserver import IpcServer
from ghela_tools.runtime.rpc import Flag, MessageType
from hypothesis import HealthCheck, given, settings

from tests.runtime.ipc_support import PUBSUB, RawClient, short_tempdir
from tests.support import hostile

CONNECT_TIMEOUT = 0.4
HOSTILE = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
PUBLISH = "aws.greengrass#PublishToTopic"


@dataclass
class Served:
    server: IpcServer
    token: str


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    access = {"accessControl": {PUBSUB: {"p": {"operations": ["*"], "resources": ["*"]}}}}
    with short_tempdir() as root, IpcServer(root / "s", connect_timeout=CONNECT_TIMEOUT) as server:
        yield Served(server, server.register("test.Hostile", configuration=access))


def connect_frame(payload: bytes) -> rpc.Frame:
    return rpc.message(MessageType.CONNECT, headers={rpc.VERSION: rpc.PROTOCOL_VERSION}, payload=payload)


def still_serves(served: Served) -> None:
    raw = RawClient(served.server.socket_path)
    try:
        assert raw.connect(served.token).header(rpc.MESSAGE_FLAGS) & Flag.CONNECTION_ACCEPTED
        raw.send_frame(rpc.message(MessageType.PING, payload=b"ok"))
        assert raw.next_frame().header(rpc.MESSAGE_TYPE) == MessageType.PING_RESPONSE
    finally:
        raw.close()


def test_a_socket_that_sends_nothing_is_closed_after_the_connect_deadline(served: Served) -> None:
    raw = RawClient(served.server.socket_path)
    started = time.monotonic()
    try:
        assert raw.read_until_closed() == []  # socket.timeout (5 s) here would mean: left open
    finally:
        raw.close()
    assert CONNECT_TIMEOUT * 0.9 <= time.monotonic() - started < 3.0
    still_serves(served)


def test_half_a_connect_frame_is_closed_after_the_deadline_too(served: Served) -> None:
    raw = RawClient(served.server.socket_path)
    try:
        raw.send(encode_frame(connect_frame(json.dumps({"authToken": served.token}).encode()))[:10])
        assert raw.read_until_closed() == []
    finally:
        raw.close()


def test_a_connected_socket_may_stay_quiet_past_the_deadline(served: Served) -> None:
    raw = RawClient(served.server.socket_path)
    try:
        raw.connect(served.token)
        time.sleep(CONNECT_TIMEOUT * 2)
        raw.send_frame(rpc.message(MessageType.PING, payload=b"late"))
        assert raw.next_frame().payload == b"late"
    finally:
        raw.close()


def test_a_deeply_nested_connect_payload_is_refused_cleanly(served: Served) -> None:
    assert_refused(served, hostile.deep_json().encode())
    assert_refused(served, json.dumps({"authToken": hostile.deep_dict(50)}).encode())
    still_serves(served)


@HOSTILE
@given(hostile.raw_bodies())
def test_a_hostile_connect_payload_is_refused_as_access_denied(served: Served, payload: bytes) -> None:
    assert_refused(served, payload)


@HOSTILE
@given(hostile.raw_bodies())
def test_a_hostile_request_body_is_invalid_arguments_and_the_connection_stays(
    served: Served, payload: bytes
) -> None:
    raw = RawClient(served.server.socket_path)
    try:
        raw.connect(served.token)
        headers = {rpc.OPERATION: PUBLISH, rpc.CONTENT_TYPE: rpc.APPLICATION_JSON}
        call = rpc.message(MessageType.APPLICATION_MESSAGE, stream_id=1, headers=headers, payload=payload)
        raw.send_frame(call)
        answer = raw.next_frame()
        raw.send_frame(rpc.message(MessageType.PING))
        pong = raw.next_frame()
    finally:
        raw.close()
    assert answer.header(rpc.MESSAGE_TYPE) == MessageType.APPLICATION_ERROR
    assert answer.header(rpc.MODEL_TYPE) == "aws.greengrass#InvalidArgumentsError"
    assert pong.header(rpc.MESSAGE_TYPE) == MessageType.PING_RESPONSE


def assert_refused(served: Served, payload: bytes) -> None:
    raw = RawClient(served.server.socket_path)
    try:
        raw.send_frame(connect_frame(payload))
        ack = raw.next_frame()
        raw.sock.shutdown(socket.SHUT_WR)
        raw.read_until_closed()
    finally:
        raw.close()
    assert ack.header(rpc.MESSAGE_TYPE) == MessageType.CONNECT_ACK
    assert ack.header(rpc.MESSAGE_FLAGS) & Flag.CONNECTION_ACCEPTED == 0
