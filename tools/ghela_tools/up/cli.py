"""``ghela up``: run the whole system on this machine until Ctrl-C.

See :mod:`ghela_tools.up.stack` for what starts, in which order. SIGTERM and SIGHUP stop it as
Ctrl-C does; the exit code is 0 after a requested stop, 1 when a part died on its own.
"""

from __future__ import annotations

import argparse
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ghela.core.clock import venue_zone
from ghela.locator import System

from ghela_tools.runtime.recipes import RECIPES_FOLDER
from ghela_tools.up.progress import Progress, summary

if TYPE_CHECKING:
    from ghela_tools.up.stack import Running

DEFAULT_ROOT = Path(".ghela/up")
DEFAULT_PORT = 8080
REPO_RECIPES = Path(__file__).resolve().parents[3] / "recipes"
STEPS = 8


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    up = subparsers.add_parser(
        "up",
        help="run the whole system locally (moto, API, web page, runtime with five components)",
        description="Run the whole system on this machine, with moto standing in for AWS. Ctrl-C stops it.",
    )
    up.add_argument(
        "--demo", action="store_true", help="read a bundled feed whose first game's alert starts soon"
    )
    up.add_argument("--root", type=Path, default=DEFAULT_ROOT, help=f"state folder (default: {DEFAULT_ROOT})")
    up.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port of the web page and API (default: {DEFAULT_PORT})",
    )
    up.add_argument(
        "--recipes", type=Path, default=None, help="recipe folder (default: the project's recipes/)"
    )
    up.add_argument(
        "--demo-lead",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="with --demo: the first alert starts within the minute before this many seconds "
        "after start-up (default: 120; 0 = at once)",
    )
    up.set_defaults(func=_run)


def _port(text: str) -> int:
    """A TCP port number for ``--port`` (1 to 65535), or a one-line argparse error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _component_line(components: dict[str, str]) -> str:
    """ "5 RUNNING": the components that run something (the stack leaves out the Suite and
    PythonEnv, which finish once installed)."""
    states = list(components.values())
    counts = {state: states.count(state) for state in sorted(set(states))}
    line = ", ".join(f"{count} {state}" for state, count in counts.items())
    others = [name.rsplit(".", 1)[-1] for name, state in components.items() if state != "RUNNING"]
    return line + (f" (not running: {', '.join(others)}; see Logs)" if others else "")


def _summary(running: Running, root: Path, system: System) -> str:
    lines = [
        ("Web page", running.web_url),
        ("API", running.api_url),
        ("Sign in as", running.demo_email),
        ("Password", running.demo_password),
        ("moto (AWS)", running.moto_url),
        ("Logs", f"{root.resolve() / 'runtime' / 'logs'}  (moto: {root.resolve() / 'logs'})"),
        ("Runtime root", str(system.root)),
        ("Database", str(system.database)),
        ("Sync state", str(system.sync_state)),
        ("CLI", "ghela schedule, ghela next, ghela runtime status, ghela sync status find these"),
    ]
    if running.kickoffs:
        kickoff = datetime.fromisoformat(running.kickoffs[0]).astimezone(venue_zone())
        lines.append(("Demo game", f"kicks off {kickoff:%a %d %b %H:%M} (Brussels time)"))
    if running.first_alert:
        alert = datetime.fromisoformat(running.first_alert).astimezone(venue_zone())
        lines.append(("First alert", f"the light goes on at {alert:%H:%M} (Brussels time)"))
    lines.append(("Components", _component_line(running.components)))
    lines.append(("Stop", "Ctrl-C"))
    return summary(lines)


def _run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: ``ghela`` imports every subcommand module to build its
    # parser, and the stack brings the whole local cloud side (powertools, the notifier,
    # boto3's clients), seconds of imports that ``ghela schedule`` should not pay.
    from ghela_tools.up.stack import Stack, UpOptions

    options = UpOptions(
        root=args.root,
        port=args.port,
        demo=args.demo,
        demo_lead=timedelta(seconds=max(0.0, args.demo_lead)),
        recipes=args.recipes or (REPO_RECIPES if REPO_RECIPES.is_dir() else RECIPES_FOLDER),
    )
    progress = Progress(total=STEPS if args.demo else STEPS - 1)
    # Ctrl-C even when started in the background (where SIGINT may arrive ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupt)
    stack = Stack(options, progress)
    code = 0
    try:
        running = stack.start()
        progress.say(_summary(running, options.root, stack.system))
        while True:
            problem = stack.health()
            if problem:
                progress.say(f"ghela up: {problem}")
                code = 1
                break
            time.sleep(1.0)
    except KeyboardInterrupt:
        progress.say("\nStopping (runtime and components, API, moto) ...")
    finally:
        stack.stop()
    progress.say("Stopped.")
    return code
