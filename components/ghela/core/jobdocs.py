"""IoT job documents: what the web API writes and CloudSync reads.

A document names an ``operation`` and its arguments, flat, in camelCase or snake_case::

    {"operation": "snoozeAlert", "alertId": 31, "minutes": 30}

The original system's shape, with ``local_alert_id`` / ``local_event_id``, is accepted too.
:func:`parse_job_document` turns a document into the Scheduler command it asks for (or a
:class:`~ghela.core.messages.scrape.ScrapeRequest` for ``scrapeNow``); anything else raises
:class:`~ghela.core.errors.InvalidInput` with a reason a person can read.
:func:`job_document` is the inverse, used by the API to write documents.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from pydantic.alias_generators import to_camel, to_snake

from ghela.core.decoding import WHOLE, check_shape, read_json, validate
from ghela.core.errors import InvalidInput
from ghela.core.firstbuild import adapter_on_first_use
from ghela.core.messages import Message
from ghela.core.messages.commands import (
    AddAlert,
    CancelEvent,
    Command,
    CreateEvent,
    DeleteEvent,
    FollowSource,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateAlert,
    UpdateEvent,
)
from ghela.core.messages.scrape import ScrapeRequest

MAX_DOCUMENT_BYTES = 32 * 1024  # IoT Jobs' own limit on a job document

OPERATIONS: dict[str, type[Message]] = {
    "snoozeAlert": SnoozeAlert,
    "unsnoozeAlert": UnsnoozeAlert,
    "updateAlert": UpdateAlert,
    "addAlert": AddAlert,
    "createEvent": CreateEvent,
    "updateEvent": UpdateEvent,
    "cancelEvent": CancelEvent,
    "followSource": FollowSource,
    "deleteEvent": DeleteEvent,
    "scrapeNow": ScrapeRequest,
}
_OPERATION_OF = {model: name for name, model in OPERATIONS.items()}
_LEGACY_NAMES = {"local_alert_id": "alert_id", "local_event_id": "event_id"}
_COMMAND: TypeAdapter[Command] = adapter_on_first_use(Command)


def parse_job_document(document: Any) -> Command | ScrapeRequest:
    """The command a job document asks for; InvalidInput (naming the field) otherwise.

    Whatever the document holds, nothing else is raised (see :mod:`ghela.core.decoding`).
    """
    raw = _as_dict(document)
    operation = raw.pop("operation", None)
    if not isinstance(operation, str) or not operation:
        raise InvalidInput("job document has no operation", field="operation")
    model = OPERATIONS.get(operation)
    if model is None:
        known = ", ".join(sorted(OPERATIONS))
        raise InvalidInput(f"unknown operation {operation[:60]!r} (known: {known})", field="operation")
    fields = {_LEGACY_NAMES.get(_snake(k), _snake(k)): _snake_keys(v) for k, v in raw.items()}
    if model is ScrapeRequest:
        return validate(ScrapeRequest, fields, operation)
    op = model.model_fields["op"].default
    try:
        return validate(_COMMAND, {**fields, "op": op}, operation)
    except InvalidInput as exc:
        # The union's tag (``snooze_alert.alert_id``) is no part of the document's field name;
        # alone it is the document as a whole (a rule of the command, "nothing to update").
        field = WHOLE if exc.field == op else exc.field.removeprefix(f"{op}.") if exc.field else None
        reason = str(exc).replace(f" {op}.", " ").replace(f" {op}: ", f" {WHOLE}: ")
        raise InvalidInput(reason, field=field) from None


def job_document(command: Message) -> dict[str, Any]:
    """The job document (camelCase) for a command; the inverse of :func:`parse_job_document`."""
    operation = _OPERATION_OF.get(type(command))
    if operation is None:
        raise TypeError(f"{type(command).__name__} cannot be sent as a job")
    body = command.model_dump(mode="json", exclude_none=True, exclude={"op"})
    return {"operation": operation, **_camel_keys(body)}


def _as_dict(document: Any) -> dict[str, Any]:
    if isinstance(document, str | bytes | bytearray):
        if len(document) > MAX_DOCUMENT_BYTES:
            raise InvalidInput(
                f"job document is {len(document)} bytes, more than {MAX_DOCUMENT_BYTES}", field=WHOLE
            )
        document = read_json(document, "job document")
    if not isinstance(document, dict):
        raise InvalidInput(f"job document must be a JSON object, not {type(document).__name__}", field=WHOLE)
    check_shape(document, "job document")  # before the key conversion below recurses into it
    return dict(document)


def _snake(key: Any) -> Any:
    return to_snake(key)[:200] if isinstance(key, str) else key


def _snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_snake(k): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {to_camel(k): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value
