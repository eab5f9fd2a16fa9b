"""The Scheduler component: commands in, light commands and changes out.

On start it rebuilds everything from the database and reconciles the light (on only if an
alert is lit now). Then one worker thread sleeps until the next thing that can change —
the next alert boundary, the next event finishing, the next refresh of a lit light, the
next look for other writers — with ``clock.wait``; every applied command wakes it.

Re-sending the light command every ``refreshMinutes`` while lit matters: the AlertLight
switches itself off 60 minutes after the last command it got (its fail-safe).

The ``ghela`` CLI hands its commands to a running Scheduler over a local socket
(:mod:`ghela.scheduler.handoff`), applied here as the cloud's are. Other writers of the
database file (a CLI that could not hand off, ``ghela db demo``, ``sqlite3`` by hand) are
noticed through SQLite's ``PRAGMA data_version``, checked every ``dbCheckSeconds``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from ghela.core import topics
from ghela.core.bus import Bus, InvalidMessage, Subscription
from ghela.core.clock import Clock
from ghela.core.messages import Message, is_command_id
from ghela.core.messages.commands import ApplyScrape, CommandRequest, CommandResult, CommandStatus
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.messages.light import LightCommand, LightCommandRequest
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import ChangesRequest, ChangesResponse, RevisionChanged
from ghela.scheduler.commands import Applied, CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.handoff import HandoffListener
from ghela.scheduler.light import LightDecision
from ghela.scheduler.outlook import Outlook, outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.snapshots import event_snapshot
from ghela.scheduler.store import Store

log = logging.getLogger(__name__)

COMPONENT = "Scheduler"


class SchedulerService:
    def __init__(self, bus: Bus, config: SchedulerConfig, clock: Clock, store: Store) -> None:
        """Assemble only: the caller opens ``store`` (the service owns it and closes it in
        :meth:`stop`); subscribing, the first tick and the threads happen in :meth:`start`."""
        self.bus = bus
        self.config = config
        self.clock = clock
        self.store = store
        self.handler = CommandHandler(self.store, config)
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._subscriptions: list[Subscription] = []
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._handoff = HandoffListener(self.store.path, config.zone, self.apply, rejection)
        self._decision: LightDecision | None = None
        self._said: dict[str, object] | None = None
        self._sent_at: datetime | None = None
        self._revision = 0
        self._data_version = 0
        self._wake_at = clock.now()
        """When the outlook next changes (set by every tick, whichever thread ran it)."""
        self._disputed: tuple[int, ...] = ()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SchedulerService:
        self.handler.save_config()
        # Listen for a starting AlertLight's request before the first light command goes out:
        # either the light is already listening and gets that command, or its request comes
        # after this subscription and is answered. Either way it is lit within a round trip.
        self._subscriptions = [
            self.bus.subscribe(topics.LIGHT_SET_REQUEST, self._guard(self._on_light_request)),
        ]
        with self._lock:
            self._revision = outlook(self.store, self.clock.now()).revision
            self._tick()
        self._subscriptions += [
            self.bus.subscribe(
                topics.COMMAND, self._guard(self._on_command), on_invalid=self._reject_invalid_command
            ),
            self.bus.subscribe(topics.SCRAPE_RESULT, self._guard(self._on_scrape)),
            self.bus.subscribe(topics.CHANGES_REQUEST, self._guard(self._on_changes_request)),
        ]
        # A scrape published while this process was down or not yet subscribed is lost (pub/sub
        # keeps nothing), so ask for a fresh one now that results are heard.
        self.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())
        self._thread.start()
        self._handoff.start()
        return self

    def stop(self) -> None:
        self._handoff.stop()
        self._stopping.set()
        self._wake.set()
        for subscription in self._subscriptions:
            subscription.close()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.store.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                now = self.clock.now()
                if now >= self._wake_at or self._changed_by_others():
                    self._tick()
                # Both deadlines from the instant read before the tick: a clock that moves
                # during the tick then makes the wait return at once, never skip a look.
                deadline = min(self._wake_at, now + self._check_every)
            self.clock.wait(self._wake, deadline)
            # A wake means something was applied (its tick already ran): _wake_at is fresh,
            # and the next round looks again; one that comes after this clear is not lost.
            self._wake.clear()

    def _changed_by_others(self) -> bool:
        """Whether another connection (the CLI) committed since the last look."""
        version = self.store.data_version()
        changed = version != self._data_version
        self._data_version = version
        if changed:
            log.info("the database was changed by another writer; re-reading it")
        return changed

    # ------------------------------------------------------------------ one wake

    def _tick(self) -> None:
        """Catch up with the database and the clock, and note when to wake next."""
        now = self.clock.now()
        self.handler.finish_past(now)
        # Read the version after our own writes and before the outlook: a later commit by
        # another writer shows up at the next check, an earlier one is in this outlook.
        self._data_version = self.store.data_version()
        view = outlook(self.store, now)
        self._announce_revision(view.revision, now)
        self._report_disagreements(view)
        self._reconcile(view)
        self._send_activity()
        self._wake_at = self._next_wake(view)

    @property
    def _check_every(self) -> timedelta:
        return timedelta(seconds=self.config.db_check_seconds)

    def _next_wake(self, view: Outlook) -> datetime:
        """The next boundary, the next event finishing, or the next refresh of a lit light."""
        candidates = [view.at + timedelta(days=1)]
        if view.next_change is not None:
            candidates.append(view.next_change)
        if view.next_finish is not None:
            candidates.append(view.next_finish)
        if self._decision is not None and self._decision.on and self._sent_at is not None:
            candidates.append(self._sent_at + timedelta(minutes=self.config.refresh_minutes))
        return min(candidates)

    def _reconcile(self, view: Outlook) -> None:
        """Publish the light command when it would say something new, or to refresh a lit light."""
        decision = view.decision
        previous = self._decision
        command = LightCommand(
            pattern=decision.pattern,
            on_ms=self.config.blink_on_ms,
            off_ms=self.config.blink_off_ms,
            until=view.next_change if decision.on else None,
            alert_ids=list(decision.alert_ids),
            next_alert_at=view.next_alert_at,
            issued_at=view.at,
        )
        said = command.model_dump(include={"pattern", "until", "alert_ids", "next_alert_at"})
        due = (
            decision.on
            and self._sent_at is not None
            and view.at >= self._sent_at + timedelta(minutes=self.config.refresh_minutes)
        )
        if said == self._said and not due:
            return
        self.bus.publish(topics.LIGHT_SET, command)
        self._said = said
        self._sent_at = view.at
        self._decision = decision
        if previous is not None:
            started = set(decision.alert_ids) - set(previous.alert_ids)
            stopped = set(previous.alert_ids) - set(decision.alert_ids)
            self._activity(ActivityKind.ALERT_STARTED, len(started), view.at, f"alerts {sorted(started)}")
            self._activity(ActivityKind.ALERT_STOPPED, len(stopped), view.at, f"alerts {sorted(stopped)}")

    def _report_disagreements(self, view: Outlook) -> None:
        """Log the upcoming games whose sources disagree whenever that set changes (each is
        planned from the earliest listing; the read copy and SourceDisagreements show them)."""
        if view.disputed != self._disputed:
            self._disputed = view.disputed
            if view.disputed:
                ids = ", ".join(map(str, view.disputed))
                count = len(view.disputed)
                log.warning("sources disagree on when %d upcoming game(s) are: events %s", count, ids)
            else:
                log.info("the sources agree on every upcoming game")

    def _announce_revision(self, revision: int, now: datetime) -> None:
        if revision != self._revision:
            self._revision = revision
            self.bus.publish(topics.STATE_CHANGED, RevisionChanged(revision=revision, at=now))

    def _send_activity(self) -> None:
        """Publish what commands counted (kept in their own transactions, also the CLI's),
        then forget it. Each carries its row's key, so the count outbox takes it once even
        if a kill comes between the publish and the forgetting."""
        with self.store.read() as session:
            unsent = Repository(session).unsent_activity()
        for row in unsent:
            self.bus.publish(
                topics.ACTIVITY,
                Activity(
                    kind=ActivityKind(row.kind),
                    at=row.at,
                    component=COMPONENT,
                    count=row.count,
                    detail=f"command {row.command_id}",
                    key=f"scheduler-activity-{row.id}",
                ),
            )
        if unsent:
            with self.store.write() as session:
                Repository(session).forget_activity([row.id for row in unsent if row.id is not None])

    def _activity(self, kind: ActivityKind, count: int, at: datetime, detail: str) -> None:
        if count > 0:
            self.bus.publish(
                topics.ACTIVITY, Activity(kind=kind, at=at, component=COMPONENT, count=count, detail=detail)
            )

    # ------------------------------------------------------------------ handlers

    def _guard(self, handler: Callable[[Message], None]) -> Callable[[Message], None]:
        """Run a handler; a fault in one message is logged, never fatal to the component."""

        def guarded(message: Message) -> None:
            try:
                handler(message)
            except Exception:
                log.exception("handling a message failed")

        return guarded

    def apply(self, request: CommandRequest) -> CommandResult:
        """Apply a command, announce what changed, and re-decide the light."""
        with self._lock:
            now = self.clock.now()
            try:
                applied = self.handler.apply(request, now)
            except Exception as exc:
                log.exception("command %s failed", request.command_id)
                applied = Applied(
                    CommandResult(
                        command_id=request.command_id, status=CommandStatus.FAILED, message=str(exc)
                    )
                )
            result = applied.result
            log.info(
                "command %s (%s from %s): %s %s",
                request.command_id,
                request.command.op,
                request.origin,
                result.status.value,
                result.message,
            )
            self._tick()
        self._wake.set()
        return result

    def _on_command(self, message: Message) -> None:
        assert isinstance(message, CommandRequest)
        result = self.apply(message)
        self.bus.publish(topics.COMMAND_RESULT, result)

    def _reject_invalid_command(self, invalid: InvalidMessage) -> None:
        """Answer a broken command that still names a usable id, so its sender need not time out."""
        result = rejection(invalid)
        if result is not None:
            self.bus.publish(topics.COMMAND_RESULT, result)

    def _on_scrape(self, message: Message) -> None:
        assert isinstance(message, ScrapeResult)
        command_id = f"scrape-{message.scrape_id}"[:128]
        self.apply(
            CommandRequest(command_id=command_id, origin="scraper", command=ApplyScrape(result=message))
        )

    def _on_light_request(self, message: Message) -> None:
        """A (re)started AlertLight is dark: send it the light command that holds now."""
        assert isinstance(message, LightCommandRequest)
        with self._lock:
            self._said = None  # say it again even though nothing changed
            self._tick()
        self._wake.set()

    def _on_changes_request(self, message: Message) -> None:
        assert isinstance(message, ChangesRequest)
        self.bus.publish(topics.CHANGES, self.changes(message))

    def changes(self, request: ChangesRequest) -> ChangesResponse:
        with self.store.read() as session:
            repo = Repository(session)
            page = repo.changes_since(request.since_revision, request.limit)
            ids = [event.id or 0 for event in page.events]
            alerts = repo.alerts_of_events(ids)
            views, overrides = repo.views_and_overrides(ids)
            zone = self.handler.zone
            return ChangesResponse(
                request_id=request.request_id,
                since_revision=request.since_revision,
                revision=page.revision,
                events=[
                    event_snapshot(event, alerts[i], views[i], overrides[i], zone)
                    for event, i in zip(page.events, ids, strict=True)
                ],
                deleted=page.deleted,
                more=page.more,
            )


def rejection(invalid: InvalidMessage) -> CommandResult | None:
    """The answer to a broken command that still names a usable id; None if it names none."""
    command_id = invalid.fields.get("command_id")
    if not is_command_id(command_id):
        return None
    log.info("command %s: rejected before it reached the handler: %s", command_id, invalid)
    return CommandResult(
        command_id=command_id,
        status=CommandStatus.REJECTED,
        message=str(invalid)[:2000],
        field=invalid.field[:100] if invalid.field else None,
    )


def start(bus: Bus, config: SchedulerConfig, clock: Clock) -> SchedulerService:
    """The component's entry point for :func:`ghela.core.component.run_component`."""
    return SchedulerService(bus, config, clock, Store(config.db_path)).start()
