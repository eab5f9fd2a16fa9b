"""The Scheduler's ``ghela`` subcommands: see and change the schedule without the cloud.

``ghela schedule``, ``ghela next``, ``ghela event add|update|cancel|delete|follow``,
``ghela alert add|update|snooze|unsnooze``, ``ghela db check|demo``. Every command takes
``--db PATH`` (default ``$GHELA_DB``, else the running system's database — see
:mod:`ghela.locator` — else ``./ghela.db``; ``db demo`` never picks the running one).
Changes are applied as commands with an id (generated, or ``--id``), exactly as a job from
the cloud would be, so running the same ``--id`` twice changes nothing. A change goes to
the Scheduler running on the database, which applies it at once as it applies the cloud's
(:mod:`ghela.scheduler.handoff`); with no Scheduler listening (or one that does not answer)
the CLI writes it to the database alone, with the same id, and a Scheduler notices that
within ``dbCheckSeconds``. Times are read and shown in the venue's zone; a venue time the
clocks skip or repeat on a DST night is refused (:data:`TIME_HELP`).

A change is what must be quick (``bench/cli.py`` times both paths, phase by phase), so this
module imports what building a command needs and nothing more: the store (sqlmodel,
SQLAlchemy) only when the CLI writes alone or reads, and what only reading the schedule,
finding the running system (no ``--db``) or writing the demo needs is imported by the
function that needs it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ghela.core.clock import SystemClock, venue_zone
from ghela.core.decoding import describe_validation_error, first_field
from ghela.core.errors import InvalidCommand, InvalidInput, NotFound, StorageError
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import (
    AddAlert,
    CancelEvent,
    CommandRequest,
    CommandResult,
    CommandStatus,
    CreateEvent,
    DeleteEvent,
    FollowSource,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateAlert,
    UpdateEvent,
)
from ghela.core.messages.snapshots import OverrideField
from ghela.core.wiretypes import new_id
from ghela.scheduler.handoff import hand_off
from ghela.scheduler.localtime import LocalKind, classify, utc_offsets

if TYPE_CHECKING:
    from ghela.scheduler.config import SchedulerConfig
    from ghela.scheduler.store import Store

DEFAULT_DB = "ghela.db"


def database(args: argparse.Namespace, *, running: bool = True) -> Path:
    """``--db``, else ``$GHELA_DB``, else (when ``running``) the running system's, else ./ghela.db."""
    if args.db:
        return Path(args.db)
    if env := os.environ.get("GHELA_DB"):
        return Path(env)
    if not running:
        return Path(DEFAULT_DB)
    from ghela.locator import locate  # reads the runtime's and CloudSync's configuration models

    system = locate()
    return system.database if system is not None else Path(DEFAULT_DB)


MAX_DAYS = 3660


def days_ahead(text: str) -> int:
    """``--days``: a whole number of days from 1 to :data:`MAX_DAYS` (ten years)."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{days} is not between 1 and {MAX_DAYS} days")
    return days


TIME_HELP = (
    "Times are ISO: '2026-12-06 18:30' is venue time, '2026-12-06T18:30+01:00' is taken as given. "
    "A venue time the clocks skip (02:30 on a spring DST Sunday) is refused, and so is one that "
    "happens twice (02:30 on an autumn DST Sunday): give that one with its offset, e.g. "
    "'2026-10-25T02:30+02:00' (the first) or '+01:00' (the second)."
)


def parse_when(text: str, zone_name: str, field: str) -> datetime:
    """An ISO instant; without an offset it is read as the venue's local time.

    A local time the clocks skip, or one that happens twice, is refused: it has no single
    meaning, and guessing would put an alert an hour off. An explicit offset is always
    taken as given. See :data:`TIME_HELP`.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: {text!r} is not a time (use e.g. 2026-12-06 18:30 or 2026-12-06T18:30+01:00)",
            field=field,
        ) from None
    if moment.tzinfo is not None:
        return moment
    zone = venue_zone(zone_name)
    check_local(moment, zone, field)
    return moment.replace(tzinfo=zone)


def _wall(naive: datetime) -> str:
    """``2026-03-29 02:30`` (seconds only when given)."""
    return naive.isoformat(sep=" ", timespec="seconds" if naive.second or naive.microsecond else "minutes")


