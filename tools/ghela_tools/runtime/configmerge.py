"""Component configuration as a deployment sets it: defaults, then reset, then merge.

A deployment's ``configurationUpdate`` for a component has ``reset`` (JSON pointers whose
values go back to the recipe's default, or disappear when the default has none; ``""``
resets everything) and ``merge`` (a JSON object merged over the result: objects merge key
by key, anything else, lists included, replaces). Greengrass applies reset before merge
(``KernelConfigResolver.resolveConfigurationToApply`` in aws-greengrass-nucleus), and it
skips, with an error in its log, a reset pointer that names an array element
(``pointsToArrayElement``): only whole keys are reset. Which components a deployment's
updates reach is :mod:`ghela_tools.runtime.deployment`'s business.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from typing import Any

from ghela.core.errors import ConfigurationError

from ghela_tools.runtime.variables import json_pointer

log = logging.getLogger(__name__)


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
    if any(_may_match_element(token) for token in tokens):
        log.error("reset %r skipped: it points to an element of an array, as the nucleus refuses", pointer)
        return result
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


def _may_match_element(token: str) -> bool:
    """Jackson's ``JsonPointer.mayMatchElement``: the token is an array index (no leading 0)."""
    return token.isdigit() and token.isascii() and (token == "0" or not token.startswith("0"))


def merge_document(update: Mapping[str, Any], where: str = "configurationUpdate") -> dict[str, Any]:
    """The ``merge`` of a configurationUpdate as an object (the API carries it as a JSON string)."""
    merged = update.get("merge") or {}
    if isinstance(merged, str):
        try:
            merged = json.loads(merged)
        except (ValueError, RecursionError) as exc:
            raise ConfigurationError(f"{where}.merge is not valid JSON: {exc}") from None
    if not isinstance(merged, Mapping):
        raise ConfigurationError(f"{where}.merge must be a JSON object")
    return dict(merged)


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
    return merge(result, merge_document(update))
