"""``ghela sync status`` and ``ghela sync resync``: look at and repair CloudSync's sync.

Both work on CloudSync's state file (``--state``, default ``$GHELA_CLOUDSYNC_STATE``, else
the running system's — after ``ghela up``, or on a Pi
``/greengrass/v2/work/com.ghelamco.alert.CloudSync/cloudsync-state.sqlite3``, see
:mod:`ghela.locator` — else ``./cloudsync-state.sqlite3``).
``resync`` marks a full resync as wanted; the running component starts it within about
ten seconds (re-upload every event from revision 0, delete items of events that are gone).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from ghela.cloudsync.jobs import IOT_LANE, JOBS_LANE
from ghela.cloudsync.store import RESYNC_REQUESTED, StateStore
from ghela.core.errors import NotFound
from ghela.locator import locate

DEFAULT_STATE = "cloudsync-state.sqlite3"
STAMP = "%Y-%m-%d %H:%M:%S UTC"


def state_path(args: argparse.Namespace) -> Path:
    if args.state:
        return Path(args.state)
    if env := os.environ.get("GHELA_CLOUDSYNC_STATE"):
        return Path(env)
    system = locate()
    return system.sync_state if system is not None else Path(DEFAULT_STATE)


def _open(args: argparse.Namespace) -> StateStore:
    path = state_path(args)
    if not path.exists():
        raise NotFound(f"no CloudSync state at {path} (has CloudSync run here? see --state)")
    return StateStore(path)


def status(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        pending = store.pending()
        report = {
            "state": str(store.path),
            "synced_revision": store.synced_revision,
            "resync_requested": bool(store.get(RESYNC_REQUESTED)),
            "pending_job_updates": [e.payload["job_id"] for e in pending if e.lane == IOT_LANE],
            "pending_job_records": [e.payload["job_id"] for e in pending if e.lane == JOBS_LANE],
            "most_attempts": max((e.attempts for e in pending), default=0),
            "waiting": [
                f"{e.lane} {e.payload.get('job_id')}: {e.attempts} attempts, next at {e.retry_at:{STAMP}}: "
                f"{e.last_error}"
                for e in pending
                if e.retry_at is not None
            ],
            "dead_letters": [
                f"{d.lane} {d.payload.get('job_id')}: refused at {d.at:{STAMP}} after {d.attempts} "
                f"attempts: {d.reason}"
                for d in store.dead_letters()
            ],
        }
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key.replace('_', ' ')}: {value}")
    return 0


def resync(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        store.put(RESYNC_REQUESTED, "1")
    finally:
        store.close()
    print("full resync requested; CloudSync starts it within about 10 s (see `ghela sync status`)")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = subparsers.add_parser("sync", help="CloudSync: sync state and repair")
    commands = sync.add_subparsers(dest="sync_command", metavar="SUBCOMMAND", required=True)
    for name, func, text in (
        ("status", status, "synced revision and undelivered job results"),
        ("resync", resync, "re-upload the whole read copy (repair)"),
    ):
        parser = commands.add_parser(name, help=text)
        parser.add_argument(
            "--state",
            help=f"CloudSync's state file (default: $GHELA_CLOUDSYNC_STATE, else the running system's,"
            f" else ./{DEFAULT_STATE})",
        )
        if name == "status":
            parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(func=func)