def _offset(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def check_local(naive: datetime, zone: ZoneInfo, field: str) -> None:
    """Refuse a naive venue time the clocks skip or repeat, naming it and why."""
    kind = classify(naive, zone)
    if kind is LocalKind.GAP:
        raise InvalidInput(
            f"{field}: {_wall(naive)} does not exist in {zone.key} (the clocks go forward that night)",
            field=field,
        )
    if kind is LocalKind.TWICE:
        first, second = (_offset(delta) for delta in utc_offsets(naive, zone))
        raise InvalidInput(
            f"{field}: {_wall(naive)} happens twice in {zone.key} (the clocks go back that night):"
            f" add the offset, {naive.isoformat(timespec='minutes')}{first} for the first"
            f" or {second} for the second",
            field=field,
        )


def _open(args: argparse.Namespace) -> Store:
    return _open_at(database(args))


def _open_at(path: Path) -> Store:
    """The database at ``path``; a missing file is an error, so a mistyped path never
    creates a stray empty database that then answers "event 5 does not exist"."""
    from ghela.scheduler.store import Store

    if not path.exists():
        raise NotFound(f"no database at {path} (start the Scheduler, or create one with `ghela db demo`)")
    return Store(path)


def _config(store: Store) -> SchedulerConfig:
    from ghela.scheduler.commands import stored_config
    from ghela.scheduler.config import SchedulerConfig

    return stored_config(store) or SchedulerConfig()


_Built = TypeVar("_Built")


def _build(what: str, make: Callable[[], _Built]) -> _Built:
    try:
        return make()
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(what, exc), field=first_field(exc)) from None


def _apply(args: argparse.Namespace, make_command: Callable[[str], Any]) -> int:
    """Apply ``make_command(venue zone)``: by the running Scheduler, else alone (same id)."""
    path = database(args)
    command_id = args.id or f"cli-{new_id()}"

    def request(zone: str) -> CommandRequest:
        command = make_command(zone)
        return _build("command", lambda: CommandRequest(command_id=command_id, origin="cli", command=command))

    result = hand_off(path, request)
    if result is None:
        result = _apply_alone(path, request)
    if result.status is CommandStatus.REJECTED:
        raise InvalidCommand(result.message, field=result.field)
    if result.status is CommandStatus.FAILED:
        raise StorageError(result.message)
    print(
        f"{result.status.value}: {result.message} (command {result.command_id}, revision {result.revision})"
    )
    return 0


def _apply_alone(path: Path, request: Callable[[str], CommandRequest]) -> CommandResult:
    """No Scheduler took the command: write it to the database here."""
    from ghela.scheduler.commands import CommandHandler

    store = _open_at(path)
    try:
        config = _config(store)
        return CommandHandler(store, config).apply(request(config.zone), SystemClock().now()).result
    finally:
        store.close()


# ---------------------------------------------------------------------- commands


def _schedule(args: argparse.Namespace) -> int:
    from ghela.scheduler.schedule_view import render_schedule

    store = _open(args)
    try:
        config = _config(store)
        print(render_schedule(store, SystemClock().now(), venue_zone(config.zone), args.days, args.all))
    finally:
        store.close()
    return 0


def _next(args: argparse.Namespace) -> int:
    from ghela.core.nextup import next_line
    from ghela.scheduler.outlook import next_alert

    store = _open(args)
    try:
        config = _config(store)
        now = SystemClock().now()
        up = next_alert(store, now)
    finally:
        store.close()
    line = next_line(up, now, venue_zone(config.zone))
    if args.json:
        print(json.dumps({"next": up.model_dump(mode="json") if up else None, "line": line}, indent=2))
    else:
        print(line)
    return 0


def _event_add(args: argparse.Namespace) -> int:
    def make(zone: str) -> CreateEvent:
        start = parse_when(args.start, zone, "start")
        end = parse_when(args.end, zone, "end") if args.end else None
        return _build("event", lambda: CreateEvent(title=args.title, start=start, end=end))

    return _apply(args, make)


