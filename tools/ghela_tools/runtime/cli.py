"""``ghela runtime run`` and ``ghela runtime status``.

``run`` starts the local nucleus on a deployment document's components (``--deployment``,
what ``ghela gdk deployment`` writes), else on every recipe in a folder, and blocks until SIGTERM or
Ctrl-C, then stops the components (SIGTERM, wait, kill) in reverse dependency order.
Without ``--artifacts`` it runs in developer mode: no artifacts are staged and each
component's venv is linked to the Python running this command (see
:mod:`ghela_tools.runtime.artifacts`), so it starts in seconds and offline.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from ghela.core.component import thread_died
from ghela.core.errors import ConfigurationError
from ghela.core.layout import Layout
from ghela.locator import System, locate, write_locator
from ghela_cloud.names import DEFAULT_REGION

from ghela_tools.runtime.deployment import read_deployment
from ghela_tools.runtime.recipes import RECIPE_SUFFIXES, RECIPES_FOLDER, RecipeError, load_recipes
from ghela_tools.runtime.status import format_status, read_status

DEFAULT_ROOT = Path(".ghela/runtime")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    runtime = subparsers.add_parser("runtime", help="the local Greengrass runtime")
    commands = runtime.add_subparsers(dest="runtime_command", metavar="ACTION", required=True)

    run = commands.add_parser("run", help="run every recipe in a folder until stopped")
    run.add_argument(
        "--recipes", type=Path, default=RECIPES_FOLDER, help=f"recipe folder (default: {RECIPES_FOLDER}/)"
    )
    run.add_argument(
        "--deployment",
        type=Path,
        help="run this deployment document (ghela gdk deployment): its components, their "
        "configurationUpdate and the Nucleus's settings; without it, every recipe with its defaults",
    )
    run.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help=f"runtime root (default: {DEFAULT_ROOT})"
    )
    run.add_argument(
        "--artifacts",
        type=Path,
        help="take artifacts from this GDK-style folder (greengrass-build/artifacts) and run Install "
        "for real; without it, developer mode links each venv to this Python",
    )
    run.add_argument(
        "--thing-name", default="ghela-local-pi", help="AWS_IOT_THING_NAME (default: ghela-local-pi)"
    )
    run.add_argument(
        "--region", default=DEFAULT_REGION, help=f"AWS_REGION for components (default: {DEFAULT_REGION})"
    )
    run.add_argument(
        "--aws-endpoint-url",
        help="serve IoT Jobs on the local IoT Core from the IoT control plane at this URL "
        '(moto locally; "" for real AWS); without it, no jobs endpoint',
    )
    run.set_defaults(func=_run)

    status = commands.add_parser("status", help="each component's state and restarts")
    status.add_argument(
        "--root", type=Path, help=f"runtime root (default: the running system's, else {DEFAULT_ROOT})"
    )
    status.set_defaults(func=_status)


def _run(args: argparse.Namespace) -> int:
    from ghela_tools.runtime.nucleus import LocalNucleus
    from ghela_tools.runtime.supervisor import Settings

    recipes = load_recipes(args.recipes)
    if not recipes:
        raise RecipeError(f"no recipes in {args.recipes} (recipe files end in {', '.join(RECIPE_SUFFIXES)})")
    deployment = read_deployment(args.deployment) if args.deployment else None
    settings = Settings(
        root=args.root.resolve(),
        thing_name=args.thing_name,
        region=args.region,
        artifacts_dir=args.artifacts.resolve() if args.artifacts else None,
        python_env=None if args.artifacts else Path(sys.prefix),
    )
    try:
        _log_to(Layout(settings.root).runtime_log)
    except OSError as exc:
        raise ConfigurationError(f"cannot use {settings.root} as the runtime root: {exc}") from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    died: list[BaseException] = []

    def on_thread_death(hook: threading.ExceptHookArgs) -> None:
        # A runtime missing one of its threads (IPC, jobs, a component's supervisor) is
        # half-alive: stop everything and exit non-zero, so whatever runs us restarts us.
        died.append(thread_died(hook))
        stop.set()

    threading.excepthook = on_thread_death
    nucleus = LocalNucleus(recipes, settings, deployment, aws_endpoint_url=args.aws_endpoint_url)
    nucleus.start()
    write_locator(System.under(settings.root))
    for line in nucleus.cleared:
        print(f"stopped a leftover of a crashed runtime: {line}", flush=True)
    print(
        f"running {len(recipes)} components; logs in {Layout(settings.root).logs}; Ctrl-C stops", flush=True
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        nucleus.stop()
    return 1 if died else 0


def _status(args: argparse.Namespace) -> int:
    system = locate() if args.root is None else None
    root = args.root or (system.root if system is not None else DEFAULT_ROOT)
    print(format_status(read_status(Layout(root).status_file)))
    return 0


def _log_to(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)s] (%(name)s) %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
