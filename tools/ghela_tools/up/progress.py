"""The start-up progress display and the summary printed once everything is up.

On a terminal each step shows a live elapsed-time counter; elsewhere (a log, a test) one
line per step. Plain text, no colours required to read it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stdout
        self.number = 0
        self.live = self.stream.isatty()
        self._lock = threading.Lock()
        self._ticking = False

    def say(self, line: str) -> None:
        with self._lock:
            if self._ticking:
                self.stream.write("\r\033[K")  # the ticker redraws its line below this one
            self.stream.write(line + "\n")
            self.stream.flush()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Show ``title`` while the block runs, then ``done`` (or ``FAILED``) and the time."""
        self.number += 1
        prefix = f"[{self.number}/{self.total}] {title}"
        started = time.monotonic()
        done = threading.Event()
        ticker = None
        if self.live:
            ticker = threading.Thread(target=self._tick, args=(prefix, started, done), daemon=True)
            ticker.start()
        else:
            self.say(f"{prefix} ...")
        outcome = "FAILED"
        try:
            yield
            outcome = "done"
        finally:
            done.set()
            if ticker:
                ticker.join()
            self._finish(prefix, started, outcome)

    def _tick(self, prefix: str, started: float, done: threading.Event) -> None:
        while not done.wait(0.2):
            with self._lock:
                self._ticking = True
                self.stream.write(f"\r{prefix} ... {time.monotonic() - started:4.1f} s")
                self.stream.flush()

    def _finish(self, prefix: str, started: float, outcome: str) -> None:
        elapsed = time.monotonic() - started
        with self._lock:
            self._ticking = False
            if self.live:
                self.stream.write("\r\033[K")
            self.stream.write(f"{prefix} ... {outcome} ({elapsed:.1f} s)\n")
            self.stream.flush()


def summary(lines: list[tuple[str, str]], title: str = "Ghelamco Alert is up") -> str:
    """A boxed list of ``label: value`` lines."""
    width = max(len(label) for label, _ in lines)
    body = [f"  {label.ljust(width)}  {value}" for label, value in lines]
    rule = "=" * max(len(title) + 4, *(len(line) + 2 for line in body))
    return "\n".join(["", rule, f"  {title}", rule, *body, rule, ""])
