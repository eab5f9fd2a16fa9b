"""The CLI hands its command to a running Scheduler, which applies it as it applies the cloud's.

Without this the CLI would open the SQLite file itself (sqlmodel and SQLAlchemy: most of
its start-up) and the Scheduler would find the change only at its next ``PRAGMA
data_version`` look. With it, ``ghela alert snooze`` connects to the Scheduler of its
database, and the Scheduler applies the command through :meth:`SchedulerService.apply`,
the path of the IPC ``COMMAND`` topic: counted activity, rules and the light follow at
once, exactly as for a command from the cloud.

The conversation, one JSON line each (at most :data:`MAX_LINE` bytes):

1. the Scheduler greets: ``{"zone": "Europe/Brussels"}`` (what the CLI needs to build a
   command: venue times are read in the venue's zone);
2. the CLI sends a :class:`~ghela.core.messages.commands.CommandRequest` (its ``origin`` is set
   to ``"cli"`` whatever it says);
3. the Scheduler answers the :class:`~ghela.core.messages.commands.CommandResult`.

Anything the Scheduler cannot take is answered ``{"refused": reason, "field": name}``
(an invalid command that still names a usable id gets a rejected ``CommandResult``, as on
IPC) and the connection is closed; nothing a peer sends stops the listener.

The socket is a STREAM socket in Linux's abstract namespace (``\\0`` + a hash of the
database's resolved path, :func:`address`): no file to clean up after a kill, no 108-byte
path limit, the same name from the CLI's path (from ``.ghela/running.json``) and the
Scheduler's (relative to its work folder). An abstract socket has **no file permissions**:
anyone on the machine can connect. So the listener asks the kernel who connected
(``SO_PEERCRED``) and takes commands only from its own uid or root; anyone else is refused
before a byte of theirs is read (they may still write the database alone, if its file lets
them, and the periodic check finds that).

When nobody listens (nothing running, or not Linux), or the Scheduler refuses, breaks off
or is silent for :data:`TIMEOUT_SECONDS`, :func:`hand_off` returns None and the CLI writes
the command alone **with the same id**: the handler answers a repeated id with its first
result, so a command the Scheduler applied but could not answer is not applied twice.
Writers that do not hand off (``ghela db demo``, ``sqlite3`` by hand) are found by the
Scheduler's periodic ``data_version`` check.

The CLI's side imports only what building a command needs (no sqlmodel, no SQLAlchemy).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ghela.core import topics
from ghela.core.bus import InvalidMessage, parse_incoming
from ghela.core.decoding import WHOLE, read_json, validate
from ghela.core.errors import InvalidInput
from ghela.core.messages.commands import CommandRequest, CommandResult

log = logging.getLogger(__name__)

SUPPORTED = sys.platform.startswith("linux")
"""Abstract Unix sockets and ``SO_PEERCRED`` are Linux's."""

MAX_LINE = 64 * 1024
"""The longest line either side reads; the largest command is a few KiB."""
READ_SECONDS = 3.0
"""How long the Scheduler waits for a peer's whole request line (one peer at a time)."""
TIMEOUT_SECONDS = 5.0
"""How long the CLI waits for the greeting and the result together before writing alone."""
_PEERCRED = struct.Struct("3i")
"""``struct ucred``: pid, uid, gid (socket(7))."""


