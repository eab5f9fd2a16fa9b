"""The event-stream frame codec: round trips of every header type, CRCs, limits."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from ghela_tools.runtime.eventstream import (
    MAX_FRAME_BYTES,
    ChecksumError,
    Frame,
    FrameDecoder,
    FrameError,
    FrameTooLarge,
    Header,
    HeaderType,
    MalformedFrame,
    TruncatedFrame,
    decode_frame,
    encode_frame,
)
from hypothesis import given
from hypothesis import strategies as st

names = st.text(min_size=1, max_size=20).filter(lambda n: len(n.encode()) <= 127)
instants = st.integers(min_value=-(2**41), max_value=2**41).map(
    lambda ms: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
)
headers = st.one_of(
    st.builds(lambda n, v: Header.boolean(n, v), names, st.booleans()),
    st.builds(lambda n, v: Header(n, HeaderType.BYTE, v), names, st.integers(-128, 127)),
    st.builds(lambda n, v: Header(n, HeaderType.INT16, v), names, st.integers(-(2**15), 2**15 - 1)),
    st.builds(lambda n, v: Header(n, HeaderType.INT32, v), names, st.integers(-(2**31), 2**31 - 1)),
    st.builds(lambda n, v: Header(n, HeaderType.INT64, v), names, st.integers(-(2**63), 2**63 - 1)),
    st.builds(lambda n, v: Header(n, HeaderType.BYTE_BUFFER, v), names, st.binary(max_size=300)),
    st.builds(lambda n, v: Header(n, HeaderType.STRING, v), names, st.text(max_size=200)),
    st.builds(lambda n, v: Header(n, HeaderType.TIMESTAMP, v), names, instants),
    st.builds(lambda n, v: Header(n, HeaderType.UUID, v), names, st.uuids()),
)
frames = st.builds(
    lambda hs, payload: Frame(tuple(hs), payload), st.lists(headers, max_size=8), st.binary(max_size=2000)
)


@given(frames)
def test_every_frame_survives_a_round_trip(frame: Frame) -> None:
    assert decode_frame(encode_frame(frame)) == frame


@given(st.lists(frames, min_size=1, max_size=5), st.integers(min_value=1, max_value=64))
def test_the_decoder_reassembles_frames_from_any_chunking(batch: list[Frame], chunk: int) -> None:
    wire = b"".join(encode_frame(f) for f in batch)
    decoder = FrameDecoder()
    decoded: list[Frame] = []
    for start in range(0, len(wire), chunk):
        decoded.extend(decoder.feed(wire[start : start + chunk]))
    decoder.finish()
    assert decoded == batch


def test_a_known_frame_has_the_documented_layout() -> None:
    wire = encode_frame(Frame((Header.int32(":stream-id", 7),), b"{}"))
    total, headers_length, prelude_crc = struct.unpack(">III", wire[:12])
    assert (total, headers_length) == (len(wire), 1 + 10 + 1 + 4)
    assert prelude_crc == zlib.crc32(wire[:8])
    assert wire[12:28] == b"\x0a:stream-id\x04\x00\x00\x00\x07"
    assert wire[28:30] == b"{}"
    assert struct.unpack(">I", wire[-4:])[0] == zlib.crc32(wire[:-4])


def test_header_lookup_returns_the_value_or_the_default() -> None:
    frame = Frame((Header.string("operation", "op"), Header.boolean("flag", False)))
    assert frame.header("operation") == "op"
    assert frame.header("flag") is False
    assert frame.header("missing", 5) == 5


@pytest.mark.parametrize("position", ["prelude", "headers", "payload", "message crc"])
def test_any_flipped_bit_is_a_checksum_error(position: str) -> None:
    wire = bytearray(encode_frame(Frame((Header.string("operation", "x"),), b"payload")))
    index = {"prelude": 2, "headers": 14, "payload": len(wire) - 6, "message crc": len(wire) - 1}[position]
    wire[index] ^= 0x01
    with pytest.raises(ChecksumError):
        decode_frame(bytes(wire))


def test_a_stream_ending_inside_a_frame_is_truncated() -> None:
    wire = encode_frame(Frame((), b"0123456789"))
    decoder = FrameDecoder()
    assert decoder.feed(wire[:-3]) == []
    with pytest.raises(TruncatedFrame, match="stream ended 23 bytes into a frame of 26 bytes"):
        decoder.finish()


def test_an_oversized_frame_is_refused_from_its_prelude_alone() -> None:
    prelude = struct.pack(">II", MAX_FRAME_BYTES + 1, 0)
    with pytest.raises(FrameTooLarge, match="over the limit"):
        FrameDecoder().feed(prelude + struct.pack(">I", zlib.crc32(prelude)))


def test_headers_over_their_limit_are_refused() -> None:
    frame = Frame(tuple(Header.string(f"h{i}", "x" * 1000) for i in range(4)))
    with pytest.raises(FrameTooLarge):
        encode_frame(frame, max_headers_bytes=2048)
    wire = encode_frame(frame)
    with pytest.raises(FrameTooLarge, match="headers of"):
        FrameDecoder(max_headers_bytes=2048).feed(wire)


def test_encoding_refuses_what_the_format_cannot_hold() -> None:
    with pytest.raises(FrameTooLarge):
        encode_frame(Frame((Header.string("big", "x" * 70_000),)))
    with pytest.raises(FrameTooLarge):
        encode_frame(Frame((Header.string("n" * 128, "x"),)))
    with pytest.raises(FrameTooLarge):
        encode_frame(Frame((), b"x" * 100), max_frame_bytes=50)
    with pytest.raises(MalformedFrame):
        encode_frame(Frame((Header(":x", HeaderType.INT16, 2**20),)))


def _with_headers(raw_headers: bytes, total_adjust: int = 0) -> bytes:
    prelude = struct.pack(">II", 16 + len(raw_headers) + total_adjust, len(raw_headers))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw_headers + b"\x00" * total_adjust
    return body + struct.pack(">I", zlib.crc32(body))


@pytest.mark.parametrize(
    ("raw_headers", "message"),
    [
        (b"\x00\x07", "empty name"),
        (b"\x04name\x2a", "unknown type 42"),
        (b"\x04name\x07\x00\x09abc", "runs past"),
        (b"\x04name\x04\x00\x01", "runs past"),
        (b"\x04na\xffe\x00", "not UTF-8"),
        (b"\x04name\x07\x00\x02\xc3\x28", "not UTF-8"),
    ],
)
def test_bad_headers_are_malformed(raw_headers: bytes, message: str) -> None:
    with pytest.raises(MalformedFrame, match=message):
        decode_frame(_with_headers(raw_headers))


def test_lengths_that_contradict_each_other_are_malformed() -> None:
    prelude = struct.pack(">II", 20, 10)
    with pytest.raises(MalformedFrame, match="cannot hold"):
        FrameDecoder().feed(prelude + struct.pack(">I", zlib.crc32(prelude)))


def test_every_codec_error_is_a_value_error_with_a_common_base() -> None:
    for error in (ChecksumError, TruncatedFrame, FrameTooLarge, MalformedFrame):
        assert issubclass(error, FrameError) and issubclass(error, ValueError)


def test_uuid_and_timestamp_values_keep_their_types() -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    moment = datetime(2026, 11, 25, 12, 0, 0, 123000, tzinfo=UTC)
    frame = decode_frame(
        encode_frame(
            Frame((Header("id", HeaderType.UUID, ident), Header("at", HeaderType.TIMESTAMP, moment)))
        )
    )
    assert frame.header("id") == ident and frame.header("at") == moment
