"""Test doubles for CloudSync: a Scheduler and an IoT Jobs broker on an in-memory bus.

Both speak the real messages over :class:`~ghela.core.bus.InMemoryBus` (JSON-validated as
on the wire), so CloudSync is tested against the same contracts the real ones honour.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ghela.core import topics
from ghela.core.bus import Bus, InMemoryBus, Subscription
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CommandResult, CommandStatus
from ghela.core.messages.snapshots import (
    AlertSnapshot,
    ChangesRequest,
    ChangesResponse,
    EventKind,
    EventSnapshot,
    EventState,
    RevisionChanged,
)
from ghela.core.wiretypes import LightPattern
from ghela_tools.runtime.iotcore import LocalIotCore

START = datetime(2026, 12, 6, 17, 45, tzinfo=UTC)


def snapshot(event_id: int, revision: int, title: str = "KAA Gent - Club Brugge") -> EventSnapshot:
    return EventSnapshot(
        event_id=event_id,
        kind=EventKind.GAME,
        key=f"jpl-2026-{event_id}",
        title=title,
        home="KAA Gent",
        away="Club Brugge",
        competition="Jupiler Pro League",
        start=START + timedelta(days=event_id),
        state=EventState.SCHEDULED,
        revision=revision,
        alerts=[
            AlertSnapshot(
                alert_id=event_id * 10,
                starts_at=START + timedelta(days=event_id, hours=-3),
                ends_at=START + timedelta(days=event_id, hours=-2, minutes=-30),
                pattern=LightPattern.STEADY,
                offset_minutes=-180,
            )
        ],
    )


class FakeScheduler:
    """Applies a few commands to in-memory events, answers CHANGES, announces revisions.

    ``answering = False`` makes it silent (a Scheduler that is down).
    """

    def __init__(self, bus: Bus, clock: Any) -> None:
        self._bus = bus
        self._clock = clock
        self._lock = threading.RLock()
        self.revision = 0
        self.events: dict[int, EventSnapshot] = {}
        self.deleted: dict[int, int] = {}
        self.applied: list[str] = []
        self.commands: list[CommandRequest] = []
        self.changes_requests = 0
        self.answering = True
        self._subs: list[Subscription] = [
            bus.subscribe(topics.COMMAND, self._on_command),
            bus.subscribe(topics.CHANGES_REQUEST, self._on_changes),
        ]

    def change(
        self, events: Iterable[int] = (), deleted: Iterable[int] = (), title: str | None = None
    ) -> int:
        """One stored change (like a scrape): the revision moves once for all of it."""
        with self._lock:
            self.revision += 1
            for event_id in events:
                old = self.events.get(event_id)
                name = title or (old.title if old else "KAA Gent - Club Brugge")
                self.events[event_id] = snapshot(event_id, self.revision, name)
            for event_id in deleted:
                self.events.pop(event_id, None)
                self.deleted[event_id] = self.revision
            revision = self.revision
        self._bus.publish(topics.STATE_CHANGED, RevisionChanged(revision=revision, at=self._clock.now()))
        return revision

    def _on_command(self, message: Message) -> None:
        assert isinstance(message, CommandRequest)
        if not self.answering:
            return
        with self._lock:
            self.commands.append(message)
            result = self._apply(message)
        self._bus.publish(topics.COMMAND_RESULT, result)
        if result.status is CommandStatus.APPLIED:
            self._bus.publish(
                topics.STATE_CHANGED, RevisionChanged(revision=result.revision, at=self._clock.now())
            )

    def _apply(self, request: CommandRequest) -> CommandResult:
        if request.command_id in self.applied:
            return CommandResult(
                command_id=request.command_id, status=CommandStatus.DUPLICATE, revision=self.revision
            )
        command = request.command
        alert_id = getattr(command, "alert_id", None)
        event_id = getattr(command, "event_id", None)
        owners = {a.alert_id: e.event_id for e in self.events.values() for a in e.alerts}
        if alert_id is not None and alert_id not in owners:
            return CommandResult(
                command_id=request.command_id,
                status=CommandStatus.REJECTED,
                message=f"alert {alert_id} does not exist",
                field="alert_id",
            )
        if event_id is not None and event_id not in self.events:
            return CommandResult(
                command_id=request.command_id,
                status=CommandStatus.REJECTED,
                message=f"event {event_id} does not exist",
                field="event_id",
            )
        self.applied.append(request.command_id)
        self.revision += 1
        target = event_id if event_id is not None or alert_id is None else owners[alert_id]
        if command.op == "delete_event" and target is not None:
            self.events.pop(target)
            self.deleted[target] = self.revision
        elif target is not None:
            old = self.events[target]
            alerts = [a.model_copy(update={"silenced": True}) for a in old.alerts]
            self.events[target] = old.model_copy(update={"revision": self.revision, "alerts": alerts})
        return CommandResult(
            command_id=request.command_id,
            status=CommandStatus.APPLIED,
            message="applied",
            revision=self.revision,
            data={"target": target},
        )

    def _on_changes(self, message: Message) -> None:
        assert isinstance(message, ChangesRequest)
        if not self.answering:
            return
        with self._lock:
            self.changes_requests += 1
            since = message.since_revision
            changed = sorted(
                (e for e in self.events.values() if e.revision > since), key=lambda e: e.revision
            )
            page = changed[: message.limit]
            more = len(changed) > len(page)
            upto = page[-1].revision if more else self.revision
            if more:  # never split one revision across pages
                page = [e for e in changed if e.revision <= upto]
            gone = [i for i, r in self.deleted.items() if since < r <= upto]
            answer = ChangesResponse(
                request_id=message.request_id,
                since_revision=since,
                revision=upto,
                events=page,
                deleted=gone,
                more=more,
            )
        self._bus.publish(topics.CHANGES, answer)


class FakeJobsBroker:
    """The IoT Jobs device API for one thing on an in-memory bus's IoT side.

    Jobs are delivered with start-next in the order they were added; ``updates`` records
    every accepted update. ``online = False`` stops it answering (IoT unreachable).
    """

    def __init__(self, bus: InMemoryBus, thing: str) -> None:
        self._bus = bus
        self._prefix = f"$aws/things/{thing}/jobs/"
        self._lock = threading.RLock()
        self.queue: list[tuple[str, Any]] = []
        self.status: dict[str, str] = {}
        self.documents: dict[str, Any] = {}
        self.updates: list[tuple[str, str, dict[str, str]]] = []
        self.online = True
        self.answer_updates = True
        """False: updates are lost on the way (IoT unreachable for them)."""
        bus.subscribe_iot(self._prefix + "start-next", self._on_start_next)
        bus.subscribe_iot(self._prefix + "+/update", self._on_update)

    def add(self, job_id: str, document: Any) -> None:
        with self._lock:
            self.queue.append((job_id, document))
            self.status[job_id] = "QUEUED"
            self.documents[job_id] = document
        if self.online:
            self._bus.publish_iot(self._prefix + "notify-next", {"execution": {"jobId": job_id}})

    def redeliver(self, job_id: str) -> None:
        self.add(job_id, self.documents[job_id])

    def _on_start_next(self, topic: str, payload: bytes) -> None:
        if not self.online:
            return
        with self._lock:
            pending = [(j, d) for j, d in self.queue if self.status[j] in ("QUEUED", "IN_PROGRESS")]
            if pending:
                job_id, document = pending[0]
                self.status[job_id] = "IN_PROGRESS"
                body: dict[str, Any] = {
                    "execution": {
                        "jobId": job_id,
                        "status": "IN_PROGRESS",
                        "jobDocument": document,
                        "versionNumber": 2,
                    }
                }
            else:
                body = {}
        self._bus.publish_iot(self._prefix + "start-next/accepted", body)

    def _on_update(self, topic: str, payload: bytes) -> None:
        if not self.online or not self.answer_updates:
            return
        job_id = topic.removeprefix(self._prefix).removesuffix("/update")
        body = json.loads(payload)
        answer: dict[str, Any]
        with self._lock:
            if self.status.get(job_id) not in ("QUEUED", "IN_PROGRESS"):
                verdict, answer = "rejected", {"code": "InvalidStateTransition"}
            else:
                self.status[job_id] = body["status"]
                self.updates.append((job_id, body["status"], body.get("statusDetails", {})))
                verdict, answer = "accepted", {"executionState": {"status": body["status"]}}
        self._bus.publish_iot(self._prefix + f"{job_id}/update/{verdict}", answer)


class IotCoreBus(InMemoryBus):
    """An in-memory local bus whose IoT side is a real :class:`LocalIotCore` (as under the runtime)."""

    def __init__(self, iot_core: LocalIotCore) -> None:
        super().__init__()
        self.iot_core = iot_core

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        self.published_iot.append((topic, payload))
        self.iot_core.publish(topic, json.dumps(payload).encode(), "CloudSync")

    def subscribe_iot(self, topic_filter: str, handler: Any) -> Subscription:
        unsubscribe = self.iot_core.subscribe(topic_filter, handler)

        class _Sub:
            def close(self) -> None:
                unsubscribe()

        return _Sub()


