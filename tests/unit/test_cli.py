"""The ``ghela`` command itself: one table of subcommands, with the tools installed and without.

On a developer machine every module in the table is installed and adds exactly the
subcommands the table names. Without ``ghela_tools`` and ``ghela_cloud`` (a Pi), their
subcommands are still listed, and each says in one line that it is a developer tool not
installed here (a Pi itself is simulated in ``tests/runtime/test_artifact.py``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import re
import subprocess
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

import ghela.cli as cli
import pytest

from tests.support.freshcli import run_fresh

TOOL_PACKAGES = ("ghela_tools", "ghela_cloud")


@pytest.mark.parametrize("entry", cli.COMMANDS, ids=lambda e: e.module)
def test_each_module_adds_exactly_the_subcommands_the_table_names(entry: cli.Subcommands) -> None:
    assert entry.installed()  # a developer machine has everything
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(entry.module).register(subparsers)
    assert tuple(subparsers.choices) == entry.names


def test_every_subcommand_is_in_the_table_once() -> None:
    names = [name for entry in cli.COMMANDS for name in entry.names]
    assert len(names) == len(set(names))
    assert {entry.package for entry in cli.COMMANDS} == {"ghela", *TOOL_PACKAGES}


@pytest.fixture
def without_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """``find_spec`` answering as on a Pi, where only the device package is installed."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name.split(".")[0] in TOOL_PACKAGES else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.usefixtures("without_tools")
def test_without_the_tools_they_are_listed_as_not_installed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    listing = capsys.readouterr().out
    for entry in cli.COMMANDS:
        for name in entry.names:
            # The name, then its help on the same line or (a long name) the next ones.
            listed = re.search(rf"^    {name}\b(.*?)(?=^    \S|\Z)", listing, re.MULTILINE | re.DOTALL)
            assert listed is not None, name
            assert ("not installed here" in listed[1]) == (entry.package in TOOL_PACKAGES), listed[0]


@pytest.mark.usefixtures("without_tools")
@pytest.mark.parametrize(
    ("argv", "package"),
    [
        (["up", "--demo", "--port", "8081"], "ghela_tools"),
        (["runtime", "run"], "ghela_tools"),
        (["gdk", "--help"], "ghela_tools"),
        (["api", "serve"], "ghela_cloud"),
    ],
)
def test_calling_a_tool_that_is_not_installed_is_one_line_and_exit_1(
    argv: list[str], package: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"ghela: `ghela {argv[0]}` is a developer tool ({package}), not installed here; {cli.INSTALL_HINT}\n"
    )


@pytest.mark.usefixtures("without_tools")
def test_without_the_tools_the_device_commands_still_check_their_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["doctor", "--no-such-flag"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_a_part_that_is_not_installed_still_lets_the_rest_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Pi's artifact holds ghela only: the parts it lacks must not break the rest.
    monkeypatch.setattr(
        cli,
        "COMMANDS",
        (
            cli.Subcommands("ghela.scheduler.cli", ("schedule",)),
            cli.Subcommands("ghela_not_installed.cli", ("api",)),
        ),
    )
    parser = cli.build_parser()
    assert parser.parse_args(["schedule", "--db", "x.db"]).command == "schedule"
    assert cli.main(["api", "serve"]) == 1
    said = capsys.readouterr().err
    assert "`ghela api` is a developer tool (ghela_not_installed), not installed here" in said


def test_a_module_missing_inside_an_installed_part_is_still_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "ghela_half_installed"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("import ghela_dependency_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "COMMANDS", (cli.Subcommands("ghela_half_installed.cli", ("half",)),))
    with pytest.raises(ModuleNotFoundError, match="ghela_dependency_that_is_missing"):
        cli.build_parser()


def test_a_device_command_imports_only_the_module_that_adds_it() -> None:
    # `ghela alert snooze` on a Pi must start fast (bench/e2e.py times CLI -> light): the
    # other subcommands' modules, the scraper, the runtime and the cloud tools are not loaded.
    code = (
        "import sys; from ghela import cli\n"
        "try:\n    cli.main(['alert', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    assert "ghela.scheduler.cli" in loaded
    others = {entry.module for entry in cli.COMMANDS} - {"ghela.scheduler.cli"}
    assert not others & loaded
    unneeded = ("ghela_tools", "ghela_cloud", "ghela.scraper", "scrapy", "lxml")
    assert not {name for name in loaded if name.startswith(unneeded)}


def test_a_change_imports_only_what_applying_it_needs(tmp_path: Path) -> None:
    # The write path of `ghela alert snooze` (bench/cli.py times it): reading the schedule,
    # finding the running system (here --db is given) and the demo are not loaded.
    from ghela.scheduler.store import Store

    database = tmp_path / "ghela.db"
    Store(database).close()
    run = run_fresh(["alert", "snooze", "1", "--db", str(database)])
    assert run.exit_code == 1  # alert 1 does not exist: refused after a full write transaction
    assert run.stderr == "ghela: error: alert 1 does not exist\n"
    loaded = run.loaded
    assert "ghela.scheduler.commands" in loaded
    not_needed = (
        "ghela.locator",
        "ghela.cloudsync",
        "ghela.core.nextup",
        "ghela.scheduler.demo",
        "ghela.scheduler.outlook",
        "ghela.scheduler.schedule_view",
    )
    assert not {name for name in loaded if name.startswith(not_needed)}


def test_owner_is_the_entry_adding_the_called_subcommand() -> None:
    assert cli.owner(["alert", "snooze", "3"]) == cli.COMMANDS[0]
    assert cli.owner(["--version"]) is None
    assert cli.owner(["no-such-command"]) is None
    assert cli.owner([]) is None
