"""What ``ghela doctor`` checks on a Pi, each check one small function giving ok or a fix.

Facts come from the nucleus's own files under its root (``/greengrass/v2``): the
configuration it runs with, ``config/effectiveConfig.yaml`` (written by ``Kernel``, with
each service's ``version`` and ``configuration``), its IPC socket (``ipc.socket`` unless
``system.ipcSocketPath`` says otherwise: ``IPCEventStreamService``, ``DeviceConfiguration``
in aws-greengrass-nucleus) and the components' work folders. What the machine says (the
``python3`` the Install uses, the architecture, the groups, the clock, the GPIO lines)
comes through :class:`Host`, so tests hand in a host of their own.
"""

from __future__ import annotations

import grp
import os
import platform
import pwd
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ghela.core.componentnames import ALERT_LIGHT, SCHEDULER
from ghela.core.crosschecks import cross_check
from ghela.core.nucleus import INTERPOLATE_FLAG, NUCLEUS, coerce_boolean
from ghela.scheduler.store import integrity_problems

MIN_NUCLEUS = (2, 6, 0)
"""The first nucleus with ``interpolateComponentConfiguration``."""
MIN_FREE_BYTES = 500 * 1024 * 1024
"""Room for a second Python environment (about 210 MB) beside the running one, and logs."""
DEFAULT_USER = "ggc_user"
SUPPORTED_MACHINES = ("aarch64", "x86_64")
RESTART = "sudo systemctl restart greengrass"


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def _run(command: list[str]) -> str | None:
    """A command's standard output, None when it is missing or fails."""
    try:
        answer = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return answer.stdout if answer.returncode == 0 else None


def _members(group: str) -> set[str] | None:
    """The users in ``group`` (its member list and whose primary group it is); None if no group."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return None
    return set(entry.gr_mem) | {user.pw_name for user in pwd.getpwall() if user.pw_gid == entry.gr_gid}


@dataclass(frozen=True)
class Host:
    """What the machine says; the real one by default."""

    run: Callable[[list[str]], str | None] = _run
    machine: Callable[[], str] = platform.machine
    group_members: Callable[[str], set[str] | None] = _members
    free_bytes: Callable[[Path], int] = field(default=lambda path: shutil.disk_usage(path).free)


@dataclass(frozen=True)
class Nucleus:
    """The nucleus's effective configuration (``config/effectiveConfig.yaml``)."""

    root: Path
    services: Mapping[str, Any]
    system: Mapping[str, Any]
    found: bool

    @classmethod
    def read(cls, root: Path) -> Nucleus:
        """The configuration under ``root``; ``found`` is False when there is none to read."""
        try:
            document = yaml.safe_load((root / "config" / "effectiveConfig.yaml").read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, RecursionError, UnicodeError):
            document = None
        if not isinstance(document, dict):
            return cls(root, {}, {}, found=False)
        services, system = document.get("services"), document.get("system")
        return cls(
            root,
            services if isinstance(services, dict) else {},
            system if isinstance(system, dict) else {},
            found=True,
        )

    def configuration(self, name: str) -> dict[str, Any]:
        service = self.services.get(name)
        value = service.get("configuration") if isinstance(service, dict) else None
        return value if isinstance(value, dict) else {}

    def version(self, name: str) -> str | None:
        service = self.services.get(name)
        value = service.get("version") if isinstance(service, dict) else None
        return str(value) if value is not None else None

    @property
    def component_user(self) -> str:
        run_with = self.configuration(NUCLEUS).get("runWithDefault")
        user = run_with.get("posixUser") if isinstance(run_with, dict) else None
        return str(user).split(":", 1)[0] if user else DEFAULT_USER


def check_python(host: Host, _nucleus: Nucleus) -> Finding:
    machine = host.machine()
    version = (
        host.run(["python3", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]) or ""
    ).strip()
    detail = f"python3 {version or 'missing'} on {machine}"
    if machine not in SUPPORTED_MACHINES:
        return Finding(
            "python", False, detail, "install 64-bit Raspberry Pi OS (bookworm, arm64) on a Pi 3, 4 or 5"
        )
    if not version.startswith("3.11."):
        return Finding("python", False, detail, "use Raspberry Pi OS bookworm, whose python3 is 3.11")
    return Finding("python", True, detail)


def check_nucleus(_host: Host, nucleus: Nucleus) -> Finding:
    if not nucleus.found:
        where = nucleus.root / "config" / "effectiveConfig.yaml"
        return Finding("nucleus", False, f"no {where}", "install the Greengrass nucleus (README, Pi set-up)")
    version = nucleus.version(NUCLEUS) or "unknown"
    interpolates = coerce_boolean(nucleus.configuration(NUCLEUS).get(INTERPOLATE_FLAG, False))
    detail = f"{NUCLEUS} {version}, {INTERPOLATE_FLAG} {str(interpolates).lower()}"
    if _version(version) < MIN_NUCLEUS:
        return Finding("nucleus", False, detail, "deploy the project's deployment document (nucleus 2.13.0)")
    if not interpolates:
        return Finding(
            "nucleus", False, detail, "deploy the document of `ghela gdk deployment`: it turns the flag on"
        )
    return Finding("nucleus", True, detail)


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split("-", 1)[0].split("."):
        if not part.isdigit():
            return (0,)
        parts.append(int(part))
    return tuple(parts)


