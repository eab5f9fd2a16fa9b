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
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from ghela.core.errors import ConfigurationError
from ghela.runtime.status import runtime_alive
from ghela.up.children import Child, signal_group

STATE_FILE = "up.json"


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (a zombie is not alive for our purposes)."""
    if not runtime_alive(pid):
        return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except OSError:
        return True
    return status != "Z"


def _same_program(pid: int, argv: list[str]) -> bool:
    current = _cmdline(pid)
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

    def read(self) -> dict[str, object] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def clear_stale(root: Path, runtime_status: Path, grace: float = 5.0) -> list[str]:
    """Stop what a previous, crashed ``ghela up`` under ``root`` left running.

    Returns a line per thing cleared. Raises ConfigurationError if that ``ghela up`` is
    still running.
    """
    state = StateFile(root)
    document = state.read()
    cleared: list[str] = []
    if document:
        owner = int(document.get("pid") or 0)
        if owner and owner != os.getpid() and alive(owner):
            raise ConfigurationError(
                f"ghela up is already running under {root} (pid {owner}); stop it first (Ctrl-C)"
            )
        for child in document.get("children") or []:
            pid, argv = int(child.get("pid") or 0), list(child.get("argv") or [])
            if pid and alive(pid) and _same_program(pid, argv):
                signal_group(pid, signal.SIGTERM)
                cleared.append(f"{child.get('name')} (pid {pid})")
                _wait_gone(pid, grace)
    cleared.extend(_clear_components(runtime_status, grace))
    state.remove()
    return cleared


def _clear_components(status_path: Path, grace: float) -> list[str]:
    try:
        status = json.loads(status_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    cleared = []
    for name, info in (status.get("components") or {}).items():
        pid = int(info.get("pid") or 0)
        if pid and alive(pid) and any("ghela" in part for part in (_cmdline(pid) or [])):
            signal_group(pid, signal.SIGTERM)
            cleared.append(f"{name} (pid {pid})")
            _wait_gone(pid, grace)
    return cleared


def _wait_gone(pid: int, grace: float) -> None:
    deadline = time.monotonic() + grace
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        signal_group(pid, signal.SIGKILL)
