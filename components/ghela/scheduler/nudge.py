"""A nudge from the CLI to a running Scheduler: "the database changed, look now".

The Scheduler notices other writers of its file through ``PRAGMA data_version``, checked
every ``dbCheckSeconds`` (5 s). Checking faster would cost the Pi a query many times a
second for a change that comes a few times a week, so after the CLI commits a change it
sends one empty datagram to a socket named after the database file, and a Scheduler
listening there checks at once. The datagram carries nothing: the database stays the one
channel of data, so a nudge from anyone costs one cheap PRAGMA and cannot change
anything, and a nudge nobody hears (nothing running) is dropped: the CLI has written
alone, and a Scheduler that starts later reads the file. The periodic check still finds
writers that do not nudge (``sqlite3`` by hand).

The socket is in Linux's abstract namespace (``\\0`` + a hash of the database's resolved
path): no file to clean up after a kill, no 108-byte path limit, the same name from the
CLI's path (from ``.ghela/running.json``) and the Scheduler's (relative to its work
folder). Elsewhere there is no nudge and the periodic check alone applies.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SUPPORTED = sys.platform.startswith("linux")
"""Abstract Unix sockets are Linux's."""


def address(database: Path) -> bytes:
    """The abstract socket name of ``database``'s Scheduler."""
    digest = hashlib.sha256(str(database.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return b"\0ghela-scheduler-" + digest[:32].encode()


def nudge(database: Path) -> bool:
    """Tell a Scheduler running on ``database`` to look now; True if one was listening."""
    if not SUPPORTED:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)  # never wait on a Scheduler that is busy (or flooded)
        try:
            sock.sendto(b"", address(database))
        except OSError:  # nobody listens (ECONNREFUSED), or its queue is full: it will look anyway
            return False
    return True


class NudgeListener:
    """Calls ``on_nudge`` (from its own thread) for every nudge about ``database``."""

    def __init__(self, database: Path, on_nudge: Callable[[], None]) -> None:
        self._address = address(database)
        self._on_nudge = on_nudge
        self._stopping = threading.Event()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="scheduler-nudges", daemon=True)

    def start(self) -> NudgeListener:
        if not SUPPORTED:
            return self
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self._address)
        except OSError as exc:  # another Scheduler on the same file, or the name taken
            sock.close()
            log.warning("cannot hear the CLI's nudges (%s): its changes show within dbCheckSeconds", exc)
            return self
        self._socket = sock
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self._socket is not None
        while True:
            try:
                self._socket.recv(16)
            except OSError:
                return
            self._drain()  # a burst of nudges is one look
            if self._stopping.is_set():
                return
            self._on_nudge()

    def _drain(self) -> None:
        assert self._socket is not None
        while True:
            try:
                self._socket.recv(16, socket.MSG_DONTWAIT)
            except OSError:  # nothing more waiting (BlockingIOError), or closed
                return

    def stop(self) -> None:
        if self._socket is None:
            return
        self._stopping.set()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, contextlib.suppress(OSError):
            sock.sendto(b"", self._address)  # wakes the blocked recv
        self._thread.join(timeout=5)
        self._socket.close()
        self._socket = None
