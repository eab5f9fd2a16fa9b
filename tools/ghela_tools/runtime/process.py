"""One lifecycle script as a child process: started, its output copied, stopped for sure.

Scripts run as the nucleus runs them on Linux, ``sh -c <script>``, in the component's work
folder, in a new session so that SIGTERM/SIGKILL reach every process the script started
(a Run script like ``venv/bin/python3 -u -m ghela.scraper`` may be a shell and a child).
On Linux the script also dies with the runtime (:func:`ghela_tools.runtime.leftovers.die_with_parent`).
The kernel sends that signal when the *thread* that forked the child ends, so every script
is started by one spawner thread that lives as long as the runtime's process, never by the
component thread that asked (it ends at stop, before the script has been stopped).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from ghela_tools.runtime.leftovers import die_with_parent

OutputSink = Callable[[str, str], None]
"""Called with (stream, line) for every line the script writes ("stdout" or "stderr")."""


class ScriptProcess:
    """A running script; :attr:`exited` is set once it has ended and its output is copied.

    ``keep_children``: leave processes the script started running after it exits (a
    Startup script starts a daemon and returns); otherwise they are killed with it.
    """

    def __init__(
        self, script: str, env: Mapping[str, str], cwd: Path, sink: OutputSink, *, keep_children: bool = False
    ) -> None:
        self._proc = _SPAWNER.popen(
            ["sh", "-c", script],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=die_with_parent() if sys.platform == "linux" else None,
        )
        self.pid = self._proc.pid
        self.exited = threading.Event()
        self._keep_children = keep_children
        self._copiers = [
            threading.Thread(
                target=_copy, args=(stream, name, sink), name=f"copy-{self.pid}-{name}", daemon=True
            )
            for stream, name in ((self._proc.stdout, "stdout"), (self._proc.stderr, "stderr"))
        ]
        for copier in self._copiers:
            copier.start()
        threading.Thread(target=self._reap, name=f"reap-{self.pid}", daemon=True).start()

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self.exited.is_set() else None

    def _reap(self) -> None:
        self._proc.wait()
        if not self._keep_children:
            # What the script started dies with it (a Startup script's daemons are kept).
            self._signal(signal.SIGKILL)
        for copier in self._copiers:
            copier.join(timeout=1)
        self.exited.set()

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code, or None if still running after ``timeout`` seconds."""
        self.exited.wait(timeout)
        return self.returncode

    def terminate(self, grace: float) -> int | None:
        """SIGTERM the whole process group, wait ``grace`` seconds, then SIGKILL it."""
        if not self.exited.is_set():
            self._signal(signal.SIGTERM)
            if not self.exited.wait(grace):
                self._signal(signal.SIGKILL)
                self.exited.wait(5)
        # Children the script left behind (in its group) go too.
        self._signal(signal.SIGKILL)
        return self.returncode

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)


class _Spawner:
    """One daemon thread that runs every ``Popen``, started on first use (see the module doc)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: queue.SimpleQueue[tuple[dict[str, Any], queue.SimpleQueue[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def popen(self, args: list[str], **options: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="runtime-spawner", daemon=True)
                self._thread.start()
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._requests.put(({"args": args, **options}, answer))
        result = answer.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def _run(self) -> None:
        while True:
            options, answer = self._requests.get()
            try:
                answer.put(subprocess.Popen(**options))
            except BaseException as exc:  # handed to the caller, who raises it
                answer.put(exc)


_SPAWNER = _Spawner()


def _copy(stream: IO[bytes] | None, name: str, sink: OutputSink) -> None:
    if stream is None:
        return
    with stream:
        for raw in iter(stream.readline, b""):
            sink(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
