"""moto's server, standing in for AWS, as a child process on a loopback port.

A child process (not a thread in ``ghela up``) keeps moto's CPU work and memory apart
from the orchestrator and lets it be stopped and cleared like every other child.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ghela_tools.up.children import Child
from ghela_tools.up.net import free_port, http_ok, wait_until


class MotoChild(Child):
    def __init__(self, log_path: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        super().__init__(
            "moto",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            log_path,
            env=env,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        wait_until(
            lambda: http_ok(f"{self.url}/moto-api/"),
            timeout,
            "moto's server",
            alive=lambda: self.exit_code() is None,
        )
