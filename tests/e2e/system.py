"""``ghela up --demo`` as a child process, for the full-path browser tests.

Started in its own session on a free port under a temporary root; ready when its state
file says so; stopped with SIGINT (as Ctrl-C), killed with its group if it does not stop.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.moto import free_port

REPO = Path(__file__).resolve().parents[2]


class GhelaUp:
    def __init__(
        self, root: Path, *, demo_lead: float = 0.0, port: int | None = None, name: str = "ghela-up"
    ) -> None:
        self.root = root
        self.port = port or free_port()
        self.output = root / f"{name}.out"
        self.locator = root / "running.json"
        self.argv = [
            sys.executable,
            "-m",
            "ghela.cli",
            "up",
            "--demo",
            "--demo-lead",
            str(demo_lead),
            "--root",
            str(root / "state"),
            "--port",
            str(self.port),
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}

    def start(self, timeout: float = 120.0) -> GhelaUp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env["GHELA_LOCATOR"] = str(self.locator)  # not the repo's .ghela/running.json
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        state = self.root / "state" / "up.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ghela up exited with {self.process.returncode}:\n{self.console()}")
            try:
                info = json.loads(state.read_text())
            except (OSError, ValueError):
                info = {}
            if info.get("ready") and info.get("pid") == self.process.pid:  # not a crashed run's file
                self.info = info
                return self
            time.sleep(0.2)
        raise AssertionError(f"ghela up was not ready after {timeout:g} s:\n{self.console()}")

    @property
    def url(self) -> str:
        return self.info["web_url"].rstrip("/")

    def console(self) -> str:
        try:
            return self.output.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for_console(self, text: str, timeout: float, after: int = 0) -> str:
        """The first console line containing ``text`` past character ``after``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.console()[after:].splitlines():
                if text in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"ghela up never printed {text!r}; its console:\n{self.console()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the orchestrator alone, as a crash would (its children are left behind)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 60.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise AssertionError(f"ghela up did not stop on SIGINT within {timeout:g} s") from None
