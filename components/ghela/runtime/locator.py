"""Where the running system keeps its files, so the CLI finds them without paths.

``ghela up`` and ``ghela runtime run`` write a small locator, ``.ghela/running.json`` in the
folder they were started from (where their default roots live too; ``$GHELA_LOCATOR``
names another file)::

    {"root": ".../.ghela/up/runtime",
     "database": ".../work/com.ghelamco.alert.Scheduler/ghela.db",
     "syncState": ".../work/com.ghelamco.alert.CloudSync/cloudsync-state.sqlite3"}

``ghela schedule`` (and every ``--db`` command), ``ghela runtime status`` and ``ghela sync
status`` read it. An explicit flag or environment variable still wins; without a locator,
a Pi's Greengrass root (``/greengrass/v2``, whose ``work/<component>/`` folders the nucleus
makes the components' working directories) is used when it holds the Scheduler's work folder.
The file names are the components' configuration defaults (``dbPath``, ``statePath``,
relative to the work folder).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ghela.cloudsync.config import CloudSyncConfig
from ghela.core.componentnames import CLOUD_SYNC, SCHEDULER
from ghela.runtime.layout import Layout
from ghela.scheduler.config import SchedulerConfig

LOCATOR = Path(".ghela/running.json")
LOCATOR_ENV = "GHELA_LOCATOR"
GREENGRASS_ROOT = Path("/greengrass/v2")


@dataclass(frozen=True)
class System:
    """The files of one runtime root."""

    root: Path
    database: Path
    sync_state: Path

    @classmethod
    def under(cls, root: Path) -> System:
        layout = Layout(root.resolve())
        return cls(
            root=layout.root,
            database=layout.work(SCHEDULER) / SchedulerConfig().db_path,
            sync_state=layout.work(CLOUD_SYNC) / CloudSyncConfig().state_path,
        )

    @property
    def status_file(self) -> Path:
        return Layout(self.root).status_file


def locator_path() -> Path:
    return Path(os.environ.get(LOCATOR_ENV) or LOCATOR)


def write_locator(system: System, path: Path | None = None) -> Path:
    """Record where ``system`` is (atomically: a reader never sees half a file)."""
    path = path or locator_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    document = {
        "root": str(system.root),
        "database": str(system.database),
        "syncState": str(system.sync_state),
    }
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def locate(path: Path | None = None, greengrass_root: Path = GREENGRASS_ROOT) -> System | None:
    """The system the locator names, else a Pi's Greengrass root, else None.

    A locator that cannot be read (corrupt, not an object, wrong types) counts as none.
    """
    path = path or locator_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return System(
            root=Path(document["root"]),
            database=Path(document["database"]),
            sync_state=Path(document["syncState"]),
        )
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        pass
    if (greengrass_root / "work" / SCHEDULER).is_dir():
        return System.under(greengrass_root)
    return None