def check_gpio_group(host: Host, nucleus: Nucleus) -> Finding:
    user = nucleus.component_user
    members = host.group_members("gpio")
    if members is None:
        return Finding(
            "gpio group", False, "no gpio group", "use Raspberry Pi OS, whose udev rules give GPIO to gpio"
        )
    if user not in members:
        return Finding(
            "gpio group", False, f"{user} is not in gpio", f"sudo usermod -aG gpio {user} && {RESTART}"
        )
    return Finding("gpio group", True, f"{user} is in gpio")


def check_relay_pin(host: Host, nucleus: Nucleus) -> Finding:
    light = nucleus.configuration(ALERT_LIGHT)
    pin, button = light.get("pin", 17), light.get("buttonPin")
    if not isinstance(pin, int) or not 2 <= pin <= 27:
        return Finding(
            "relay pin", False, f"pin {pin!r}", "set AlertLight's pin to a BCM GPIO 2-27 in the deployment"
        )
    if button == pin:
        return Finding("relay pin", False, f"GPIO{pin} is also the button", "give buttonPin another GPIO")
    info = host.run(["gpioinfo"])
    if info is None:
        return Finding("relay pin", False, f"GPIO{pin}: cannot tell", "sudo apt install gpiod (for gpioinfo)")
    for line in info.splitlines():
        if f'"GPIO{pin}"' in line and "[used" in line:
            consumer = line.split('"')[3] if line.count('"') >= 4 else "?"
            if consumer not in ("lg", "ghela"):  # lgpio's label: AlertLight holding it is fine
                return Finding(
                    "relay pin", False, f"GPIO{pin} is used by {consumer}", "free it or choose another pin"
                )
    return Finding("relay pin", True, f"GPIO{pin} free or held by AlertLight")


def check_ipc_socket(_host: Host, nucleus: Nucleus) -> Finding:
    path = Path(str(nucleus.system.get("ipcSocketPath") or nucleus.root / "ipc.socket"))
    try:
        is_socket = stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        is_socket = False
    if not is_socket:
        return Finding("IPC socket", False, f"no socket at {path}", f"start the nucleus: {RESTART}")
    return Finding("IPC socket", True, str(path))


def check_clock(host: Host, _nucleus: Nucleus) -> Finding:
    answer = host.run(["timedatectl", "show", "--property=NTPSynchronized", "--value"])
    if answer is None:
        return Finding(
            "clock", False, "cannot ask timedatectl", "use systemd-timesyncd (Raspberry Pi OS default)"
        )
    if answer.strip() != "yes":
        return Finding(
            "clock", False, "not synchronised", "sudo timedatectl set-ntp true, and check the network"
        )
    return Finding("clock", True, "synchronised (NTP)")


def check_database(_host: Host, nucleus: Nucleus) -> Finding:
    db_path = Path(str(nucleus.configuration(SCHEDULER).get("dbPath") or "ghela.db"))
    path = db_path if db_path.is_absolute() else nucleus.root / "work" / SCHEDULER / db_path
    if not path.is_file():
        return Finding(
            "database", False, f"no database at {path}", "deploy; the Scheduler creates it on start"
        )
    try:
        with _as_owner(path), sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            problems = integrity_problems(connection.execute)
    except (OSError, sqlite3.Error) as exc:
        return Finding(
            "database", False, f"{path}: {exc}", "see the Scheduler's log; restore from the cloud copy"
        )
    if problems:
        return Finding(
            "database", False, f"{path}: {'; '.join(problems[:3])}", "stop the Scheduler and restore the file"
        )
    return Finding("database", True, f"{path} passed the integrity check")


@contextmanager
def _as_owner(path: Path) -> Iterator[None]:
    """Open the database as its owner, so root never leaves a -shm file ggc_user cannot write."""
    owner = path.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        yield
        return
    os.setegid(owner.st_gid)
    os.seteuid(owner.st_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def check_disk(host: Host, nucleus: Nucleus) -> Finding:
    root = nucleus.root
    try:
        free = host.free_bytes(root)
    except OSError as exc:
        return Finding("disk", False, f"{root}: {exc}", "check the SD card")
    detail = f"{free / 1e6:.0f} MB free under {root}"
    if free < MIN_FREE_BYTES:
        return Finding("disk", False, detail, f"free at least {MIN_FREE_BYTES // 2**20} MB")
    return Finding("disk", True, detail)


def check_light_refresh(_host: Host, nucleus: Nucleus) -> Finding:
    configurations = {name: nucleus.configuration(name) for name in (ALERT_LIGHT, SCHEDULER)}
    if not all(configurations.values()):
        return Finding("light vs refresh", False, "AlertLight or Scheduler not deployed", "deploy the Suite")
    problems = cross_check(configurations)
    if problems:
        return Finding(
            "light vs refresh", False, "; ".join(problems), "fix it in the deployment and redeploy"
        )
    max_on = configurations[ALERT_LIGHT].get("maxOnMinutes", "?")
    refresh = configurations[SCHEDULER].get("refreshMinutes", "?")
    return Finding("light vs refresh", True, f"maxOnMinutes {max_on} > refreshMinutes {refresh}")


CHECKS = (
    check_python,
    check_nucleus,
    check_gpio_group,
    check_relay_pin,
    check_ipc_socket,
    check_clock,
    check_database,
    check_disk,
    check_light_refresh,
)


def diagnose(root: Path, host: Host | None = None) -> list[Finding]:
    """Every check's finding for the nucleus at ``root``."""
    host = host or Host()
    nucleus = Nucleus.read(root)
    findings = []
    for check in CHECKS:
        try:
            findings.append(check(host, nucleus))
        except Exception as exc:  # a check that breaks is a finding, never a traceback
            findings.append(Finding(check.__name__.removeprefix("check_"), False, f"check failed: {exc}"))
    return findings
