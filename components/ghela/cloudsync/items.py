"""Pure builders of DynamoDB items and expressions for the events and jobs tables.

Shapes (shared with the cloud side, see the project brief):

- events table, key ``device`` + ``sk``: ``event#<10-digit id>`` holds one event as its
  :class:`~ghela.core.messages.snapshots.EventSnapshot` fields (times ISO, alerts a list of maps)
  plus ``revision`` and ``synced_at``; ``status`` holds the device's status.
- jobs table, key ``device`` + ``job_id``: status, reason, times, ``expires_at`` (TTL) once finished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ghela.core.errors import InvalidInput
from ghela.core.messages import Message
from ghela.core.messages.health import ComponentHealth, ScrapeVerdict
from ghela.core.messages.light import LightState
from ghela.core.messages.snapshots import EventSnapshot

Item = dict[str, Any]

EVENT_PREFIX = "event#"
STATUS_SK = "status"
NOT_NEWER = "attribute_not_exists(sk) OR #revision <= :revision"
"""The guard on every event write: only replace an item whose revision is not newer."""

MAX_NUMBER_DIGITS = 38
"""DynamoDB keeps numbers to 38 digits of precision (boto3's ``DYNAMODB_CONTEXT``)."""


def to_attributes(values: dict[str, Any]) -> Item:
    """Plain JSON-ready values → DynamoDB typed JSON, as boto3's ``TypeSerializer`` makes
    them (None → NULL, bool → BOOL, int → N, str → S, list → L, dict → M); anything else
    (a float, a number of more than 38 digits) is :class:`InvalidInput` naming the field."""
    return {name: _typed(value, name) for name, value in values.items()}


def _typed(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        if abs(value) >= 10**MAX_NUMBER_DIGITS:
            raise InvalidInput(f"{field}: a number of more than {MAX_NUMBER_DIGITS} digits", field=field)
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [_typed(v, f"{field}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"M": {str(k): _typed(v, f"{field}.{k}") for k, v in value.items()}}
    raise InvalidInput(f"{field}: a {type(value).__name__} is not a DynamoDB value here", field=field)


def event_sort_key(event_id: int) -> str:
    return f"{EVENT_PREFIX}{event_id:010d}"


def event_id_of(sort_key: str) -> int | None:
    """The event id in an ``event#...`` sort key, or None for any other item."""
    if not sort_key.startswith(EVENT_PREFIX):
        return None
    digits = sort_key[len(EVENT_PREFIX) :]
    return int(digits) if digits.isdigit() else None


def event_key(device: str, event_id: int) -> Item:
    return to_attributes({"device": device, "sk": event_sort_key(event_id)})


def event_item(device: str, event: EventSnapshot, synced_at: datetime) -> Item:
    body = event.model_dump(mode="json")
    body.update(device=device, sk=event_sort_key(event.event_id), synced_at=synced_at.isoformat())
    return to_attributes(body)


def guard(revision: int) -> dict[str, Any]:
    """Condition arguments for a write that must not replace a newer revision."""
    return {
        "condition": NOT_NEWER,
        "values": {":revision": {"N": str(revision)}},
        "names": {"#revision": "revision"},
    }


@dataclass(frozen=True)
class Update:
    """An UpdateItem request: key, expression and its names/values."""

    key: Item
    expression: str
    values: Item
    names: dict[str, str]


def status_update(
    device: str,
    *,
    last_seen: datetime,
    revision: int,
    software_version: str,
    light: LightState | None,
    scrapes: Sequence[ScrapeVerdict] = (),
    components: Sequence[ComponentHealth] = (),
) -> Update:
    """The device status item's fields; light fields only once the light has reported, the
    last scrape per source and each component's last report of itself (JSON lists) only
    once one was seen."""
    fields: dict[str, Any] = {
        "last_seen": last_seen.isoformat(),
        "revision": revision,
        "software_version": software_version,
    }
    if scrapes:
        fields["scrapes"] = _json_list(scrapes)
    if components:
        fields["components"] = _json_list(components)
    if light is not None:
        fields.update(
            light_on=light.on, light_pattern=light.pattern.value, light_since=light.since.isoformat()
        )
    return _set_update(to_attributes({"device": device, "sk": STATUS_SK}), fields, {})


def _json_list(messages: Sequence[Message]) -> str:
    return json.dumps([m.model_dump(mode="json") for m in messages], separators=(",", ":"))


@dataclass(frozen=True)
class JobRecord:
    """A finished job as the jobs table records it."""

    job_id: str
    device: str
    operation: str
    document: dict[str, Any] | str
    status: str
    reason: str
    at: datetime
    undelivered: str = ""
    """Why IoT never got this outcome (its update was refused for good); "" normally."""

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "device": self.device,
            "operation": self.operation,
            "document": self.document,
            "status": self.status,
            "reason": self.reason,
            "at": self.at.isoformat(),
            "undelivered": self.undelivered,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> JobRecord:
        return cls(**{**raw, "at": datetime.fromisoformat(raw["at"])})


def job_update(record: JobRecord, ttl: timedelta) -> Update:
    """Record a job's outcome; a row the API did not create is created whole.

    The API's own fields (device, operation, document, who asked, created_at) are set
    only where missing, so the API's record is never overwritten.
    """
    document = record.document if isinstance(record.document, str) else json.dumps(record.document)
    always = {
        "status": record.status,
        "reason": record.reason,
        "updated_at": record.at.isoformat(),
        "expires_at": int((record.at + ttl).timestamp()),
    }
    if record.undelivered:
        always["undelivered"] = record.undelivered
    if_missing = {
        "operation": record.operation,
        "document": document[:32_000],
        "requested_by": "unknown (not created through the API)",
        "created_at": record.at.isoformat(),
    }
    # The key names the device: the device role may write only rows of its own partition.
    key = to_attributes({"device": record.device, "job_id": record.job_id})
    return _set_update(key, always, if_missing)


def _set_update(key: Item, always: dict[str, Any], if_missing: dict[str, Any]) -> Update:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    parts: list[str] = []
    for index, (name, value) in enumerate([*always.items(), *if_missing.items()]):
        names[f"#a{index}"] = name
        values[f":v{index}"] = value
        if name in if_missing:
            parts.append(f"#a{index} = if_not_exists(#a{index}, :v{index})")
        else:
            parts.append(f"#a{index} = :v{index}")
    return Update(key, "SET " + ", ".join(parts), to_attributes(values), names)
