"""The AWS event-stream frame codec: the binary framing under Greengrass IPC.

A frame (big-endian)::

    u32 total_length | u32 headers_length | u32 crc32(prelude) | headers | payload | u32 crc32(all before)

A header is ``u8 name_length, name, u8 type, value``; the types are :class:`HeaderType`.

Limits follow aws-c-event-stream: a frame is at most :data:`MAX_FRAME_BYTES` (16 MiB) in
total and its header section at most :data:`MAX_HEADERS_BYTES` (128 KiB). Anything wrong
is a :class:`FrameError`::

    FrameError (GhelaError, ValueError)
    ├── ChecksumError      the prelude or message CRC does not match
    ├── TruncatedFrame     the bytes ended inside a frame
    ├── FrameTooLarge      a length beyond the limits (also refused when encoding)
    └── MalformedFrame     lengths that contradict each other, a bad header

The IPC server closes the one connection that sent a bad frame; nothing else is affected.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from ghela.core.errors import GhelaError

MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_HEADERS_BYTES = 128 * 1024
PRELUDE_BYTES = 12
OVERHEAD_BYTES = PRELUDE_BYTES + 4
MAX_HEADER_NAME_BYTES = 127
MAX_HEADER_VALUE_BYTES = 0xFFFF

_PRELUDE = struct.Struct(">III")
_U32 = struct.Struct(">I")


class FrameError(GhelaError, ValueError):
    """A frame that cannot be decoded (or encoded); the message says what was wrong."""


class ChecksumError(FrameError):
    """The prelude or message CRC32 does not match the bytes."""


class TruncatedFrame(FrameError):
    """The stream ended before the frame did."""


class FrameTooLarge(FrameError):
    """A frame or header section beyond the configured limits."""


class MalformedFrame(FrameError):
    """Lengths that contradict each other, or a header that cannot be read."""


class HeaderType(IntEnum):
    BOOL_TRUE = 0
    BOOL_FALSE = 1
    BYTE = 2
    INT16 = 3
    INT32 = 4
    INT64 = 5
    BYTE_BUFFER = 6
    STRING = 7
    TIMESTAMP = 8
    UUID = 9


_FIXED = {
    HeaderType.BYTE: struct.Struct(">b"),
    HeaderType.INT16: struct.Struct(">h"),
    HeaderType.INT32: struct.Struct(">i"),
    HeaderType.INT64: struct.Struct(">q"),
    HeaderType.TIMESTAMP: struct.Struct(">q"),
}
_U16 = struct.Struct(">H")


@dataclass(frozen=True)
class Header:
    """One header. ``value`` is bool, int, bytes, str, an aware datetime, or a UUID."""

    name: str
    type: HeaderType
    value: Any

    @classmethod
    def string(cls, name: str, value: str) -> Header:
        return cls(name, HeaderType.STRING, value)

    @classmethod
    def int32(cls, name: str, value: int) -> Header:
        return cls(name, HeaderType.INT32, value)

    @classmethod
    def boolean(cls, name: str, value: bool) -> Header:
        return cls(name, HeaderType.BOOL_TRUE if value else HeaderType.BOOL_FALSE, value)


@dataclass(frozen=True)
class Frame:
    headers: tuple[Header, ...]
    payload: bytes = b""

    def header(self, name: str, default: Any = None) -> Any:
        """The value of the first header called ``name`` (``default`` when absent)."""
        for header in self.headers:
            if header.name == name:
                return header.value
        return default


# --------------------------------------------------------------------------- encoding


def _encode_header(header: Header) -> bytes:
    name = header.name.encode()
    if not 1 <= len(name) <= MAX_HEADER_NAME_BYTES:
        raise FrameTooLarge(f"header name {header.name!r} must be 1..{MAX_HEADER_NAME_BYTES} bytes")
    kind = header.type
    out = bytes([len(name)]) + name + bytes([kind])
    if kind in (HeaderType.BOOL_TRUE, HeaderType.BOOL_FALSE):
        return out
    if kind is HeaderType.TIMESTAMP:
        moment: datetime = header.value
        return out + _FIXED[kind].pack(round(moment.timestamp() * 1000))
    if kind in _FIXED:
        try:
            return out + _FIXED[kind].pack(header.value)
        except struct.error as exc:
            raise MalformedFrame(f"header {header.name!r}: {exc}") from None
    if kind is HeaderType.UUID:
        return out + header.value.bytes
    raw = header.value.encode() if kind is HeaderType.STRING else bytes(header.value)
    if len(raw) > MAX_HEADER_VALUE_BYTES:
        raise FrameTooLarge(
            f"header {header.name!r} value is {len(raw)} bytes, over {MAX_HEADER_VALUE_BYTES}"
        )
    return out + _U16.pack(len(raw)) + raw


def encode_headers(headers: tuple[Header, ...] | list[Header]) -> bytes:
    return b"".join(_encode_header(h) for h in headers)


def encode_frame(
    frame: Frame, *, max_frame_bytes: int = MAX_FRAME_BYTES, max_headers_bytes: int = MAX_HEADERS_BYTES
) -> bytes:
    """The wire bytes of ``frame``; FrameTooLarge when it would break the limits."""
    headers = encode_headers(frame.headers)
    if len(headers) > max_headers_bytes:
        raise FrameTooLarge(f"headers are {len(headers)} bytes, over the limit of {max_headers_bytes}")
    total = OVERHEAD_BYTES + len(headers) + len(frame.payload)
    if total > max_frame_bytes:
        raise FrameTooLarge(f"frame is {total} bytes, over the limit of {max_frame_bytes}")
    prelude = struct.pack(">II", total, len(headers))
    prelude += _U32.pack(zlib.crc32(prelude))
    body = prelude + headers + frame.payload
    return body + _U32.pack(zlib.crc32(body))


# --------------------------------------------------------------------------- decoding


def _decode_headers(data: bytes) -> tuple[Header, ...]:
    headers: list[Header] = []
    at = 0
    end = len(data)

    def take(count: int, what: str) -> bytes:
        nonlocal at
        if at + count > end:
            raise MalformedFrame(f"{what} runs past the end of the header section")
        chunk = data[at : at + count]
        at += count
        return chunk

    while at < end:
        name_length = take(1, "header name length")[0]
        if name_length == 0:
            raise MalformedFrame("header with an empty name")
        try:
            name = take(name_length, "header name").decode()
        except UnicodeDecodeError:
            raise MalformedFrame("header name is not UTF-8") from None
        type_byte = take(1, f"type of header {name!r}")[0]
        try:
            kind = HeaderType(type_byte)
        except ValueError:
            raise MalformedFrame(f"header {name!r} has unknown type {type_byte}") from None
        value: Any
        if kind is HeaderType.BOOL_TRUE:
            value = True
        elif kind is HeaderType.BOOL_FALSE:
            value = False
        elif kind in _FIXED:
            codec = _FIXED[kind]
            (number,) = codec.unpack(take(codec.size, f"value of header {name!r}"))
            value = datetime.fromtimestamp(number / 1000, UTC) if kind is HeaderType.TIMESTAMP else number
        elif kind is HeaderType.UUID:
            value = uuid.UUID(bytes=take(16, f"value of header {name!r}"))
        else:
            (length,) = _U16.unpack(take(2, f"length of header {name!r}"))
            raw = take(length, f"value of header {name!r}")
            if kind is HeaderType.STRING:
                try:
                    value = raw.decode()
                except UnicodeDecodeError:
                    raise MalformedFrame(f"header {name!r} is not UTF-8") from None
            else:
                value = raw
        headers.append(Header(name, kind, value))
    return tuple(headers)


class FrameDecoder:
    """Incremental decoder: feed it bytes as they arrive, get whole frames back.

    Checks the prelude (CRC, then lengths against the limits) as soon as 12 bytes are in,
    so an oversized frame is refused before its body is buffered.
    """

    def __init__(
        self, *, max_frame_bytes: int = MAX_FRAME_BYTES, max_headers_bytes: int = MAX_HEADERS_BYTES
    ) -> None:
        self._max_frame = max_frame_bytes
        self._max_headers = max_headers_bytes
        self._buffer = bytearray()
        self._expected: int | None = None

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a whole frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while True:
            if self._expected is None:
                if len(self._buffer) < PRELUDE_BYTES:
                    return frames
                self._expected = self._check_prelude(bytes(self._buffer[:PRELUDE_BYTES]))
            if len(self._buffer) < self._expected:
                return frames
            raw = bytes(self._buffer[: self._expected])
            del self._buffer[: self._expected]
            self._expected = None
            frames.append(_decode_checked(raw))

    def finish(self) -> None:
        """The stream ended: TruncatedFrame if a partial frame is left over."""
        if self._buffer:
            raise TruncatedFrame(
                f"stream ended {len(self._buffer)} bytes into a frame"
                + (f" of {self._expected} bytes" if self._expected else "")
            )

    def _check_prelude(self, prelude: bytes) -> int:
        total, headers_length, crc = _PRELUDE.unpack(prelude)
        if zlib.crc32(prelude[:8]) != crc:
            raise ChecksumError("prelude CRC mismatch")
        if total > self._max_frame:
            raise FrameTooLarge(f"frame of {total} bytes is over the limit of {self._max_frame}")
        if headers_length > self._max_headers:
            raise FrameTooLarge(
                f"headers of {headers_length} bytes are over the limit of {self._max_headers}"
            )
        if total < OVERHEAD_BYTES + headers_length:
            raise MalformedFrame(f"frame length {total} cannot hold {headers_length} bytes of headers")
        return total


def _decode_checked(raw: bytes) -> Frame:
    """Decode one whole frame whose prelude was already checked."""
    (message_crc,) = _U32.unpack(raw[-4:])
    if zlib.crc32(raw[:-4]) != message_crc:
        raise ChecksumError("message CRC mismatch")
    (headers_length,) = _U32.unpack(raw[4:8])
    headers_end = PRELUDE_BYTES + headers_length
    return Frame(_decode_headers(raw[PRELUDE_BYTES:headers_end]), raw[headers_end:-4])


def decode_frame(
    data: bytes, *, max_frame_bytes: int = MAX_FRAME_BYTES, max_headers_bytes: int = MAX_HEADERS_BYTES
) -> Frame:
    """Decode exactly one frame from ``data`` (extra or missing bytes are an error)."""
    decoder = FrameDecoder(max_frame_bytes=max_frame_bytes, max_headers_bytes=max_headers_bytes)
    frames = decoder.feed(data)
    decoder.finish()
    if len(frames) != 1:
        raise MalformedFrame(f"expected one frame, found {len(frames)}")
    return frames[0]
