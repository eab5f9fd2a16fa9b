"""Helpers for the IPC tests: a probe process with the real client, short socket dirs, raw frames."""

from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ghela_tools.runtime import rpc
from ghela_tools.runtime.eventstream import Frame, FrameDecoder, encode_frame
from ghela_tools.runtime.rpc import MessageType

PROBE = Path(__file__).with_name("ipc_probe.py")
PUBSUB = "aws.greengrass.ipc.pubsub"
MQTTPROXY = "aws.greengrass.ipc.mqttproxy"


@contextmanager
def short_tempdir() -> Iterator[Path]:
    """A fresh directory under /tmp with a short name (AF_UNIX paths stop at 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="gi-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def policy(service: str, operations: list[str], resources: list[str]) -> dict[str, Any]:
    """An accessControl with one policy, as a recipe would write it."""
    return {service: {"test:policy:1": {"operations": operations, "resources": resources}}}


class ProbeFailed(AssertionError):
    pass


class ProbeProcess:
    """``tests/runtime/ipc_probe.py`` in its own process, driven by JSON lines."""

    def __init__(self, stderr_path: Path) -> None:
        self._stderr = stderr_path.open("w")
        self._process = subprocess.Popen(
            [sys.executable, str(PROBE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._ids = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            with self._cond:
                if "id" in message:
                    self._replies.setdefault(message["id"], queue.Queue()).put(message)
                else:
                    self._events.append(message)
                self._cond.notify_all()

    def request(self, cmd: str, timeout: float = 15.0, **args: Any) -> dict[str, Any]:
        """Send one command; the whole reply (``ok``, ``result`` or ``error``/``message``)."""
        with self._cond:
            self._ids += 1
            ident = self._ids
            replies = self._replies.setdefault(ident, queue.Queue())
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"id": ident, "cmd": cmd, **args}) + "\n")
        self._process.stdin.flush()
        try:
            return replies.get(timeout=timeout)
        except queue.Empty:
            raise ProbeFailed(f"probe gave no answer to {cmd} within {timeout}s") from None

    def ok(self, cmd: str, **args: Any) -> Any:
        """Send a command that must succeed; its result."""
        reply = self.request(cmd, **args)
        if not reply["ok"]:
            raise ProbeFailed(f"{cmd} failed: {reply['error']}: {reply['message']}")
        return reply["result"]

    def wait_event(self, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """The first event (already received or arriving within ``timeout``) that matches."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events:
                    if match(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProbeFailed(f"no matching event within {timeout}s; events: {self._events[-5:]}")
                self._cond.wait(remaining)

    def events(self, match: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self._events if match(e)]

    def close(self) -> None:
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(10)
        except (subprocess.TimeoutExpired, OSError):
            self._process.kill()
            self._process.wait(5)
        finally:
            self._stderr.close()


class RawClient:
    """A bare Unix socket speaking frames by hand, for what the real client never sends."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5.0)
        self.sock.connect(str(path))
        self._decoder = FrameDecoder()
        self._frames: list[Frame] = []

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_frame(self, frame: Frame) -> None:
        self.send(encode_frame(frame))

    def connect(self, token: str) -> Frame:
        self.send_frame(
            rpc.message(
                MessageType.CONNECT,
                headers={rpc.VERSION: rpc.PROTOCOL_VERSION},
                payload=json.dumps({"authToken": token}).encode(),
            )
        )
        return self.next_frame()

    def next_frame(self) -> Frame:
        while not self._frames:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self._frames.extend(self._decoder.feed(data))
        return self._frames.pop(0)

    def read_until_closed(self) -> list[Frame]:
        """Every frame until the server closes; socket.timeout if it never does."""
        frames = list(self._frames)
        self._frames.clear()
        while data := self.sock.recv(65536):
            frames.extend(self._decoder.feed(data))
        return frames

    def close(self) -> None:
        self.sock.close()


