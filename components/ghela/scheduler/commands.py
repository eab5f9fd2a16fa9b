"""Applying commands: once per id, all or nothing.

:meth:`CommandHandler.apply` runs one command in one write transaction:

- an id seen before returns the first result (status ``duplicate`` if it was applied, the
  same rejection if it was rejected) and changes nothing;
- a valid command changes rows, bumps the revision once if the cloud must see a change,
  and records its id with its result — all committed together;
- an invalid command (:class:`InvalidInput`/:class:`NotFound`) rolls back everything it
  did and is recorded as rejected, naming the field;
- a storage fault rolls back and answers ``failed`` without recording the id, so a retry
  of the same id may still apply.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ghela.core.clock import venue_zone
from ghela.core.errors import GhelaError, InvalidInput, NotFound
from ghela.core.messages.commands import (
    AddAlert,
    ApplyScrape,
    CancelEvent,
    CommandRequest,
    CommandResult,
    CommandStatus,
    CreateEvent,
    DeleteEvent,
    FollowSource,
    SnoozeActive,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateAlert,
    UpdateEvent,
)
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.snapshots import EventState
from ghela.scheduler import operations
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.overrides import follow_source
from ghela.scheduler.repository import Repository
from ghela.scheduler.scrape import apply_scrape
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AppliedCommand
from ghela.scheduler.work import Work

log = logging.getLogger(__name__)

CONFIG_KEY = "scheduler_config"
"""Meta key holding the configuration the Scheduler last ran with (the CLI plans with it)."""


@dataclass(frozen=True)
class Applied:
    """A command's result and what happened (for Activity)."""

    result: CommandResult
    activity: dict[ActivityKind, int] = field(default_factory=dict)


class CommandHandler:
    def __init__(self, store: Store, config: SchedulerConfig) -> None:
        self.store = store
        self.config = config
        self.zone: ZoneInfo = venue_zone(config.zone)

    def apply(self, request: CommandRequest, now: datetime) -> Applied:
        try:
            with self.store.write() as session:
                repo = Repository(session)
                seen = repo.applied(request.command_id)
                if seen is not None:
                    return Applied(_repeat(seen))
                work = Work(repo, self.config, self.zone, now)
                message, data = self._dispatch(work, request)
                result = CommandResult(
                    command_id=request.command_id,
                    status=CommandStatus.APPLIED,
                    message=message,
                    revision=repo.revision(),
                    data=data,
                )
                repo.record(_record(request, result, now))
                for kind, count in work.activity.items():
                    if count > 0:  # kept in this transaction: a kill after it loses no count
                        repo.keep_activity(request.command_id, kind.value, count, now)
                return Applied(result, dict(work.activity))
        except (InvalidInput, NotFound) as exc:
            rejected = CommandResult(
                command_id=request.command_id,
                status=CommandStatus.REJECTED,
                message=str(exc),
                field=exc.field,
            )
            return Applied(self._record_rejection(request, rejected, now))
        except GhelaError as exc:
            failed = CommandResult(
                command_id=request.command_id, status=CommandStatus.FAILED, message=str(exc)
            )
            return Applied(failed)

    def _record_rejection(
        self, request: CommandRequest, rejected: CommandResult, now: datetime
    ) -> CommandResult:
        with self.store.write() as session:
            repo = Repository(session)
            seen = repo.applied(request.command_id)
            if seen is not None:  # another writer applied this id meanwhile
                return _repeat(seen)
            rejected = rejected.model_copy(update={"revision": repo.revision()})
            repo.record(_record(request, rejected, now))
            return rejected

    def _dispatch(self, work: Work, request: CommandRequest) -> tuple[str, dict[str, Any]]:
        command = request.command
        match command:
            case ApplyScrape():
                return apply_scrape(work, command.result)
            case CreateEvent():
                return operations.create_event(work, command, request.command_id)
            case UpdateEvent():
                return operations.update_event(work, command)
            case CancelEvent():
                return operations.cancel_event(work, command)
            case DeleteEvent():
                return operations.delete_event(work, command)
            case FollowSource():
                return follow_source(work, command)
            case AddAlert():
                return operations.add_alert(work, command)
            case UpdateAlert():
                return operations.update_alert(work, command)
            case SnoozeAlert():
                return operations.snooze_alert(work, command)
            case UnsnoozeAlert():
                return operations.unsnooze_alert(work, command)
            case SnoozeActive():
                return operations.snooze_active(work, command)
        raise InvalidInput(f"unknown command {type(command).__name__}", field="command.op")

    def finish_past(self, now: datetime) -> int:
        """Mark events whose time is over as finished; returns how many (one revision)."""
        with self.store.write() as session:
            repo = Repository(session)
            work = Work(repo, self.config, self.zone, now)
            events = repo.events_to_finish(now)
            for event in events:
                event.state = EventState.FINISHED.value
                work.touch(event)
            return len(events)

    def save_config(self) -> None:
        """Remember this configuration in the database, for the CLI to plan with."""
        with self.store.write() as session:
            repo = Repository(session)
            value = self.config.model_dump_json(by_alias=True)
            if repo.meta(CONFIG_KEY) != value:
                repo.set_meta(CONFIG_KEY, value)


def stored_config(store: Store) -> SchedulerConfig | None:
    """The configuration the Scheduler last saved in ``store``; None if none or unreadable
    (for example saved by a newer version with keys this one does not know)."""
    with store.read() as session:
        value = Repository(session).meta(CONFIG_KEY)
    if value is None:
        return None
    try:
        return SchedulerConfig.model_validate_json(value)
    except ValueError:
        log.warning("the configuration stored in %s is not readable; using the defaults", store.path)
        return None


def _record(request: CommandRequest, result: CommandResult, now: datetime) -> AppliedCommand:
    return AppliedCommand(
        command_id=request.command_id,
        op=request.command.op,
        origin=request.origin,
        status=result.status.value,
        result=result.model_dump_json(),
        applied_at=now,
    )


def _repeat(seen: AppliedCommand) -> CommandResult:
    first = CommandResult.model_validate(json.loads(seen.result))
    if first.status is CommandStatus.APPLIED:
        return first.model_copy(update={"status": CommandStatus.DUPLICATE})
    return first
