"""The ``ghela`` command: one subcommand module per capability.

Each module in :data:`SUBCOMMAND_MODULES` has ``register(subparsers)``, which adds its
subcommands and sets ``func(args) -> int`` on each. Errors of the project become one clear
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ghela import __version__
from ghela.core.errors import GhelaError

SUBCOMMAND_MODULES = [
    "ghela.scheduler.cli",
    "ghela.scraper.cli",
    "ghela.runtime.cli",
    "ghela.packaging.cli",
    "ghela.up.cli",
    "ghela.cloudsync.cli",
    "ghela.doctor.cli",
    "ghela_cloud.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ghela", description="Ghelamco Alert: the stadium-event warning light."
    )
    parser.add_argument("--version", action="version", version=f"ghela {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A part of the project that is not installed here (a Pi's artifact has no
            # ghela_cloud) offers no subcommands; a module missing inside one is a bug.
            if exc.name is None or not (name == exc.name or name.startswith(f"{exc.name}.")):
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except GhelaError as exc:
        print(f"ghela: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
