"""DynamoDB Streams records of the events table → the event before and after, or a rejection.

A stream record is input like any other: anything that fails to decode (a malformed
attribute, a huge number, deep nesting, an item CloudSync would never write) is a
:class:`Rejected` naming the field, logged by the planner, and never stops the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ghela.core.messages.snapshots import EventSnapshot
from pydantic import ValidationError

from ghela_cloud import names
from ghela_cloud.api.stores import deserializer, plain

_EVENT_FIELDS = frozenset(EventSnapshot.model_fields)


@dataclass(frozen=True)
class EventChange:
    device: str
    old: EventSnapshot | None
    new: EventSnapshot | None


@dataclass(frozen=True)
class Rejected:
    field: str
    reason: str


def decode_record(record: Any) -> EventChange | Rejected | None:
    """The change in one record; None for records that are not events (the status item)."""
    try:
        if not isinstance(record, dict):
            return Rejected("(record)", "a stream record is an object")
        data = record.get("dynamodb")
        if not isinstance(data, dict):
            return Rejected("dynamodb", "missing")
        keys = _image(data.get("Keys"), "dynamodb.Keys")
        if isinstance(keys, Rejected):
            return keys
        device, sk = keys.get(names.EVENTS_PARTITION_KEY), keys.get(names.EVENTS_SORT_KEY)
        if not isinstance(device, str) or not isinstance(sk, str) or not 1 <= len(device) <= 128:
            return Rejected("dynamodb.Keys", "device and sk must be strings")
        if not sk.startswith(names.EVENT_SK_PREFIX):
            return None
        images: list[EventSnapshot | None] = []
        for name in ("OldImage", "NewImage"):
            raw = data.get(name)
            if raw is None:
                images.append(None)
                continue
            item = _image(raw, f"dynamodb.{name}")
            if isinstance(item, Rejected):
                return item
            try:
                images.append(
                    EventSnapshot.model_validate({k: v for k, v in item.items() if k in _EVENT_FIELDS})
                )
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "(item)"
                return Rejected(f"dynamodb.{name}.{where}", str(first.get("msg", "invalid")))
        return EventChange(device, images[0], images[1])
    except (RecursionError, OverflowError, UnicodeError, ValueError, TypeError, MemoryError) as exc:
        return Rejected("(record)", f"cannot be decoded: {type(exc).__name__}")


def _image(raw: Any, field: str) -> dict[str, Any] | Rejected:
    if not isinstance(raw, dict):
        return Rejected(field, "an attribute map is an object")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            out[str(key)] = plain(deserializer().deserialize(value))
        except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError, RecursionError) as exc:
            return Rejected(f"{field}.{key}", f"not a DynamoDB attribute ({type(exc).__name__})")
    return out
