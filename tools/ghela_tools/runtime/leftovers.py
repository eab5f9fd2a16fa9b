"""Processes a crashed runtime leaves behind: kept from happening, and cleared when they did.

Two defences, because neither alone is enough:

- :func:`die_with_parent` (a ``preexec_fn``) asks Linux for SIGTERM when the process that
  started the child goes away (``prctl(PR_SET_PDEATHSIG)``), so ``kill -9`` of the runtime
  takes its components with it. It survives the recipe's ``exec`` into Python, but not a
  fork: a grandchild is not covered.
- :func:`clear_components`, run at every start, stops what the last run's status file
  lists that still runs one of our programs (and its process group: the grandchildren).
  Without it a restart would run a second set of components beside the first (on a Pi, two
  AlertLights on one pin).

On a Pi the real nucleus gets this from systemd: AWS's unit for it ("Configure the
Greengrass nucleus as a system service" in the Greengrass v2 developer guide) sets no
``KillMode``, so systemd's default, ``control-group``, kills every component process with
the nucleus, and a restart starts with an empty cgroup. The local runtime has no cgroup of
its own, so it does both by hand.

``ghela up`` uses both for its own children too (:mod:`ghela_tools.up.children`, :mod:`ghela_tools.up.stale`).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from ghela.core.errors import ConfigurationError

PR_SET_PDEATHSIG = 1
"""From <linux/prctl.h>; see prctl(2): the signal is sent when the parent *thread* exits, so
the child must be started from a thread that lives as long as the child should."""


def die_with_parent(signum: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn`` that has the kernel send ``signum`` to the child when its parent dies.

    SIGTERM, so a component stops as when asked (AlertLight switches its relay off); one
    that ignores it is killed by the next start's :func:`clear_components`. Made in the
    parent, so the child can tell that the parent died before ``prctl`` took effect.
    """
    parent = os.getpid()

    def in_child() -> None:  # pragma: no cover - runs in the forked child
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signum)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # already orphaned: no signal would ever come
            os.kill(os.getpid(), signum)

    return in_child


def cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def runtime_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (zombies included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (a zombie is not alive for our purposes)."""
    if not runtime_alive(pid):
        return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except OSError:
        return True
    return status != "Z"


def signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group led by ``pid`` (or to ``pid`` alone if it has none)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return


def stop_group(pid: int, grace: float) -> None:
    """SIGTERM the group led by ``pid``; SIGKILL it if ``pid`` is still there after ``grace``."""
    signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        signal_group(pid, signal.SIGKILL)


def clear_components(status_path: Path, grace: float = 5.0) -> list[str]:
    """Stop the component processes a status file lists that still run ``ghela`` code.

    The command-line check keeps an unrelated process that got a recycled pid alive.
    Returns a line per process stopped.
    """
    try:
        status = json.loads(status_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    cleared = []
    for name, info in (status.get("components") or {}).items():
        pid = int(info.get("pid") or 0)
        if pid and alive(pid) and any("ghela" in part for part in (cmdline(pid) or [])):
            stop_group(pid, grace)
            cleared.append(f"{name} (pid {pid})")
    return cleared


def clear_crashed_runtime(status_path: Path, grace: float = 5.0) -> list[str]:
    """At a runtime's start: refuse if another runtime runs on this root, else clear what
    a crashed one left (see :func:`clear_components`)."""
    try:
        owner = int(json.loads(status_path.read_text(encoding="utf-8")).get("pid") or 0)
    except (OSError, ValueError, AttributeError):
        return []
    if owner == os.getpid():
        return []  # an earlier runtime in this process: it stopped its own components
    if owner and alive(owner) and any("ghela" in part for part in (cmdline(owner) or [])):
        raise ConfigurationError(
            f"a runtime (pid {owner}) is already running on {status_path.parent}; stop it first"
        )
    return clear_components(status_path, grace)
