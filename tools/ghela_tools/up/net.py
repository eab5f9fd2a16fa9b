"""Ports and readiness checks on the loopback interface."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from ghela.core.backoff import Backoff
from ghela.core.errors import ConfigurationError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def require_free(port: int, what: str) -> None:
    if port_in_use(port):
        raise ConfigurationError(
            f"port {port} for {what} is in use by another program; choose another with --port"
        )


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers at all with HTTP (any status below 500)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] | None = None
) -> None:
    """Poll ``check`` until true; fail after ``timeout`` or as soon as ``alive()`` is false."""
    deadline = time.monotonic() + timeout
    backoff = Backoff(initial=0.05, cap=0.5)
    while not check():
        if alive is not None and not alive():
            raise ConfigurationError(f"{what} exited while starting")
        if time.monotonic() > deadline:
            raise ConfigurationError(f"{what} did not become ready within {timeout:g} s")
        time.sleep(backoff.next_delay())
