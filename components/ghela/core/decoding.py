"""Reading untrusted input: every failure becomes :class:`~ghela.core.errors.InvalidInput`.

Every boundary of the project (IPC messages, IoT job documents and envelopes, HTTP bodies,
stored rows read back, configuration values) reads its input through these two functions,
so one rule holds everywhere: *whatever* goes wrong while decoding or validating —
``ValidationError``, ``RecursionError``, ``OverflowError``, ``UnicodeError``, a
``TypeError`` from a validator, an integer longer than Python's 4,300-digit limit — the
caller gets an ``InvalidInput`` whose message a person can read and whose ``field`` names
the part to blame (``"(message)"`` when it is the whole input), never another exception.

- :func:`read_json` takes text or bytes: strict UTF-8, strict JSON (RFC 8259 has no
  ``NaN`` or ``Infinity``), nesting at most :data:`MAX_DEPTH` levels, numbers within
  ±2**64 (:func:`check_shape`).
- :func:`read_json_cut` reads an envelope whose inner part may be hostile (an IoT Jobs
  message around its job document): what nests too deeply is cut off, so the rest (the
  job id) can still be read and the job rejected.
- :func:`validate` takes a model (or a ``TypeAdapter``) and a value already in Python
  form, with the same limits, and names the first wrong field.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ghela.core.errors import InvalidInput

T = TypeVar("T")

MAX_DEPTH = 64
"""Deepest nesting of lists and objects accepted; the deepest message of the project has 6."""
_INT_LIMIT = 2**64
WHOLE = "(message)"
"""The ``field`` of a rejection that is about the input as a whole."""


def read_json(data: str | bytes | bytearray, what: str, *, max_depth: int | None = MAX_DEPTH) -> Any:
    """Parse ``data`` as strict JSON; ``InvalidInput`` naming ``what`` otherwise.

    The value must also pass :func:`check_shape`, unless ``max_depth`` is None (a transport
    that passes on whatever JSON it reads, as the local runtime's IPC server does).
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError as exc:
        reason = f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise InvalidInput(reason, field=WHOLE) from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InvalidInput(f"{what} is nested too deeply to read", field=WHOLE) from None
    except _NotJsonNumber as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc} is not a JSON number", field=WHOLE) from None
    except Exception as exc:  # JSONDecodeError, an over-long integer, a surrogate ...
        raise InvalidInput(f"{what} is not valid JSON: {_short(exc)}", field=WHOLE) from None
    if max_depth is not None:
        check_shape(value, what, max_depth)
    return value


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
"""A whole JSON string (skipped as one) or one bracket."""


def read_json_cut(
    data: str | bytes | bytearray, what: str, *, max_depth: int = MAX_DEPTH
) -> tuple[Any, bool]:
    """Like :func:`read_json`, but every list or object deeper than ``max_depth`` becomes ``null``.

    Returns the value and whether anything was cut. Other faults are ``InvalidInput``.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError:
        return read_json(data, what), False  # raises, naming the byte
    pieces: list[str] = []
    depth, kept_to, cut_at = 0, 0, -1
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth == max_depth + 1:
                cut_at = token.start()
        elif mark in "]}":
            if depth == max_depth + 1 and cut_at >= 0:
                pieces += [text[kept_to:cut_at], "null"]
                kept_to = token.end()
            depth -= 1
    cut = kept_to > 0
    return read_json("".join(pieces) + text[kept_to:] if cut else text, what, max_depth=max_depth), cut


def validate(model: type[T] | TypeAdapter[T], value: Any, what: str | None = None) -> T:
    """``value`` validated into ``model``; ``InvalidInput`` naming the first wrong field."""
    name = what or _name_of(model)
    check_shape(value, name, MAX_DEPTH)
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(value)
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(value)
        return TypeAdapter(model).validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(name, exc), field=first_field(exc)) from None
    except InvalidInput:
        raise
    except Exception as exc:  # a validator that raised something else: still the input's fault
        raise InvalidInput(f"invalid {name}: {_short(exc)}", field=WHOLE) from None


def check_shape(value: Any, what: str, max_depth: int = MAX_DEPTH) -> None:
    """``InvalidInput`` naming the top-level field under which ``value`` is unsafe to handle.

    Unsafe: nested deeper than ``max_depth``, an integer beyond ±2**64 (Python's own
    ``str``/``json`` refuse those past 4,300 digits, so a later write would fail), a NaN
    or infinite float. Walks iteratively, so a value too deep for recursion is measured,
    not crashed on. Fields typed ``Any`` get the same protection as typed ones.
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, WHOLE)]
    while stack:
        item, depth, top = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not -_INT_LIMIT <= item <= _INT_LIMIT:
                raise InvalidInput(f"{what}: {top}: the number is too large", field=top)
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidInput(f"{what}: {top}: {item} is not a number JSON allows", field=top)
            continue
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list | tuple):
            children = enumerate(item)
        else:
            continue
        if depth >= max_depth:
            raise InvalidInput(f"{what}: {top}: nested deeper than {max_depth} levels", field=top)
        for key, child in children:
            stack.append((child, depth + 1, str(key)[:100] if depth == 0 else top))


def describe_validation_error(what: str, exc: ValidationError) -> str:
    """One readable line naming each wrong field: ``invalid SnoozeAlert: alert_id: ...``."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{_location(error['loc'])}: {_clip(error['msg'])}" for error in errors[:5]]
    if len(errors) > 5:
        parts.append(f"and {len(errors) - 5} more")
    return f"invalid {what}: " + "; ".join(parts)


def first_field(exc: ValidationError) -> str:
    """The dotted path of the first wrong field (``"(message)"`` for the input as a whole)."""
    errors = exc.errors(include_url=False, include_input=False)
    return _location(errors[0]["loc"]) if errors else WHOLE


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)[:200] or WHOLE


class _NotJsonNumber(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json reads them, JSON has none."""


def _refuse_constant(name: str) -> Any:
    raise _NotJsonNumber(name)


def _clip(text: str, limit: int = 200) -> str:
    """Some messages quote the input (``Input tag 'xxx…'``): a 1 MB input must not make a 1 MB reason."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _name_of(model: Any) -> str:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.__name__
    return getattr(model, "__name__", None) or "value"
