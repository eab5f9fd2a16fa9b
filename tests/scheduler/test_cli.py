"""The Scheduler's ``ghela`` subcommands, in-process through ``ghela.cli.main`` and once as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ghela.cli import main
from ghela.scheduler.store import Store

from tests.scheduler.helpers import alerts, events

FUTURE = "2030-06-01 20:45"


def ghela(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "ghela.db")


@pytest.fixture
def empty_db(db: str) -> str:
    """A database as the Scheduler creates it on its first start: schema, no events."""
    Store(Path(db)).close()
    return db


def test_demo_database_and_schedule(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = ghela(capsys, "db", "demo", "--db", db)
    assert code == 0 and "3 added" in out
    code, out, _ = ghela(capsys, "schedule", "--db", db)
    assert code == 0
    assert "Europe/Brussels" in out and "light now:" in out
    assert "KAA Gent – Club Brugge" in out and "TBD" in out and "Concert in the arena" in out
    assert "final call" in out and "kick-off time not confirmed" in out
    code, _, err = ghela(capsys, "db", "demo", "--db", db)
    assert code == 1 and "--force" in err
    assert ghela(capsys, "db", "demo", "--db", db, "--force")[0] == 0


def test_changes_to_a_missing_database_are_refused(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = ghela(capsys, "event", "add", "--db", db, "--title", "Concert", "--start", FUTURE)
    assert code == 1 and err.startswith(f"ghela: error: no database at {db}")
    assert not Path(db).exists()


def test_event_and_alert_commands(capsys: pytest.CaptureFixture[str], empty_db: str) -> None:
    db = empty_db
    code, out, _ = ghela(
        capsys, "event", "add", "--db", db, "--title", "Concert", "--start", FUTURE, "--id", "x-1"
    )
    assert code == 0 and out.startswith("applied: event 1 created (command x-1, revision 1)")
    code, out, _ = ghela(
        capsys, "event", "add", "--db", db, "--title", "Concert", "--start", FUTURE, "--id", "x-1"
    )
    assert code == 0 and out.startswith("duplicate:")
    from ghela.scheduler.store import Store

    store = Store(db)
    try:
        [event] = events(store)
        assert event.start is not None
        assert event.start.isoformat() == "2030-06-01T18:45:00+00:00"  # 20:45 CEST
    finally:
        store.close()
    assert ghela(capsys, "alert", "add", "1", "--db", db, "--offset", "-30", "--label", "doors")[0] == 0
    assert ghela(capsys, "alert", "snooze", "3", "--db", db, "--minutes", "10")[0] == 0
    assert ghela(capsys, "alert", "unsnooze", "3", "--db", db)[0] == 0
    assert ghela(capsys, "alert", "snooze", "1", "--db", db)[0] == 0
    assert (
        ghela(capsys, "alert", "update", "2", "--db", db, "--at", "2030-06-01 15:00", "--pattern", "blink")[
            0
        ]
        == 0
    )
    assert ghela(capsys, "event", "update", "1", "--db", db, "--title", "Big concert")[0] == 0
    store = Store(db)
    try:
        by_id = {a.id: a for a in alerts(store, 1)}
        assert by_id[1].silenced and by_id[3].label == "doors" and by_id[3].snoozed_until is None
        assert by_id[2].pattern == "blink" and by_id[2].custom
        assert events(store)[0].title == "Big concert"
    finally:
        store.close()
    assert ghela(capsys, "event", "cancel", "1", "--db", db)[0] == 0
    assert ghela(capsys, "event", "delete", "1", "--db", db)[0] == 0
    code, out, _ = ghela(capsys, "schedule", "--db", db)
    assert "No upcoming events." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["alert", "snooze", "31"], "ghela: error: alert 31 does not exist"),
        (
            ["event", "add", "--title", "x", "--start", "2020-01-01 10:00"],
            "ghela: error: start must be in the future",
        ),
        (
            ["event", "add", "--title", "x", "--start", "next friday"],
            "ghela: error: start: 'next friday' is not a time",
        ),
        (["event", "add", "--title", "", "--start", FUTURE], "ghela: error: invalid event: title"),
        (["alert", "snooze", "1", "--minutes", "0"], "ghela: error: invalid alert: minutes"),
    ],
)
def test_errors_are_one_line_and_non_zero(
    capsys: pytest.CaptureFixture[str], empty_db: str, args: list[str], message: str
) -> None:
    code, _, err = ghela(capsys, *args, "--db", empty_db)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


GAP = "does not exist in Europe/Brussels (the clocks go forward that night)"
TWICE = "happens twice in Europe/Brussels (the clocks go back that night): add the offset,"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["event", "add", "--title", "x", "--start", "2026-03-29 02:30"],
            f"ghela: error: start: 2026-03-29 02:30 {GAP}",
        ),
        (
            ["event", "add", "--title", "x", "--start", FUTURE, "--end", "2030-03-31T02:00"],
            f"ghela: error: end: 2030-03-31 02:00 {GAP}",
        ),
        (
            ["event", "update", "1", "--start", "2030-03-31 02:59:30"],
            f"ghela: error: start: 2030-03-31 02:59:30 {GAP}",
        ),
        (["alert", "add", "1", "--at", "2030-03-31 02:30"], f"ghela: error: at: 2030-03-31 02:30 {GAP}"),
        (
            ["alert", "update", "1", "--at", "2030-10-27 02:30"],
            f"ghela: error: at: 2030-10-27 02:30 {TWICE} 2030-10-27T02:30+02:00 for the first"
            " or +01:00 for the second",
        ),
        (
            ["event", "add", "--title", "x", "--start", "2026-10-25 02:00"],
            f"ghela: error: start: 2026-10-25 02:00 {TWICE} 2026-10-25T02:00+02:00 for the first",
        ),
    ],
)
def test_local_times_the_clocks_skip_or_repeat_are_refused(
    capsys: pytest.CaptureFixture[str], empty_db: str, args: list[str], message: str
) -> None:
    code, _, err = ghela(capsys, *args, "--db", empty_db)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    store = Store(empty_db)
    try:
        assert events(store) == []
    finally:
        store.close()


@pytest.mark.parametrize(
    ("start", "stored"),
    [
        ("2030-03-31T02:30+01:00", "2030-03-31T01:30:00+00:00"),  # the gap's wall time, as given
        ("2030-10-27T02:30+02:00", "2030-10-27T00:30:00+00:00"),  # the first 02:30
        ("2030-10-27T02:30+01:00", "2030-10-27T01:30:00+00:00"),  # the second 02:30
        ("2030-10-27 03:30", "2030-10-27T02:30:00+00:00"),  # after the change: once, CET
        ("2030-03-31 03:00", "2030-03-31T01:00:00+00:00"),  # right after the gap: CEST
    ],
)
def test_a_time_with_an_offset_or_that_exists_once_is_accepted(
    capsys: pytest.CaptureFixture[str], empty_db: str, start: str, stored: str
) -> None:
    code, _, err = ghela(capsys, "event", "add", "--db", empty_db, "--title", "Night run", "--start", start)
    assert code == 0, err
    store = Store(empty_db)
    try:
        [event] = events(store)
        assert event.start is not None and event.start.isoformat() == stored
    finally:
        store.close()


def test_the_help_says_how_dst_times_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["event", "add"], ["event", "update"], ["alert", "add"], ["alert", "update"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "is refused, and so is one that happens twice" in text
        assert "'2026-10-25T02:30+02:00' (the first) or '+01:00' (the second)" in text


@pytest.mark.parametrize("days", ["-3", "0", "99999999", "soon"])
def test_schedule_refuses_a_bad_number_of_days(
    capsys: pytest.CaptureFixture[str], db: str, days: str
) -> None:
    ghela(capsys, "db", "demo", "--db", db)
    with pytest.raises(SystemExit) as exited:
        main(["schedule", "--db", db, "--days", days])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.splitlines()[-1].startswith("ghela schedule: error: argument --days:")
    assert "Traceback" not in err


def test_games_cannot_be_deleted(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ghela(capsys, "db", "demo", "--db", db)
    code, _, err = ghela(capsys, "event", "delete", "1", "--db", db)
    assert code == 1 and "games are cancelled, not deleted" in err


def test_db_check(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = ghela(capsys, "db", "check", "--db", db)
    assert code == 1 and "no database at" in err
    ghela(capsys, "db", "demo", "--db", db)
    code, out, _ = ghela(capsys, "db", "check", "--db", db)
    assert code == 0 and out.startswith("ok:")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    code, _, err = ghela(capsys, "db", "check", "--db", str(broken))
    assert code == 1 and err.startswith("ghela: error:") and "Traceback" not in err


def test_as_a_process_with_the_database_from_the_environment(db: str) -> None:
    env = {**os.environ, "GHELA_DB": db}
    demo = subprocess.run(
        [sys.executable, "-m", "ghela.cli", "db", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "ghela.cli", "schedule"], env=env, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and "KAA Gent – RSC Anderlecht" in shown.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "ghela.cli", "alert", "snooze", "999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == "ghela: error: alert 999 does not exist"


def test_a_correction_of_a_game_shows_what_the_source_says_and_can_follow_it_again(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    assert ghela(capsys, "db", "demo", "--db", db)[0] == 0
    brugge = next(event for event in events(Store(Path(db))) if event.away == "Club Brugge")
    code, out, _ = ghela(capsys, "event", "update", str(brugge.id), "--db", db, "--start", FUTURE)
    assert code == 0 and "later scrapes keep it" in out
    code, out, _ = ghela(capsys, "schedule", "--db", db, "--days", "3650")
    line = next(line for line in out.splitlines() if "source says" in line)
    assert line.strip().startswith("start: source says ")
    assert "set to Sat 01 Jun 20:45 by " in line and "(CLI)" in line
    assert f"follow the source: ghela event follow {brugge.id} --field start" in line
    code, out, _ = ghela(capsys, "event", "follow", str(brugge.id), "--db", db)
    assert code == 0 and "follows its sources again (start)" in out
    code, out, _ = ghela(capsys, "schedule", "--db", db)
    assert "source says" not in out
    stored = next(event for event in events(Store(Path(db))) if event.id == brugge.id)
    assert stored.start == brugge.start
