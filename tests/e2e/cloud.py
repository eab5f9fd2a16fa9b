"""The cloud side on this machine for page-level tests: moto provisioned, the local API and
page server on a free port, and helpers that write the read copy as CloudSync would.

Every use gets its own resource prefix and thing name, so tests sharing the session's moto
server (whose state is global to the process) never see each other's tables or users.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ghela.cloudsync.items import JobRecord, event_item, job_update, status_update
from ghela.core.clock import SystemClock
from ghela.core.messages.health import ComponentHealth, ScrapeVerdict
from ghela.core.messages.light import LightState
from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot
from ghela_cloud.local.aws import local_client
from ghela_cloud.local.provision import LocalResources, provision
from ghela_cloud.local.server import LocalApi, LocalApiServer

from tests.support.moto import MotoServer


class LocalCloud:
    def __init__(self, moto: MotoServer) -> None:
        tag = uuid.uuid4().hex[:8]
        self.moto = moto
        self.resources: LocalResources = provision(
            moto.url, prefix=f"e2e{tag}", stage="e2e", thing_name=f"e2e-pi-{tag}"
        )
        self.server = LocalApiServer(LocalApi(self.resources))

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def device(self) -> str:
        return self.resources.thing_name

    def start(self) -> LocalCloud:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def client(self, service: str):
        return local_client(service, self.moto.url, self.resources.region)

    def serve_devices(self, *names: str) -> None:
        """Serve these devices (the first is the default), as ``GHELA_DEVICES`` does in AWS."""
        api = self.server.api
        api.services.settings = dataclasses.replace(api.services.settings, devices=names)

    def put_events(
        self, events: Iterable[EventSnapshot], synced_at: datetime, device: str | None = None
    ) -> None:
        ddb = self.client("dynamodb")
        for event in events:
            ddb.put_item(
                TableName=self.resources.events_table,
                Item=event_item(device or self.device, event, synced_at),
            )

    def put_status(
        self,
        *,
        last_seen: datetime,
        light: LightState | None,
        revision: int = 1,
        device: str | None = None,
        scrapes: Sequence[ScrapeVerdict] = (),
        components: Sequence[ComponentHealth] = (),
    ) -> None:
        update = status_update(
            device or self.device,
            last_seen=last_seen,
            revision=revision,
            software_version="1.0.0",
            light=light,
            scrapes=scrapes,
            components=components,
        )
        self.client("dynamodb").update_item(
            TableName=self.resources.events_table,
            Key=update.key,
            UpdateExpression=update.expression,
            ExpressionAttributeValues=update.values,
            **({"ExpressionAttributeNames": update.names} if update.names else {}),
        )

    def finish_job(self, job: dict, status: str, reason: str = "") -> None:
        """Record ``job`` (a row of :meth:`jobs`) as finished, as CloudSync does on the device."""
        record = JobRecord(
            job_id=job["job_id"],
            device=self.device,
            operation=job["operation"],
            document=job["document"],
            status=status,
            reason=reason,
            at=SystemClock().now(),
        )
        update = job_update(record, timedelta(days=30))
        self.client("dynamodb").update_item(
            TableName=self.resources.jobs_table,
            Key=update.key,
            UpdateExpression=update.expression,
            ExpressionAttributeValues=update.values,
            ExpressionAttributeNames=update.names,
        )

    def jobs(self) -> list[dict]:
        """Every row of the jobs table (plain values)."""
        from boto3.dynamodb.types import TypeDeserializer

        plain = TypeDeserializer()
        rows = self.client("dynamodb").scan(TableName=self.resources.jobs_table)["Items"]
        return [{k: plain.deserialize(v) for k, v in row.items()} for row in rows]


def alert_snapshot(
    alert_id: int, kickoff: datetime, offset: int, pattern: str = "steady", **extra: Any
) -> AlertSnapshot:
    """An hour-long alert ``offset`` minutes from ``kickoff``, labelled as the standard plan does."""
    starts = kickoff + timedelta(minutes=offset)
    return AlertSnapshot(
        alert_id=alert_id,
        label="final call" if offset == -240 else "early warning",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=60),
        pattern=pattern,
        offset_minutes=offset,
        **extra,
    )
