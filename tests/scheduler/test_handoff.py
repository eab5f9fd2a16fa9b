"""The CLI hands its change to the running Scheduler (ghela.scheduler.handoff), or writes alone.

The CLI runs as a person types it (``python -m ghela.cli``, a real process); the Scheduler
is the real service on an in-memory bus with a frozen clock, listening on its real socket.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import (
    CommandRequest,
    CommandResult,
    CommandStatus,
    CreateEvent,
    SnoozeAlert,
)
from ghela.core.wiretypes import LightPattern
from ghela.scheduler import handoff
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.handoff import MAX_LINE, address
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scheduler.test_service import Harness
from tests.support.freshcli import run_fresh
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not handoff.SUPPORTED, reason="abstract Unix sockets are Linux's")


def ghela(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m ghela.cli ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "ghela.cli", *args], capture_output=True, text=True)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Harness]:
    """A Scheduler whose final call of an event is lit now; its next look for other writers
    is ten minutes away on a clock that stands still, so only the hand-off can reach it."""
    now = datetime.now(UTC)  # the CLI's own writes use the real now: the frozen clock starts there
    harness = Harness(tmp_path)
    harness.config = SchedulerConfig(db_path=str(harness.db), db_check_seconds=600)
    harness.clock = FrozenClock(now)
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=now + timedelta(hours=3, minutes=30)))
    wait_for(lambda: harness.lights() and harness.lights()[-1].pattern is LightPattern.STEADY)
    yield harness
    harness.stop()


def lit_alert(harness: Harness) -> str:
    (alert_id,) = harness.lights()[-1].alert_ids
    return str(alert_id)


def recorded(database: Path, command_id: str) -> tuple[str, str] | None:
    """The origin and status the database recorded for ``command_id`` (one row per id)."""
    store = Store(database)
    try:
        with store.read() as session:
            row = Repository(session).applied(command_id)
            return None if row is None else (row.origin, row.status)
    finally:
        store.close()


def test_a_cli_change_is_handed_to_the_running_scheduler_and_the_light_follows(running: Harness) -> None:
    alert = lit_alert(running)
    done = ghela("alert", "snooze", alert, "--db", str(running.db), "--id", "cli-snooze-1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"applied: alert {alert} silenced (command cli-snooze-1, revision ")
    wait_for(lambda: running.lights()[-1].pattern is LightPattern.OFF, what="the light off")
    assert recorded(running.db, "cli-snooze-1") == ("cli", "applied")


def test_the_same_id_twice_is_one_change_through_the_scheduler(running: Harness) -> None:
    alert = lit_alert(running)
    first = ghela("alert", "snooze", alert, "--minutes", "5", "--db", str(running.db), "--id", "twice")
    again = ghela("alert", "snooze", alert, "--minutes", "5", "--db", str(running.db), "--id", "twice")
    assert first.stdout.startswith("applied: ") and again.stdout.startswith("duplicate: ")
    revision = first.stdout.rsplit("revision ", 1)[1]
    assert again.stdout.endswith(f"revision {revision}")


def test_a_rejection_through_the_scheduler_reads_as_one_written_alone(running: Harness) -> None:
    done = ghela("alert", "snooze", "999", "--db", str(running.db))
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "ghela: error: alert 999 does not exist\n")
    bad_time = ghela("event", "add", "--title", "X", "--start", "2027-03-28 02:30", "--db", str(running.db))
    assert bad_time.returncode == 1 and "does not exist in Europe/Brussels" in bad_time.stderr


def test_with_nothing_listening_the_cli_writes_alone_and_once(tmp_path: Path) -> None:
    database = tmp_path / "ghela.db"
    assert ghela("db", "demo", "--db", str(database)).returncode == 0
    first = ghela("alert", "snooze", "2", "--db", str(database), "--id", "alone")
    again = ghela("alert", "snooze", "2", "--db", str(database), "--id", "alone")
    assert first.returncode == 0 and first.stdout.startswith("applied: alert 2 silenced (command alone")
    assert again.returncode == 0 and again.stdout.startswith("duplicate: alert 2 silenced (command alone")
    assert recorded(database, "alone") == ("cli", "applied")


def test_the_hand_off_path_imports_no_sqlmodel(running: Harness) -> None:
    run = run_fresh(["alert", "snooze", lit_alert(running), "--db", str(running.db)])
    assert run.exit_code == 0 and run.stdout.startswith("applied: ")
    assert "ghela.scheduler.handoff" in run.loaded
    store = ("sqlmodel", "sqlalchemy", "ghela.scheduler.store")
    assert not {name for name in run.loaded if name.startswith(store)}
    # An argument the CLI refuses itself (a venue time the clocks skip) is not sent, and is
    # not then tried alone either.
    skipped = run_fresh(
        ["event", "add", "--title", "X", "--start", "2027-03-28 02:30", "--db", str(running.db)]
    )
    assert skipped.exit_code == 1 and "does not exist in Europe/Brussels" in skipped.stderr
    assert not {name for name in skipped.loaded if name.startswith(store)}


class StandIn:
    """A 'Scheduler' on ``database``'s socket that greets, reads the request, lets
    ``on_request`` act on it, and then never answers (it holds the connection open)."""

    def __init__(self, database: Path, on_request: Callable[[bytes], None], greet: bool = True) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(address(database))
        self.sock.listen(1)
        self.greet = greet
        self.on_request = on_request
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.sock.accept()
        except OSError:
            return
        self.held.append(connection)
        if self.greet:
            connection.sendall(b'{"zone": "Europe/Brussels"}\n')
            self.on_request(connection.makefile("rb").readline())

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.sock.close()


def test_a_scheduler_that_applies_but_never_answers_gets_the_command_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worst moment: the Scheduler has committed, the answer never comes. The CLI writes
    alone with the same id, the handler knows it: one change, reported as a duplicate."""
    from ghela.cli import main

    database = tmp_path / "ghela.db"
    assert ghela("db", "demo", "--db", str(database)).returncode == 0
    store = Store(database)
    revision_before = (
        CommandHandler(store, SchedulerConfig())
        .apply(
            CommandRequest(command_id="probe", command=SnoozeAlert(alert_id=2, minutes=1)), datetime.now(UTC)
        )
        .result.revision
    )

    def apply_it(line: bytes) -> None:
        request = CommandRequest.model_validate_json(line)
        CommandHandler(store, SchedulerConfig()).apply(request, datetime.now(UTC))

    stand_in = StandIn(database, apply_it)
    monkeypatch.setattr(handoff, "TIMEOUT_SECONDS", 0.5)
    try:
        assert main(["alert", "snooze", "2", "--db", str(database), "--id", "lost-answer"]) == 0
    finally:
        stand_in.close()
        store.close()
    assert capsys.readouterr().out == (
        f"duplicate: alert 2 silenced (command lost-answer, revision {revision_before + 1})\n"
    )
    assert recorded(database, "lost-answer") == ("cli", "applied")


