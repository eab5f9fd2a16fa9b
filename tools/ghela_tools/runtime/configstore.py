"""Each component's configuration, as the nucleus keeps it, and who watches it.

The supervisor sets a component's whole (merged) configuration; the store works out which
key paths changed and tells the watchers whose key path is on the way to or under each
change — GetConfiguration and SubscribeToConfigurationUpdate read from here. Thread-safe;
watchers are called after the lock is released, in the setter's thread.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ghela_tools.runtime.ipcerrors import ResourceNotFoundError

KeyPath = tuple[str, ...]
Watcher = Callable[[str, KeyPath], None]
"""Called with (component name, changed key path)."""


def changed_paths(old: Any, new: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """The key paths where ``new`` differs from ``old``: leaves, or a whole replaced branch."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        paths: list[KeyPath] = []
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                paths.append((*prefix, str(key)))
            else:
                paths.extend(changed_paths(old[key], new[key], (*prefix, str(key))))
        return paths
    return [] if old == new else [prefix]


def _related(watched: KeyPath, changed: KeyPath) -> bool:
    shorter = min(len(watched), len(changed))
    return watched[:shorter] == changed[:shorter]


class ConfigStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[str, dict[str, Any]] = {}
        self._watchers: dict[int, tuple[str, KeyPath, Watcher]] = {}
        self._ids = itertools.count(1)

    def set(self, component: str, configuration: Mapping[str, Any]) -> list[KeyPath]:
        """Replace ``component``'s whole configuration; returns (and announces) what changed."""
        new = copy.deepcopy(dict(configuration))
        with self._lock:
            old = self._configs.get(component, {})
            self._configs[component] = new
            changes = changed_paths(old, new)
            watchers = [(path, w) for c, path, w in self._watchers.values() if c == component]
        for change in changes:
            for path, watcher in watchers:
                if _related(path, change):
                    watcher(component, change)
        return changes

    def remove(self, component: str) -> None:
        with self._lock:
            self._configs.pop(component, None)

    def get(self, component: str, key_path: Sequence[str] = ()) -> Any:
        """A deep copy of the whole configuration, or of the node at ``key_path``.

        ResourceNotFoundError names the component or the key path that does not exist.
        """
        with self._lock:
            if component not in self._configs:
                raise ResourceNotFoundError(f"component {component} has no configuration")
            node: Any = self._configs[component]
            for depth, key in enumerate(key_path):
                if not isinstance(node, Mapping) or key not in node:
                    where = "/".join(key_path[: depth + 1])
                    raise ResourceNotFoundError(f"key not found: {where} in the configuration of {component}")
                node = node[key]
            return copy.deepcopy(node)

    def watch(self, component: str, key_path: Sequence[str], watcher: Watcher) -> Callable[[], None]:
        """Call ``watcher`` for each change on the way to or under ``key_path``; returns the stop."""
        key = next(self._ids)
        with self._lock:
            self._watchers[key] = (component, tuple(key_path), watcher)

        def stop() -> None:
            with self._lock:
                self._watchers.pop(key, None)

        return stop
