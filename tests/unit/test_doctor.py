"""``ghela doctor`` on a made-up Pi: a nucleus root laid out as a real one (the nucleus's
effectiveConfig.yaml, a listening IPC socket, the Scheduler's real SQLite file) and a host
whose answers (python3, architecture, groups, clock, gpioinfo, disk) the test picks."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from ghela.cli import main
from ghela.doctor.checks import Host, diagnose
from ghela.scheduler.store import Store

SCHEDULER, LIGHT = "com.ghelamco.alert.Scheduler", "com.ghelamco.alert.AlertLight"
NUCLEUS = "aws.greengrass.Nucleus"
GPIOINFO = """gpiochip0 - 54 lines:
	line  17:     "GPIO17"       unused   input  active-high
	line  27:     "GPIO27"   "pigpio"  output  active-high [used]
"""


def answers(**changed: str | None) -> Any:
    """A host's command answers: a healthy Pi unless a command is given another answer."""
    table: dict[str, str | None] = {"python3": "3.11.2\n", "timedatectl": "yes\n", "gpioinfo": GPIOINFO}
    table.update(changed)
    return lambda command: table.get(command[0])


HEALTHY = Host(
    run=answers(),
    machine=lambda: "aarch64",
    group_members=lambda group: {"ggc_user", "pi"} if group == "gpio" else None,
    free_bytes=lambda _root: 20 * 10**9,
)


def write_config(root: Path, *, interpolate: bool = True, version: str = "2.13.0", **light: Any) -> None:
    services = {
        NUCLEUS: {
            "version": version,
            "configuration": {"interpolateComponentConfiguration": interpolate,
                              "runWithDefault": {"posixUser": "ggc_user:ggc_group"}},
        },
        LIGHT: {"version": "0.1.0", "configuration": {"pin": 17, "maxOnMinutes": 60, **light}},
        SCHEDULER: {"version": "0.1.0", "configuration": {"dbPath": "ghela.db", "refreshMinutes": 10}},
    }  # fmt: skip
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "effectiveConfig.yaml").write_text(yaml.safe_dump({"services": services}))


@pytest.fixture
def pi(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "gg"  # short: AF_UNIX paths are limited
    write_config(root)
    Store(root / "work" / SCHEDULER / "ghela.db").close()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(root / "ipc.socket"))
    listener.listen()
    try:
        yield root
    finally:
        listener.close()


def by_check(root: Path, host: Host) -> dict[str, Any]:
    return {f.check: f for f in diagnose(root, host)}


def test_a_healthy_pi_is_ok_on_every_line(pi: Path) -> None:
    findings = by_check(pi, HEALTHY)
    assert list(findings) == [
        "python", "nucleus", "gpio group", "relay pin", "IPC socket", "clock", "database", "disk",
        "light vs refresh",
    ]  # fmt: skip
    assert {name: f.ok for name, f in findings.items() if not f.ok} == {}
    nucleus = findings["nucleus"].detail
    assert nucleus == "aws.greengrass.Nucleus 2.13.0, interpolateComponentConfiguration true"
    assert "passed the integrity check" in findings["database"].detail


def rewrite_config(**changes: Any) -> Callable[[Path, Host], Host]:
    """A problem made by rewriting the nucleus's config (``write_config``'s arguments)."""

    def change(root: Path, host: Host) -> Host:
        write_config(root, **changes)
        return host

    return change


@pytest.mark.parametrize(
    ("change", "check", "fix"),
    [
        (lambda r, h: replace(h, machine=lambda: "armv7l"), "python", "install 64-bit Raspberry Pi OS"),
        (lambda r, h: replace(h, run=answers(python3="3.13.5\n")), "python", "bookworm"),
        (rewrite_config(interpolate=False), "nucleus", "ghela gdk deployment"),
        (rewrite_config(version="2.5.6"), "nucleus", "deployment document"),
        (lambda r, h: replace(h, group_members=lambda g: {"pi"}), "gpio group", "usermod -aG gpio ggc_user"),
        (rewrite_config(pin=27), "relay pin", "free it or choose another pin"),
        (rewrite_config(buttonPin=17), "relay pin", "another GPIO"),
        (lambda r, h: ((r / "ipc.socket").unlink(), h)[1], "IPC socket", "systemctl restart greengrass"),
        (lambda r, h: replace(h, run=answers(timedatectl="no\n")), "clock", "set-ntp true"),
        (lambda r, h: replace(h, run=answers(timedatectl=None)), "clock", "systemd-timesyncd"),
        (lambda r, h: replace(h, free_bytes=lambda _r: 10**8), "disk", "free at least"),
        (rewrite_config(maxOnMinutes=10), "light vs refresh", "redeploy"),
    ],
)
def test_each_problem_is_one_line_with_its_fix(pi: Path, change: Any, check: str, fix: str) -> None:
    findings = by_check(pi, change(pi, HEALTHY))
    assert not findings[check].ok and fix in findings[check].fix
    assert all(f.ok for name, f in findings.items() if name != check)


def test_the_light_refresh_rule_is_the_one_the_deployment_builder_applies(pi: Path) -> None:
    write_config(pi, maxOnMinutes=10)
    finding = by_check(pi, HEALTHY)["light vs refresh"]
    assert "maxOnMinutes (10) must be greater than" in finding.detail
    assert "refreshMinutes (10)" in finding.detail


def test_a_damaged_database_is_reported(pi: Path) -> None:
    db = pi / "work" / SCHEDULER / "ghela.db"
    data = db.read_bytes()
    assert len(data) > 3 * 4096
    db.write_bytes(data[:4096] + b"\xff" * (len(data) - 4096))  # every table's pages scribbled over
    finding = by_check(pi, HEALTHY)["database"]
    assert not finding.ok and "restore" in finding.fix


def test_no_nucleus_at_all_still_answers_every_line(tmp_path: Path) -> None:
    findings = by_check(tmp_path / "nothing", HEALTHY)
    assert (
        len(findings) == 9
        and not findings["nucleus"].ok
        and "install the Greengrass nucleus" in (findings["nucleus"].fix)
    )


def test_the_command_prints_lines_or_json_and_exits_non_zero_on_a_problem(
    pi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(pi, interpolate=False)
    assert main(["doctor", "--root", str(pi), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    nucleus = next(c for c in document["checks"] if c["check"] == "nucleus")
    assert document["ok"] is False and nucleus["ok"] is False and nucleus["fix"]
    main(["doctor", "--root", str(pi)])
    text = capsys.readouterr().out
    assert any(line.startswith("FIX  nucleus") for line in text.splitlines())
    assert any(line.startswith("ok   IPC socket") for line in text.splitlines())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, as doctor has on a Pi")
def test_root_reads_the_database_as_its_owner_and_leaves_nothing_it_could_not_write() -> None:
    with tempfile.TemporaryDirectory(prefix="ghela-doctor-") as folder:  # traversable, as /greengrass/v2 is
        root = Path(folder)
        root.chmod(0o755)
        write_config(root)
        work = root / "work" / SCHEDULER
        Store(work / "ghela.db").close()
        for leftover in work.glob("ghela.db-*"):
            leftover.unlink()
        for path in (root / "work", work, work / "ghela.db"):
            os.chown(path, 65534, 65534)  # nobody, standing in for ggc_user
        assert by_check(root, HEALTHY)["database"].ok
        assert {p.stat().st_uid for p in work.iterdir()} == {65534}
    assert os.geteuid() == 0 and os.getegid() == 0