@pytest.mark.parametrize("greet", [True, False], ids=["greets-then-silent", "silent"])
def test_a_scheduler_that_never_answers_leaves_the_cli_to_write_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], greet: bool
) -> None:
    from ghela.cli import main

    database = tmp_path / "ghela.db"
    assert ghela("db", "demo", "--db", str(database)).returncode == 0
    stand_in = StandIn(database, lambda line: None, greet=greet)
    monkeypatch.setattr(handoff, "TIMEOUT_SECONDS", 0.3)
    try:
        assert main(["alert", "snooze", "2", "--db", str(database), "--id", "silent"]) == 0
    finally:
        stand_in.close()
    assert capsys.readouterr().out.startswith("applied: alert 2 silenced (command silent, revision ")
    assert recorded(database, "silent") == ("cli", "applied")


def test_a_scheduler_that_breaks_off_before_the_result_leaves_the_cli_to_write_alone(tmp_path: Path) -> None:
    database = tmp_path / "ghela.db"
    assert ghela("db", "demo", "--db", str(database)).returncode == 0
    stand_in = StandIn(database, lambda line: stand_in.close())
    try:
        done = ghela("alert", "snooze", "2", "--db", str(database), "--id", "broken")
    finally:
        stand_in.close()
    assert done.returncode == 0 and done.stdout.startswith("applied: alert 2 silenced (command broken")


