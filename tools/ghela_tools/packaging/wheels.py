"""The device's Python environment: a hashed lock and the wheels for each architecture.

``device.lock`` (beside this module) pins every requirement of the ``ghela`` package and
its ``device`` extra, with the sha256 of every file PyPI has for each pinned version. It is
made from ``pyproject.toml`` with the command in its header (pip-tools' ``pip-compile
--generate-hashes``); rerun that after changing the dependencies.

``ghela gdk build`` downloads the wheels the lock names for each architecture (only
wheels: nothing may compile on a Pi) into ``com.ghelamco.alert.PythonEnv``'s artifacts, and
that component's Install creates one environment from them with ``pip install --no-index
--require-hashes``, offline. The environment's folder is named after the lock's hash
(:func:`lock_key`), so a changed lock makes a new one and an unchanged one is kept.

Which Python: 3.11, the ``python3`` of Raspberry Pi OS bookworm (3.11.2, glibc 2.36), the
64-bit OS that runs on the Pi 3, 4 and 5. Compiled wheels are made per Python version, so
one version keeps the artifact at one set of wheels per architecture; Install refuses any
other ``python3`` with a message that says so. x86_64 is built too, for the local runtime
and CI (and any amd64 core).

Downloads are cached under ``$GHELA_WHEEL_CACHE`` (default ``~/.cache/ghela/wheels``), one
folder per architecture and lock, marked complete only when pip finished, so a second
build (or a second CI step) does not download again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ghela_tools.packaging.validation import PackagingError

LOCK = Path(__file__).with_name("device.lock")
INSTALLER = Path(__file__).with_name("install-env.sh")
COMPILER = Path(__file__).with_name("compile-env.sh")
PYTHON_VERSION = "3.11"
ABI = "cp311"
GLIBC_MINOR = 36
"""Raspberry Pi OS bookworm's glibc is 2.36: manylinux_2_17 … manylinux_2_36 wheels run."""

ARCHITECTURES = {"aarch64": "aarch64", "amd64": "x86_64"}
"""Greengrass platform architecture (``PlatformResolver.java``) → the wheel tags' machine."""

COMPLETE = ".complete"


def lock_key(lock: Path = LOCK) -> str:
    """The first 16 hex digits of the lock's sha256: the environment's name."""
    return hashlib.sha256(lock.read_bytes()).hexdigest()[:16]


def platform_tags(machine: str) -> list[str]:
    """Every wheel platform tag a bookworm ``machine`` runs, newest first."""
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(GLIBC_MINOR, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    if machine == "x86_64":
        tags += ["manylinux2010_x86_64", "manylinux1_x86_64"]
    return tags


def cache_root() -> Path:
    return Path(os.environ.get("GHELA_WHEEL_CACHE") or Path.home() / ".cache" / "ghela" / "wheels")


def download_wheels(machine: str, lock: Path = LOCK, cache: Path | None = None) -> Path:
    """The folder with a wheel for every requirement of ``lock`` on ``machine`` (cached)."""
    folder = (cache or cache_root()) / machine / lock_key(lock)
    if (folder / COMPLETE).is_file():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--only-binary=:all:", "--require-hashes",
        "--implementation", "cp", "--python-version", PYTHON_VERSION, "--abi", ABI,
        *(option for tag in platform_tags(machine) for option in ("--platform", tag)),
        "--dest", str(partial), "--requirement", str(lock),
    ]  # fmt: skip
    try:
        answer = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PackagingError(f"downloading the {machine} wheels failed: {exc}") from None
    if answer.returncode != 0:
        tail = "\n".join(answer.stderr.strip().splitlines()[-5:])
        status = f"pip exit {answer.returncode}"
        raise PackagingError(f"downloading the {machine} wheels failed ({status}): {tail}")
    (partial / COMPLETE).write_text(lock_key(lock) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def wheel_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.whl"))
