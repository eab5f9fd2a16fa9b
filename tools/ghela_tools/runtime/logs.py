"""One log file per component under ``{root}/logs/``, in the nucleus's line format.

A line of component output looks as it does in ``/greengrass/v2/logs/<name>.log``::

    2026-11-25T12:00:00.123Z [INFO] (Copier) com.x.Y: stdout. <the line>.
        {scriptName=services.com.x.Y.lifecycle.Run, serviceName=com.x.Y, currentState=RUNNING}

(one line in the file; wrapped here)

stderr lines are ``[WARN]`` and ``stderr.``; the runtime's own notes about a component
(state changes, exits) are ``(lifecycle)`` lines. :func:`output_lines` gets the raw output
back, which is what tests read.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

_OUTPUT = re.compile(
    r"^\S+ \[(?:INFO|WARN)\] \(Copier\) (?P<name>\S+): "
    r"(?P<stream>stdout|stderr)\. (?P<text>.*)\. \{scriptName="
)


class ComponentLog:
    """Appends lines to one component's log file; safe from many threads."""

    def __init__(self, path: Path, name: str, now: Callable[[], datetime]) -> None:
        self.path = path
        self.name = name
        self._now = now
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def output(self, stream: str, text: str, step: str, state: str) -> None:
        level = "INFO" if stream == "stdout" else "WARN"
        where = f"scriptName=services.{self.name}.lifecycle.{step}, serviceName={self.name}"
        self._write(f"[{level}] (Copier) {self.name}: {stream}. {text}. {{{where}, currentState={state}}}")

    def event(self, message: str, level: str = "INFO") -> None:
        self._write(f"[{level}] (lifecycle) {self.name}: {message}")

    def _write(self, body: str) -> None:
        stamp = self._now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {body}\n")


def output_lines(path: Path, stream: str | None = "stdout") -> list[str]:
    """The raw lines a component wrote (to ``stream``, or both when None), in order."""
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _OUTPUT.match(line)
        if match and (stream is None or match["stream"] == stream):
            lines.append(match["text"])
    return lines
