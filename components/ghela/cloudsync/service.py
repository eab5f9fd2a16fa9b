"""CloudSync wired together: the workers, the bus subscriptions, start and stop.

Threads: ``jobs`` (runs one job at a time), ``sync`` (read copy), ``status`` (device
status item), ``outbox-iot`` and ``outbox-jobs`` (deliver job results in order).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from ghela import __version__
from ghela.cloudsync.aws import DynamoDb, dynamodb_client
from ghela.cloudsync.config import CloudSyncConfig
from ghela.cloudsync.exchange import Exchange
from ghela.cloudsync.executor import JobExecutor
from ghela.cloudsync.items import JobRecord, job_update
from ghela.cloudsync.jobs import IOT_LANE, JOBS_LANE, JobsClient
from ghela.cloudsync.outbox import Outbox
from ghela.cloudsync.readcopy import EventSync
from ghela.cloudsync.status import StatusReporter
from ghela.cloudsync.stopsignal import StopSignal
from ghela.cloudsync.store import StateStore
from ghela.cloudsync.worker import Worker
from ghela.cloudsync.writer import EventsWriter
from ghela.core import topics
from ghela.core.backoff import Backoff
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandResult
from ghela.core.messages.health import HealthRequest
from ghela.core.messages.light import LightStateRequest
from ghela.core.messages.snapshots import ChangesResponse, RevisionChanged

log = logging.getLogger(__name__)


class CloudSyncService:
    def __init__(
        self, bus: Bus, config: CloudSyncConfig, clock: Clock, *, db: DynamoDb, store: StateStore
    ) -> None:
        """Assemble only: the caller opens ``store`` (the service owns it and closes it in
        :meth:`stop`); subscribing and the threads happen in :meth:`start`."""
        self.thing = config.resolved_thing_name()
        self._bus = bus
        self._config = config
        self._clock = clock
        self._db = db
        self.stopping = StopSignal()
        self.store = store

        def backoff() -> Backoff:
            return Backoff(config.retry_initial_seconds, config.retry_max_seconds)

        self.commands: Exchange[CommandResult] = Exchange(
            bus, topics.COMMAND, topics.COMMAND_RESULT, lambda r: r.command_id, clock
        )
        self.changes: Exchange[ChangesResponse] = Exchange(
            bus, topics.CHANGES_REQUEST, topics.CHANGES, lambda r: r.request_id, clock
        )
        self.outbox = Outbox(
            self.store,
            {IOT_LANE: self._deliver_update, JOBS_LANE: self._deliver_record},
            clock,
            backoff,
            on_delivered=self._delivered,
            on_dead=self._dead,
        )
        self.jobs = JobsClient(
            bus,
            thing=self.thing,
            executor=JobExecutor(bus, self.commands, config.command_timeout_seconds, config.command_attempts),
            clock=clock,
            enqueue=self.outbox.put,
            held=lambda: {entry.payload["job_id"] for entry in self.store.pending(IOT_LANE)},
            update_timeout=config.job_update_timeout_seconds,
            recheck_seconds=config.jobs_recheck_seconds,
        )
        self.writer = EventsWriter(db, config.events_table, self.thing, config.batch_size)
        self.sync = EventSync(
            store=self.store,
            changes=self.changes,
            writer=self.writer,
            db=db,
            table=config.events_table,
            device=self.thing,
            clock=clock,
            page_size=config.changes_page_size,
            timeout=config.command_timeout_seconds,
            stopping=self.stopping,
        )
        self.sync_worker = Worker("sync", clock, self.sync.work, backoff())
        self.status = StatusReporter(
            db,
            config.events_table,
            self.thing,
            clock,
            interval=config.status_interval_seconds,
            min_gap=config.status_min_gap_seconds,
            software_version=__version__,
            revision=lambda: self.store.synced_revision,
        )
        self.status_worker = Worker("status", clock, self.status.work, backoff())
        self.status.on_change = self.status_worker.wake
        self._subscriptions: list[Subscription] = []

    def start(self) -> CloudSyncService:
        self.commands.start()
        self.changes.start()
        self._subscriptions += [
            self._bus.subscribe(topics.STATE_CHANGED, self._on_state_changed),
            self._bus.subscribe(topics.LIGHT_STATE, self.status.light_changed),
            self._bus.subscribe(topics.SCRAPE_RESULT, self.status.scrape_seen),
            self._bus.subscribe(topics.COMPONENT_HEALTH, self.status.component_seen),
        ]
        self.outbox.start()
        self.sync_worker.start()
        self.status_worker.start()
        self.jobs.start()
        try:
            self._bus.publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())
        except Exception as exc:
            log.warning("could not ask the light for its state: %s", exc)
        try:  # components that started before CloudSync report again (ghela.core.selfreport)
            self._bus.publish(topics.HEALTH_REQUEST, HealthRequest())
        except Exception as exc:
            log.warning("could not ask the components for their health: %s", exc)
        log.info("CloudSync running for thing %s", self.thing)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for subscription in self._subscriptions:
            subscription.close()
        self.jobs.stop()
        self.sync_worker.stop()
        self.status_worker.stop()
        self.outbox.stop()
        self.commands.close()
        self.changes.close()
        self.store.close()

    def resync(self) -> None:
        """Start the repair resync (re-upload everything, delete what is gone)."""
        self.sync.request_resync()
        self.sync_worker.wake()

    def _on_state_changed(self, message: Message) -> None:
        if isinstance(message, RevisionChanged) and message.revision > self.store.synced_revision:
            self.sync.changed()
            self.sync_worker.wake()

    def _deliver_update(self, entry: dict[str, Any]) -> None:
        self.jobs.deliver_update(entry)

    def _deliver_record(self, entry: dict[str, Any]) -> None:
        update = job_update(JobRecord.from_json(entry), timedelta(days=self._config.job_record_ttl_days))
        self._db.update(self._config.jobs_table, update.key, update.expression, update.values, update.names)

    def _delivered(self, lane: str, entry: dict[str, Any]) -> None:
        if lane == IOT_LANE:
            self.jobs.update_delivered(entry["job_id"], lane_empty=self.store.head(IOT_LANE) is None)

    def _dead(self, lane: str, entry: dict[str, Any], reason: str) -> None:
        """An entry refused for good: the jobs table says so, and the job lets go."""
        if lane != IOT_LANE:
            return  # a jobs-table row that cannot be written: `ghela sync status` shows it
        details = entry.get("statusDetails") or {}
        record = JobRecord(
            job_id=entry["job_id"],
            device=self.thing,
            operation=str(details.get("operation", "unknown")),
            document="",
            status=entry["status"],
            reason=str(details.get("reason", "")),
            at=self._clock.now(),
            undelivered=f"IoT never got this outcome: {reason}"[:2000],
        )
        self.outbox.put((JOBS_LANE, record.to_json()))
        self.jobs.update_delivered(entry["job_id"], lane_empty=self.store.head(IOT_LANE) is None)


def start(bus: Bus, config: CloudSyncConfig, clock: Clock) -> CloudSyncService:
    """The component's entry (see :func:`ghela.core.component.run_component`)."""
    db = DynamoDb(dynamodb_client(config.aws_endpoint_url))
    return CloudSyncService(bus, config, clock, db=db, store=StateStore(config.state_path)).start()
