"""Waiting in tests for something another thread or process does: poll briefly, fail clearly.

Used only where the injected clock cannot help (real threads, processes, sockets). It never
waits longer than needed, and the timeout only decides how long a failing test takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.005


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    """Return as soon as ``condition()`` is true; AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(POLL_SECONDS)