def converse(database: Path, payload: bytes) -> tuple[dict[str, object], bytes]:
    """Connect, read the greeting, send ``payload``, stop sending; the greeting and the rest."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(address(database))
        reader = sock.makefile("rb")
        greeting = json.loads(reader.readline())
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # it refused a huge line and closed before we finished sending
            pass
        try:
            rest = reader.read()
        except OSError:  # ECONNRESET after it closed with our bytes unread
            rest = b""
        return greeting, rest


def check_answer(payload: bytes, rest: bytes) -> None:
    """A complete line gets one answer line naming what was wrong; an incomplete one none."""
    complete = b"\n" in payload[: MAX_LINE + 1]
    if not complete and len(payload) <= MAX_LINE:
        assert rest == b""
        return
    answer = json.loads(rest.splitlines()[0])
    if "refused" in answer:
        assert answer["field"] and answer["refused"]
    else:
        result = CommandResult.model_validate(answer)
        assert result.status is CommandStatus.REJECTED and result.field


HOSTILE = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda data: data + b"\n"),
    st.integers(1, 5000).map(lambda depth: b"[" * depth + b"\n"),
    st.integers(1, 3000).map(lambda depth: b'{"command_id": "x", "command": ' + b"[" * depth + b"\n"),
    st.sampled_from(
        [
            b"\xff\xfe\n",
            b'{"command_id": "\xc3\x28"}\n',
            b"a" * (MAX_LINE + 10) + b"\n",
            b"a" * (MAX_LINE * 3),
            b"{}\n" + b"x" * (MAX_LINE * 3),  # more after the line: the answer still arrives
            b'{"command_id": "ok", "command": {"op": "snooze_alert", "alert_id": 1' + b"9" * 5000 + b"}}\n",
            b'{"command_id": "ok", "command": {"op": "snooze_alert", "alert_id": 1e999}}\n',
            b'{"command_id": "ok", "command": {"op": "snooze_alert", "alert_id": NaN}}\n',
            b'{"command_id": "ok", "command": {"op": "nothing"}}\n',
            b'{"command_id": "a b/#", "command": {}}\n',
            b"[1, 2]\n",
            b"\n",
        ]
    ),
)


def test_hostile_bytes_never_stop_the_listener(running: Harness) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(payload=HOSTILE)
    def one(payload: bytes) -> None:
        greeting, rest = converse(running.db, payload)
        assert greeting == {"zone": "Europe/Brussels"}
        check_answer(payload, rest)

    one()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as early:  # gone before the greeting
        early.connect(address(running.db))
    done = ghela("alert", "snooze", lit_alert(running), "--db", str(running.db))
    assert done.returncode == 0 and done.stdout.startswith("applied: ")
    wait_for(lambda: running.lights()[-1].pattern is LightPattern.OFF, what="the light off")


REFUSED_CHILD = """
import os, socket, sys
os.setgid(65534); os.setuid(65534)
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
    sock.settimeout(10)
    sock.connect(bytes.fromhex(sys.argv[1]))
    print(sock.makefile("rb").readline().decode().strip())
    try:
        sock.sendall(sys.argv[2].encode() + b"\\n")
    except OSError:
        pass
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a child as another uid (nobody)")
def test_a_peer_with_another_uid_is_refused(running: Harness) -> None:
    lit = running.lights()[-1]
    request = CommandRequest(command_id="intruder", command=SnoozeAlert(alert_id=int(lit_alert(running))))
    done = subprocess.run(
        [sys.executable, "-c", REFUSED_CHILD, address(running.db).hex(), request.model_dump_json()],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout)
    assert answer == {"refused": "uid 65534 may not hand the Scheduler commands", "field": "uid"}
    assert recorded(running.db, "intruder") is None
    assert running.lights()[-1] == lit


def test_a_stopped_scheduler_no_longer_listens(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    service = harness.start()
    harness.stop()
    assert not service._handoff._thread.is_alive()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(address(harness.db))
