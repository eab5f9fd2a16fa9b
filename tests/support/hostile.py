"""Hostile values for property tests of every boundary (Hypothesis strategies), in one place.

What an attacker, a bug on the other side or a damaged file sends: instants outside any
sane range or with offsets that overflow Python's datetime on conversion, integers of
5,000 digits, NaN and infinities, 5,000-level nesting, bytes that are not UTF-8, 1 MB
strings, and plain wrong types. Each comes as a Python value (for a payload that is
already decoded) and, through :func:`json_text`, as the JSON text a wire would carry.

:func:`with_hostile_field` plants one hostile value in an otherwise valid payload and says
which field it went to, so a test can assert that the rejection names that field.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

DEEP = 5_000
"""Nesting depth of the deep values: far past Python's recursion limit (1,000)."""
HUGE_INT = 10**5_000
"""Longer than the 4,300 digits Python's ``int`` parses from text."""
MEGABYTE = 1024 * 1024

POISON_INSTANTS = (
    "9999-12-31T23:59:00-01:00",  # becomes year 10000 in UTC: OverflowError in astimezone
    "0001-01-01T00:00:00+01:00",  # becomes year 0 in UTC
    "9999-12-31T23:00Z",  # a valid datetime, but no device can plan alerts before it
    "0001-01-01T00:00:00Z",
    "1999-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "2000-01-01T00:30:00+14:00",  # 1999 in UTC
    "2100-12-31T23:30:00-12:00",  # 2101 in UTC
    "+10000-01-01T00:00:00Z",
    "2026-02-30T12:00:00Z",
    "2026-11-25T25:00:00Z",
    "2026-11-25T12:00:00+24:00",
    "2026-11-25T12:00:00",  # naive
)
"""Instants that must be refused, whatever field carries them."""

POISON_DATES = ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30")


def deep_list(depth: int = DEEP) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def deep_dict(depth: int = DEEP) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def deep_json(depth: int = DEEP) -> str:
    """JSON text nested ``depth`` levels (json.dumps itself cannot write it)."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def instants() -> st.SearchStrategy[str]:
    """Out-of-range, offset-extreme and malformed instants."""
    generated = st.builds(
        lambda year, sign, hours, minutes: f"{year:04d}-12-31T23:59:00{sign}{hours:02d}:{minutes:02d}",
        st.one_of(st.integers(1, 1999), st.integers(2101, 9999)),
        st.sampled_from("+-"),
        st.integers(0, 23),
        st.integers(0, 59),
    )
    edge_of_time = st.builds(
        lambda year, sign, hours: f"{year:04d}-01-01T00:00:00{sign}{hours:02d}:59",
        st.sampled_from([1, 9999]),
        st.sampled_from("+-"),
        st.integers(0, 23),
    )
    return st.one_of(st.sampled_from(POISON_INSTANTS), generated, edge_of_time)


def scalars() -> st.SearchStrategy[Any]:
    """Numbers that break parsers and arithmetic, and values of every wrong type."""
    return st.one_of(
        st.sampled_from([HUGE_INT, -HUGE_INT, 2**63, -(2**63) - 1, 2**65]),
        st.sampled_from([float("nan"), float("inf"), float("-inf")]),
        st.sampled_from([None, True, False, "", "\x00", "\ud800", [], {}, 1e308, -0.0]),
        st.integers(),
        st.floats(),
        st.text(max_size=50),
    )


def big_values() -> st.SearchStrategy[Any]:
    """The expensive ones, built once per example: 5,000-level nesting, a 1 MB string."""
    return st.sampled_from(["deep_list", "deep_dict", "megabyte", "megabyte_list"]).map(_big)


def _big(kind: str) -> Any:
    if kind == "deep_list":
        return deep_list()
    if kind == "deep_dict":
        return deep_dict()
    if kind == "megabyte":
        return "x" * MEGABYTE
    return ["x" * 1024] * 1024


def values() -> st.SearchStrategy[Any]:
    """Any hostile Python value (already decoded)."""
    return st.one_of(instants(), st.sampled_from(POISON_DATES), scalars(), big_values())


def json_text(value: Any) -> str:
    """``value`` as JSON text, written by hand where ``json`` cannot (deep nesting).

    NaN and infinities come out as Python's non-JSON words (``NaN``): hostile too.
    """
    depth = _depth(value)
    if depth > 500:
        return deep_json(depth) if isinstance(value, dict) else "[" * depth + "]" * depth
    if value in (HUGE_INT, -HUGE_INT):  # str() refuses it too
        return ("-" if value < 0 else "") + "1" + "0" * 5_000
    return json.dumps(value)


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Whole bodies that are not a valid message at all."""
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [
                b"\xff\xfe\x00",
                b"\xc3\x28",
                b'{"a": "\xed\xa0\x80"}',  # a UTF-8-encoded surrogate
                b"NaN",
                b"[Infinity]",
                b'{"a": -Infinity}',
                b"9" * 5_000,
                b"[" * DEEP + b"]" * DEEP,
                deep_json().encode(),
                b'{"a": 1',
                b"",
                b"null",
                b"[]",
                b'"just a string"',
                b"x" * MEGABYTE,
            ]
        ),
    )


def with_hostile_field(valid: dict[str, Any]) -> st.SearchStrategy[tuple[dict[str, Any], str, Any]]:
    """``valid`` with one field (existing or new) replaced by a hostile value: (payload, field, value)."""
    fields = st.sampled_from([*valid, "unexpectedField"])
    return st.tuples(fields, values()).map(lambda pair: ({**valid, pair[0]: pair[1]}, pair[0], pair[1]))


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list | dict) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
        depth += 1
    return depth + 1
