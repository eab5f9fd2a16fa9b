"""Component configuration as a deployment sets it: defaults, then reset, then merge.

A deployment's ``configurationUpdate`` for a component has ``reset`` (JSON pointers whose
values go back to the recipe's default, or disappear when the default has none; ``""``
resets everything) and ``merge`` (a JSON object merged over the result: objects merge key
by key, anything else, lists included, replaces). Greengrass applies reset before merge.

The override file the local runtime reads has the deployment's shape::

    {"components": {"com.ghelamco.alert.Scraper": {"configurationUpdate": {
        "merge": {"scheduleMinutes": 5}, "reset": ["/sources"]}}}}
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError
from ghela.runtime.variables import json_pointer


def merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``update`` merged over ``base`` (a new dict; neither input changes)."""
    result = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def reset(current: Mapping[str, Any], defaults: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    """``current`` with the value at ``pointer`` set back to its default (or removed)."""
    if pointer == "":
        return copy.deepcopy(dict(defaults))
    if not pointer.startswith("/"):
        raise ConfigurationError(f"reset path {pointer!r} must be a JSON pointer starting with '/'")
    result = copy.deepcopy(dict(current))
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
    parent: Any = result
    for token in tokens[:-1]:
        if not isinstance(parent, dict) or not isinstance(parent.get(token), dict):
            return result  # nothing there to reset
        parent = parent[token]
    found, default = json_pointer(defaults, pointer)
    if found:
        parent[tokens[-1]] = copy.deepcopy(default)
    else:
        parent.pop(tokens[-1], None)
    return result


def apply_update(
    defaults: Mapping[str, Any], update: Mapping[str, Any] | None, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The configuration after one ``configurationUpdate`` over ``current`` (default: defaults)."""
    result = copy.deepcopy(dict(defaults if current is None else current))
    if not update:
        return result
    unknown = set(update) - {"merge", "reset"}
    if unknown:
        raise ConfigurationError(
            f"configurationUpdate has unknown keys {sorted(unknown)}; use merge and reset"
        )
    pointers = update.get("reset") or []
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise ConfigurationError("configurationUpdate.reset must be a list of JSON pointers")
    for pointer in pointers:
        result = reset(result, defaults, pointer)
    merged = update.get("merge") or {}
    if isinstance(merged, str):  # the AWS CLI and API carry merge as a JSON string
        try:
            merged = json.loads(merged)
        except ValueError as exc:
            raise ConfigurationError(f"configurationUpdate.merge is not valid JSON: {exc}") from exc
    if not isinstance(merged, Mapping):
        raise ConfigurationError("configurationUpdate.merge must be a JSON object")
    return merge(result, merged)


def read_overrides(path: Path | None) -> dict[str, dict[str, Any]]:
    """Each component's ``configurationUpdate`` from a deployment-style override file."""
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path}: cannot read the configuration file: {exc}") from exc
    components = document.get("components") if isinstance(document, dict) else None
    if not isinstance(components, dict):
        raise ConfigurationError(
            f'{path}: expected {{"components": {{name: {{"configurationUpdate": ...}}}}}}'
        )
    result = {}
    for name, spec in components.items():
        update = spec.get("configurationUpdate") if isinstance(spec, dict) else None
        if update is not None and not isinstance(update, dict):
            raise ConfigurationError(f"{path}: {name}: configurationUpdate must be an object")
        result[name] = update or {}
    return result
