"""What a crashed ``ghela up`` leaves behind, recorded while it runs and cleared on the next.

``{root}/up.json`` lists the orchestrator's pid and every child's pid and command line.
At start-up, if the recorded orchestrator is gone, every recorded child that is still the
same program (its command line still matches) is stopped with its process group, and so
are the component processes the runtime's status file lists. A second ``ghela up`` while
the first is still running is refused instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError

from ghela_tools.runtime.leftovers import alive, clear_components, cmdline, stop_group
from ghela_tools.up.children import Child

STATE_FILE = "up.json"


def _same_program(pid: int, argv: list[str]) -> bool:
    current = cmdline(pid)
    if current is None:
        return alive(pid)  # no /proc (not Linux): trust the pid
    # Children are started as ``python -m module ...``, so the command line is the argv.
    return bool(argv) and (current == argv or current[1:] == argv[1:])


class StateFile:
    """The record of one running ``ghela up`` under a root folder."""

    def __init__(self, root: Path) -> None:
        self.path = root / STATE_FILE

    def write(self, children: Iterable[Child], extra: dict[str, object] | None = None) -> None:
        document = {
            "pid": os.getpid(),
            "children": [
                {"name": c.name, "pid": c.pid, "argv": c.argv} for c in children if c.pid is not None
            ],
            **(extra or {}),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.unlink(missing_ok=True)
        # Owner-only: the record can hold the demo user's (generated) password.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(document, indent=2))
        os.replace(temporary, self.path)

    def read(self) -> dict[str, Any] | None:
        """The record; None when there is none, or it is not a JSON object (nothing to trust)."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return document if isinstance(document, dict) else None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _pid(value: object) -> int:
    """A recorded pid; 0 for anything else (a damaged or hand-edited record)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def clear_stale(root: Path, runtime_status: Path, grace: float = 5.0) -> list[str]:
    """Stop what a previous, crashed ``ghela up`` under ``root`` left running.

    Returns a line per thing cleared. Raises ConfigurationError if that ``ghela up`` is
    still running.
    """
    state = StateFile(root)
    document = state.read()
    cleared: list[str] = []
    if document:
        owner = _pid(document.get("pid"))
        if owner and owner != os.getpid() and alive(owner):
            raise ConfigurationError(
                f"ghela up is already running under {root} (pid {owner}); stop it first (Ctrl-C)"
            )
        children = document.get("children")
        for child in children if isinstance(children, list) else []:
            if not isinstance(child, dict):
                continue
            pid, argv = _pid(child.get("pid")), child.get("argv")
            if pid and alive(pid) and isinstance(argv, list) and _same_program(pid, argv):
                stop_group(pid, grace)
                cleared.append(f"{child.get('name')} (pid {pid})")
    cleared.extend(clear_components(runtime_status, grace))
    state.remove()
    return cleared