def address(database: Path) -> bytes:
    """The abstract socket name of ``database``'s Scheduler."""
    digest = hashlib.sha256(str(database.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return b"\0ghela-scheduler-" + digest[:32].encode()


class _Broken(Exception):
    """The other side closed, was silent too long, or sent a line over :data:`MAX_LINE`."""


class _TooLong(_Broken):
    """A line over :data:`MAX_LINE` (the one fault of a peer's that is worth an answer)."""


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    """One line (without its newline), read by ``deadline`` (``time.monotonic``)."""
    buffer = bytearray()
    while True:
        end = buffer.find(b"\n")
        if end >= 0:
            return bytes(buffer[:end])
        if len(buffer) > MAX_LINE:
            raise _TooLong(f"a line is longer than {MAX_LINE} bytes")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Broken("no whole line in time")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(MAX_LINE + 1 - len(buffer))
        except OSError as exc:  # TimeoutError included
            raise _Broken(f"reading failed: {exc}") from None
        if not chunk:
            raise _Broken("closed before a whole line")
        buffer += chunk


def _send_line(sock: socket.socket, value: dict[str, Any] | str) -> None:
    text = value if isinstance(value, str) else json.dumps(value)
    sock.sendall(text.encode() + b"\n")


def _discard(sock: socket.socket, deadline: float) -> None:
    """Read and drop what the peer still sends, until it closes or ``deadline``: a Unix
    socket closed with unread bytes resets its peer, which would lose the answer just sent
    (the CLI closes as soon as it has read the answer)."""
    sock.shutdown(socket.SHUT_WR)
    with contextlib.suppress(OSError):
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            if not sock.recv(MAX_LINE):
                return


def refusal(reason: str, field: str) -> dict[str, str]:
    return {"refused": reason[:2000], "field": field[:100]}


# ---------------------------------------------------------------------- the CLI's side


def hand_off(database: Path, request: Callable[[str], CommandRequest]) -> CommandResult | None:
    """Have ``database``'s running Scheduler apply ``request(zone)``; None: write it alone.

    ``request`` gets the venue zone from the Scheduler's greeting; what it raises (a time
    the clocks skip, say) reaches the caller as it would without a Scheduler.
    """
    if not SUPPORTED:
        return None
    deadline = time.monotonic() + TIMEOUT_SECONDS
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT_SECONDS)
        try:
            sock.connect(address(database))
        except OSError:  # nobody listens (ECONNREFUSED), or too busy to take us
            return None
        try:
            greeting = read_json(_read_line(sock, deadline), "the Scheduler's greeting")
        except (_Broken, InvalidInput) as exc:
            log.info("the Scheduler did not greet (%s); writing the command alone", exc)
            return None
        if not isinstance(greeting, dict) or not isinstance(greeting.get("zone"), str):
            log.info("the Scheduler did not take the command (%s); writing it alone", greeting)
            return None
        line = request(greeting["zone"]).model_dump_json()  # a wrong argument is the caller's error
        try:
            _send_line(sock, line)
            return validate(CommandResult, read_json(_read_line(sock, deadline), "the Scheduler's answer"))
        except (_Broken, InvalidInput, OSError) as exc:
            log.info("handing the command to the Scheduler failed (%s); writing it alone", exc)
            return None


# ---------------------------------------------------------------------- the Scheduler's side


class HandoffListener:
    """Takes the CLI's commands for ``database``'s Scheduler, one connection at a time.

    ``apply`` applies a command (the service's); ``reject`` turns an invalid one into the
    rejected result to answer, or None when it names no usable id.
    """

    def __init__(
        self,
        database: Path,
        zone: str,
        apply: Callable[[CommandRequest], CommandResult],
        reject: Callable[[InvalidMessage], CommandResult | None],
    ) -> None:
        self._address = address(database)
        self._zone = zone
        self._apply = apply
        self._reject = reject
        self._stopping = threading.Event()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="scheduler-handoff", daemon=True)

    def start(self) -> HandoffListener:
        if not SUPPORTED:
            return self
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(self._address)
            sock.listen(8)
        except OSError as exc:  # another Scheduler on the same file, or the name taken
            sock.close()
            log.warning("cannot take the CLI's commands (%s); it writes alone (dbCheckSeconds)", exc)
            return self
        self._socket = sock
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self._socket is not None
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue  # a peer gone before it was accepted (ECONNABORTED), out of files ...
            with connection:
                if self._stopping.is_set():
                    return
                try:
                    self._serve(connection)
                except Exception:  # a broken peer (EPIPE ...) or a fault: never the listener's end
                    log.exception("a hand-off from the CLI failed")

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(READ_SECONDS)
        _, uid, _ = _PEERCRED.unpack(
            connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
        )
        if uid not in (os.getuid(), 0):
            log.warning("refused a command from uid %d over the hand-off socket", uid)
            _send_line(connection, refusal(f"uid {uid} may not hand the Scheduler commands", "uid"))
            return
        _send_line(connection, {"zone": self._zone})
        deadline = time.monotonic() + READ_SECONDS
        answer = self._answer(connection, deadline)
        if answer is not None:
            _send_line(connection, answer)
            _discard(connection, deadline)

    def _answer(self, connection: socket.socket, deadline: float) -> dict[str, Any] | str | None:
        """The answer to the peer's request line; None when it sent no whole line in time."""
        try:
            line = _read_line(connection, deadline)
        except _TooLong as exc:
            return refusal(f"the request: {exc}", WHOLE)
        except _Broken:
            return None  # closed or silent before a whole line: nothing to answer
        try:
            request = parse_incoming(topics.COMMAND, line)
        except InvalidMessage as exc:
            rejected = self._reject(exc)
            return rejected.model_dump_json() if rejected else refusal(str(exc), exc.field or WHOLE)
        assert isinstance(request, CommandRequest)
        return self._apply(request.model_copy(update={"origin": "cli"})).model_dump_json()

    def stop(self) -> None:
        if self._socket is None:
            return
        self._stopping.set()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, contextlib.suppress(OSError):
            sock.settimeout(1)
            sock.connect(self._address)  # wakes the blocked accept
        self._thread.join(timeout=READ_SECONDS + 2)
        self._socket.close()
        self._socket = None
