"""Where a Greengrass core keeps things under its root (``/greengrass/v2`` on a Pi).

:mod:`ghela.locator` finds a Pi's work folders with it; the local runtime
(``ghela_tools.runtime``) keeps the same layout under its own root, plus ``status.json``,
which is its own.

::

    {root}/packages/artifacts/{name}/{version}/            {artifacts:path}
    {root}/packages/artifacts-unarchived/{name}/{version}/ {artifacts:decompressedPath}
    {root}/work/{name}/                                    {work:path}
    {root}/logs/{name}.log                                 one log per component
    {root}/logs/greengrass.log                             the runtime's own log
    {root}/ipc.socket                                      the IPC server's socket
    {root}/status.json                                     what `ghela runtime status` reads
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """Where a core (the nucleus, or the local runtime) keeps things under its root."""

    root: Path

    def artifacts(self, name: str, version: str) -> Path:
        return self.root / "packages" / "artifacts" / name / version

    def decompressed(self, name: str, version: str) -> Path:
        return self.root / "packages" / "artifacts-unarchived" / name / version

    def work(self, name: str) -> Path:
        return self.root / "work" / name

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    @property
    def ipc_socket(self) -> Path:
        return self.root / "ipc.socket"

    @property
    def status_file(self) -> Path:
        return self.root / "status.json"

    @property
    def runtime_log(self) -> Path:
        return self.logs / "greengrass.log"
