"""The ``ghela`` command: one table of subcommands, each from the module that adds it.

Each module in :data:`COMMANDS` has ``register(subparsers)``, which adds the subcommands
the table names and sets ``func(args) -> int`` on each. Errors of the project become one
clear line on stderr and a non-zero exit, never a traceback.

What a Pi has is the device package only (the artifact holds ``ghela``, nothing else):
the developer's tools (``ghela_tools``) and the cloud side (``ghela_cloud``) are not
there. Whether a module's package is installed is decided by
:func:`importlib.util.find_spec` on the package, never by catching an import error (a
module that is installed but fails to import is a bug and says so). A subcommand whose
package is missing is still listed, and calling it says in one line that it is a
developer tool not installed here and how to get it (exit 1).

A command imports only the module that adds it (:func:`owner`): ``ghela alert snooze``
loads the Scheduler's commands, not the scraper, the runtime or the cloud tools, so a
change made on the Pi reaches the light sooner (``bench/e2e.py`` times it). Anything else
(``ghela --help``, a name not in the table) builds the whole table.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ghela import __version__
from ghela.core.errors import GhelaError

DEVICE_PACKAGE = "ghela"
INSTALL_HINT = (
    "on a developer machine, in a checkout of the project: ./dev up, "
    "or pip install -e '.[device,cloud,tools]'"
)


@dataclass(frozen=True)
class Subcommands:
    """A module with ``register(subparsers)`` and the subcommands it adds."""

    module: str
    names: tuple[str, ...]

    @property
    def package(self) -> str:
        return self.module.split(".", 1)[0]

    def installed(self) -> bool:
        return self.package == DEVICE_PACKAGE or importlib.util.find_spec(self.package) is not None


COMMANDS = (
    Subcommands("ghela.scheduler.cli", ("schedule", "next", "event", "alert", "db")),
    Subcommands("ghela.scraper.cli", ("scrape",)),
    Subcommands("ghela_tools.runtime.cli", ("runtime",)),
    Subcommands("ghela_tools.packaging.cli", ("gdk",)),
    Subcommands("ghela_tools.up.cli", ("up",)),
    Subcommands("ghela.cloudsync.cli", ("sync",)),
    Subcommands("ghela.doctor.cli", ("doctor",)),
    Subcommands("ghela_cloud.cli", ("provision", "api", "deploy")),
)
"""Every subcommand of ``ghela``, in the order ``ghela --help`` lists them."""


def owner(argv: Sequence[str]) -> Subcommands | None:
    """The table's entry adding the subcommand ``argv`` calls, if ``argv`` names one.

    The first argument not starting with ``-`` is the subcommand: the only options before
    it are ``--help`` and ``--version``, which take no value.
    """
    command = next((argument for argument in argv if not argument.startswith("-")), None)
    return next((entry for entry in COMMANDS if command in entry.names), None)


def build_parser(entries: Sequence[Subcommands] | None = None) -> argparse.ArgumentParser:
    """The parser with the subcommands of ``entries`` (default: the whole table)."""
    parser = argparse.ArgumentParser(
        prog="ghela", description="Ghelamco Alert: the stadium-event warning light."
    )
    parser.add_argument("--version", action="version", version=f"ghela {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for entry in COMMANDS if entries is None else entries:
        if entry.installed():
            importlib.import_module(entry.module).register(subparsers)
        else:
            for name in entry.names:
                _register_missing(subparsers, name, entry.package)
    return parser


def _register_missing(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    package: str,
) -> None:
    """``name`` listed, taking any arguments, answering that ``package`` is not here."""
    missing = subparsers.add_parser(
        name, help=f"a developer tool ({package}): not installed here", add_help=False
    )
    missing.add_argument("arguments", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    missing.set_defaults(func=None, missing_package=package)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    called = owner(arguments)
    parser = build_parser(None if called is None else (called,))
    args, unknown = parser.parse_known_args(arguments)
    package = getattr(args, "missing_package", None)
    if package is not None:
        print(
            f"ghela: `ghela {args.command}` is a developer tool ({package}), not installed here; "
            f"{INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.func(args) or 0)
    except GhelaError as exc:
        print(f"ghela: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
