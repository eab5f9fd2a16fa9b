"""Recipe variables, resolved as the nucleus does before running a lifecycle script.

Supported: ``{artifacts:path}``, ``{artifacts:decompressedPath}``, ``{work:path}``,
``{kernel:rootPath}``, ``{iot:thingName}``, ``{configuration:/json/pointer}`` and the
cross-component forms ``{other.Component:artifacts:path}`` /
``{other.Component:configuration:/pointer}`` (for a dependency).

A configuration value that is a string is inserted as is; anything else as JSON, as the
nucleus does. A variable that does not resolve (unknown namespace, missing pointer) is
left untouched, also as the nucleus does, so the script shows what was wrong.

Lifecycle scripts get every variable. Component *configuration* gets only the system
parameters (no ``{configuration:...}``), and only when the Nucleus's
``interpolateComponentConfiguration`` is on: ``KernelConfigResolver.resolve`` calls
``interpolateSystemParametersOnly`` on the configuration (aws-greengrass-nucleus,
``componentmanager/KernelConfigResolver.java``); see :mod:`ghela_tools.runtime.deployment`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ghela.core.layout import Layout

_VARIABLE = re.compile(r"\{(?:([A-Za-z0-9_.\-]+):)?(artifacts|work|kernel|iot|configuration):([^{}]+)\}")


@dataclass(frozen=True)
class ComponentContext:
    """What a component's variables resolve against."""

    name: str
    version: str
    configuration: Mapping[str, Any]


@dataclass
class Resolver:
    """Resolves variables for one component; ``others`` gives dependencies' contexts."""

    layout: Layout
    thing_name: str
    component: ComponentContext
    others: Callable[[str], ComponentContext | None] = field(default=lambda _name: None)

    def resolve(self, text: str) -> str:
        """``text`` with every variable filled in (lifecycle scripts, Setenv)."""
        return _VARIABLE.sub(self._replace, text)

    def resolve_system_parameters(self, text: str) -> str:
        """``text`` with all but ``{configuration:...}`` filled in (configuration values)."""
        return _VARIABLE.sub(lambda match: self._replace(match, configuration=False), text)

    def _replace(self, match: re.Match[str], configuration: bool = True) -> str:
        owner, namespace, key = match.groups()
        if namespace == "configuration" and not configuration:
            return match.group(0)
        context = self.component if owner is None else self.others(owner)
        if context is None:
            return match.group(0)
        value = self._lookup(context, namespace, key)
        return match.group(0) if value is None else value

    def _lookup(self, context: ComponentContext, namespace: str, key: str) -> str | None:
        if namespace == "artifacts" and key == "path":
            return str(self.layout.artifacts(context.name, context.version))
        if namespace == "artifacts" and key == "decompressedPath":
            return str(self.layout.decompressed(context.name, context.version))
        if namespace == "work" and key == "path":
            return str(self.layout.work(context.name))
        if namespace == "kernel" and key == "rootPath":
            return str(self.layout.root)
        if namespace == "iot" and key == "thingName":
            return self.thing_name
        if namespace == "configuration":
            found, value = json_pointer(context.configuration, key)
            if found:
                return value if isinstance(value, str) else json.dumps(value)
        return None


def json_pointer(document: Any, pointer: str) -> tuple[bool, Any]:
    """Look up an RFC 6901 pointer; returns (found, value). ``""`` is the whole document."""
    if pointer == "":
        return True, document
    if not pointer.startswith("/"):
        return False, None
    current = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return False, None
    return True, current


def resolve_strings(value: Any, resolve: Callable[[str], str]) -> Any:
    """``value`` with ``resolve`` applied to every string in it (keys stay as they are)."""
    if isinstance(value, str):
        return resolve(value)
    if isinstance(value, Mapping):
        return {key: resolve_strings(item, resolve) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_strings(item, resolve) for item in value]
    return value
