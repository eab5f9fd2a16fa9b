"""The ``ghela`` command itself: subcommands of parts that are not installed are left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from ghela import cli


def test_a_part_that_is_not_installed_offers_no_subcommands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Pi's artifact holds ghela only: the cloud side's subcommands must not break the rest.
    monkeypatch.setattr(cli, "SUBCOMMAND_MODULES", ["ghela.scheduler.cli", "ghela_not_installed.cli"])
    parser = cli.build_parser()
    assert parser.parse_args(["schedule", "--db", "x.db"]).command == "schedule"
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["api"])
    assert exited.value.code == 2 and "invalid choice: 'api'" in capsys.readouterr().err


def test_a_module_missing_inside_an_installed_part_is_still_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "ghela_half_installed"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("import ghela_dependency_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "SUBCOMMAND_MODULES", ["ghela_half_installed.cli"])
    with pytest.raises(ModuleNotFoundError, match="ghela_dependency_that_is_missing"):
        cli.build_parser()
