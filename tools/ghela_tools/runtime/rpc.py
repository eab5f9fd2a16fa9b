"""Event-stream RPC on top of the frame codec: message types, flags, and frame builders.

Every frame carries ``:message-type``, ``:message-flags`` and ``:stream-id`` (int32).
Calls carry ``operation`` and ``service-model-type`` (strings) and a JSON body.
"""

from __future__ import annotations

import json
from enum import IntEnum, IntFlag
from typing import Any

from ghela_tools.runtime.eventstream import Frame, Header

MESSAGE_TYPE = ":message-type"
MESSAGE_FLAGS = ":message-flags"
STREAM_ID = ":stream-id"
VERSION = ":version"
CONTENT_TYPE = ":content-type"
OPERATION = "operation"
MODEL_TYPE = "service-model-type"
APPLICATION_JSON = "application/json"
PROTOCOL_VERSION = "0.1.0"


class MessageType(IntEnum):
    APPLICATION_MESSAGE = 0
    APPLICATION_ERROR = 1
    PING = 2
    PING_RESPONSE = 3
    CONNECT = 4
    CONNECT_ACK = 5
    PROTOCOL_ERROR = 6
    INTERNAL_ERROR = 7


class Flag(IntFlag):
    NONE = 0
    CONNECTION_ACCEPTED = 1
    TERMINATE_STREAM = 2


def message(
    kind: MessageType,
    *,
    stream_id: int = 0,
    flags: int = 0,
    headers: dict[str, str] | None = None,
    payload: bytes = b"",
) -> Frame:
    """A frame with the three protocol headers plus string ``headers``."""
    fixed = (
        Header.int32(MESSAGE_TYPE, int(kind)),
        Header.int32(MESSAGE_FLAGS, int(flags)),
        Header.int32(STREAM_ID, stream_id),
    )
    extra = tuple(Header.string(name, value) for name, value in (headers or {}).items())
    return Frame(fixed + extra, payload)


def json_message(
    stream_id: int, model: str, body: dict[str, Any], *, terminate: bool, error: bool = False
) -> Frame:
    """A response, stream event or (``error=True``) application error of ``model``."""
    return message(
        MessageType.APPLICATION_ERROR if error else MessageType.APPLICATION_MESSAGE,
        stream_id=stream_id,
        flags=Flag.TERMINATE_STREAM if terminate else Flag.NONE,
        headers={CONTENT_TYPE: APPLICATION_JSON, MODEL_TYPE: model},
        payload=json.dumps(body, separators=(",", ":")).encode(),
    )


def kind_of(frame: Frame) -> MessageType | None:
    try:
        return MessageType(frame.header(MESSAGE_TYPE))
    except ValueError:
        return None