def _event_update(args: argparse.Namespace) -> int:
    def make(zone: str) -> UpdateEvent:
        start = parse_when(args.start, zone, "start") if args.start else None
        end = parse_when(args.end, zone, "end") if args.end else None
        return _build(
            "event",
            lambda: UpdateEvent(
                event_id=args.event_id, title=args.title, start=start, end=end, venue=args.venue, by=person()
            ),
        )

    return _apply(args, make)


def person() -> str:
    """Who is changing things at the CLI (kept with a game's override)."""
    try:
        return f"{getpass.getuser()} (CLI)"[:200]
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        return "CLI"


def _event_cancel(args: argparse.Namespace) -> int:
    return _apply(args, lambda _: _build("event", lambda: CancelEvent(event_id=args.event_id, by=person())))


def _event_follow(args: argparse.Namespace) -> int:
    def make(_: str) -> FollowSource:
        return _build("event", lambda: FollowSource(event_id=args.event_id, field=args.field, by=person()))

    return _apply(args, make)


def _event_delete(args: argparse.Namespace) -> int:
    return _apply(args, lambda _: _build("event", lambda: DeleteEvent(event_id=args.event_id)))


def _alert_add(args: argparse.Namespace) -> int:
    def make(zone: str) -> AddAlert:
        at = parse_when(args.at, zone, "at") if args.at else None
        spec = _build(
            "alert",
            lambda: AlertSpec(
                offset_minutes=args.offset,
                at=at,
                duration_minutes=args.duration,
                pattern=args.pattern,
                label=args.label,
            ),
        )
        return _build("alert", lambda: AddAlert(event_id=args.event_id, alert=spec))

    return _apply(args, make)


def _alert_update(args: argparse.Namespace) -> int:
    def make(zone: str) -> UpdateAlert:
        at = parse_when(args.at, zone, "at") if args.at else None
        return _build(
            "alert",
            lambda: UpdateAlert(
                alert_id=args.alert_id,
                offset_minutes=args.offset,
                at=at,
                duration_minutes=args.duration,
                pattern=args.pattern,
            ),
        )

    return _apply(args, make)


def _alert_snooze(args: argparse.Namespace) -> int:
    return _apply(
        args, lambda _: _build("alert", lambda: SnoozeAlert(alert_id=args.alert_id, minutes=args.minutes))
    )


def _alert_unsnooze(args: argparse.Namespace) -> int:
    return _apply(args, lambda _: _build("alert", lambda: UnsnoozeAlert(alert_id=args.alert_id)))


