"""The runtime's status file, and the table ``ghela runtime status`` prints from it.

The supervisor rewrites ``{root}/status.json`` (atomically) on every state change::

    {"pid": 1234, "updated_at": "...", "components": {
        "com.ghelamco.alert.Scheduler": {"state": "RUNNING", "version": "1.0.0",
            "restarts": 0, "errors": 0, "pid": 1240, "last_exit": null, "last_error": "",
            "since": "..."}}}
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from ghela.core.errors import NotFound, StorageError

from ghela_tools.runtime.leftovers import runtime_alive
from ghela_tools.runtime.lifecycle import ComponentRecord


class StatusBoard:
    """Keeps every component's record and writes them to the status file."""

    def __init__(self, path: Path, now: Callable[[], datetime]) -> None:
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        self._components: dict[str, dict[str, Any]] = {}

    def update(self, name: str, version: str, record: ComponentRecord) -> None:
        with self._lock:
            self._components[name] = {"version": version, **asdict(record)}
            self._write_locked()

    def _write_locked(self) -> None:
        document = {"pid": os.getpid(), "updated_at": self._now().isoformat(), "components": self._components}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)


def read_status(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise NotFound(f"no runtime status at {path}: has `ghela runtime run` been started with this --root?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot read the runtime status {path}: {exc}") from None


def format_status(document: Mapping[str, Any]) -> str:
    """A table of name, version, state, restarts, errors, pid, last error."""
    alive = runtime_alive(int(document.get("pid", 0))) if document.get("pid") else False
    header = f"runtime pid {document.get('pid')} {'running' if alive else 'NOT running (last known states)'}"
    rows = [("COMPONENT", "VERSION", "STATE", "RESTARTS", "ERRORS", "PID", "LAST ERROR")]
    for name, info in sorted(document.get("components", {}).items()):
        rows.append(
            (
                name,
                str(info.get("version", "")),
                str(info.get("state", "")),
                str(info.get("restarts", 0)),
                str(info.get("errors", 0)),
                str(info.get("pid") or "-"),
                str(info.get("last_error") or ""),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    return "\n".join([header, *(line.rstrip() for line in lines)])