def _db_check(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        problems = store.integrity_check()
        version = store.schema_version
    finally:
        store.close()
    if problems:
        raise StorageError(f"{store.path} is damaged: " + "; ".join(problems[:5]))
    print(f"ok: {store.path} passed the integrity check (schema version {version})")
    return 0


def _db_demo(args: argparse.Namespace) -> int:
    from ghela.scheduler.config import SchedulerConfig
    from ghela.scheduler.demo import write_demo
    from ghela.scheduler.store import Store

    path = database(args, running=False)
    if path.exists():
        if not args.force:
            raise InvalidInput(f"{path} exists; add --force to replace it with a demo database", field="db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(path)
    try:
        summary = write_demo(store, SchedulerConfig(), SystemClock().now())
    finally:
        store.close()
    print(f"demo database {path}: {summary}")
    return 0


# ---------------------------------------------------------------------- parser


def _common(parser: argparse.ArgumentParser, *, command: bool = False) -> argparse.ArgumentParser:
    parser.add_argument(
        "--db", help="database file (default: $GHELA_DB, else the running system's, else ./ghela.db)"
    )
    if command:
        parser.add_argument("--id", help="command id (default: generated); the same id applies once")
    return parser


def _pattern(parser: argparse.ArgumentParser, default: str | None) -> None:
    # No argparse choices: the command model refuses any other pattern, in the words the
    # API and the Scheduler use (ghela.core.rules).
    parser.add_argument("--pattern", metavar="{steady,blink}", default=default, help="light pattern")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = _common(subparsers.add_parser("schedule", help="upcoming events and alerts (venue time)"))
    schedule.add_argument(
        "--days", type=days_ahead, default=60, help=f"how far ahead, 1 to {MAX_DAYS} (default 60)"
    )
    schedule.add_argument("--all", action="store_true", help="include cancelled events")
    schedule.set_defaults(func=_schedule)

    following = _common(subparsers.add_parser("next", help="what lights next, in one line (venue time)"))
    following.add_argument("--json", action="store_true", help="print JSON")
    following.set_defaults(func=_next)

    event = subparsers.add_parser("event", help="custom events; cancel games").add_subparsers(
        dest="event_command", metavar="ACTION", required=True
    )
    add = _common(
        event.add_parser("add", help="create a custom event (gets the standard alerts)", epilog=TIME_HELP),
        command=True,
    )
    add.add_argument("--title", required=True, help="what the event is called")
    add.add_argument(
        "--start", required=True, help="e.g. '2026-12-06 18:30' (venue time) or ISO with offset (see below)"
    )
    add.add_argument("--end", help="when it ends (default: eventMinutes after the start)")
    add.set_defaults(func=_event_add)
    update = _common(
        event.add_parser(
            "update",
            help="change an event's title, time or venue (on a game: kept under later scrapes)",
            epilog=TIME_HELP,
        ),
        command=True,
    )
    update.add_argument("event_id", type=int)
    update.add_argument("--title", help="a new title")
    update.add_argument("--start", help="a new start (alerts set by offset follow it)")
    update.add_argument("--end", help="a new end")
    update.add_argument("--venue", help="a new venue")
    update.set_defaults(func=_event_update)
    follow = _common(
        event.add_parser("follow", help="end your corrections of a game: it follows its sources again"),
        command=True,
    )
    follow.add_argument("event_id", type=int)
    follow.add_argument("--field", choices=[f.value for f in OverrideField], help="only this (default: all)")
    follow.set_defaults(func=_event_follow)
    for name, func, text in (
        ("cancel", _event_cancel, "cancel an event (its alerts stop)"),
        ("delete", _event_delete, "delete a custom event (games are cancelled, not deleted)"),
    ):
        sub = _common(event.add_parser(name, help=text), command=True)
        sub.add_argument("event_id", type=int)
        sub.set_defaults(func=func)

    alert = subparsers.add_parser("alert", help="add, change and snooze alerts").add_subparsers(
        dest="alert_command", metavar="ACTION", required=True
    )
    alert_add = _common(
        alert.add_parser("add", help="add an alert to an event", epilog=TIME_HELP), command=True
    )
    alert_add.add_argument("event_id", type=int)
    # --offset or --at, one of them: AlertSpec says so (not argparse, so the words are the API's).
    alert_add.add_argument("--offset", type=int, help="minutes from the event's start (-240: 4 h before)")
    alert_add.add_argument("--at", help="a fixed time")
    alert_add.add_argument("--duration", type=int, default=30, help="minutes (default 30)")
    alert_add.add_argument("--label", default="", help="shown in the schedule")
    _pattern(alert_add, "steady")
    alert_add.set_defaults(func=_alert_add)
    alert_update = _common(
        alert.add_parser("update", help="move or change an alert", epilog=TIME_HELP), command=True
    )
    alert_update.add_argument("alert_id", type=int)
    alert_update.add_argument("--offset", type=int, help="minutes from the event's start")
    alert_update.add_argument("--at", help="a fixed time (not with --offset)")
    alert_update.add_argument("--duration", type=int, help="minutes")
    _pattern(alert_update, None)
    alert_update.set_defaults(func=_alert_update)
    snooze = _common(
        alert.add_parser("snooze", help="snooze for --minutes, or silence the alert"), command=True
    )
    snooze.add_argument("alert_id", type=int)
    snooze.add_argument("--minutes", type=int, help="minutes (default: the whole alert)")
    snooze.set_defaults(func=_alert_snooze)
    unsnooze = _common(alert.add_parser("unsnooze", help="undo a snooze or silence"), command=True)
    unsnooze.add_argument("alert_id", type=int)
    unsnooze.set_defaults(func=_alert_unsnooze)

    db = subparsers.add_parser("db", help="the Scheduler's database").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    _common(db.add_parser("check", help="SQLite integrity check")).set_defaults(func=_db_check)
    demo = _common(db.add_parser("demo", help="create a demo database with upcoming games"))
    demo.add_argument("--force", action="store_true", help="replace an existing file")
    demo.set_defaults(func=_db_demo)
