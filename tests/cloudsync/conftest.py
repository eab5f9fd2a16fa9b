"""Fixtures for CloudSync tests: fresh tables in the session's moto server, a service maker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ghela.cloudsync.aws import DynamoDb
from ghela.cloudsync.config import CloudSyncConfig
from ghela.cloudsync.service import CloudSyncService
from ghela.cloudsync.store import StateStore
from ghela.core.bus import InMemoryBus
from ghela.core.clock import Clock, SystemClock
from ghela_cloud.names import events_table_spec, jobs_table_spec

from tests.cloudsync.fakes import FakeJobsBroker, FakeScheduler
from tests.support.awscalls import CountingClient

THING = "ghela-test-pi"


@dataclass
class Tables:
    endpoint_url: str
    events: str
    jobs: str
    client: Any
    calls: list[str] = field(default_factory=list)

    def item(self, sk: str, device: str = THING) -> dict[str, Any] | None:
        got = self.client.get_item(TableName=self.events, Key={"device": {"S": device}, "sk": {"S": sk}})
        return got.get("Item")

    def event_items(self, device: str = THING) -> dict[str, dict[str, Any]]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.events,
            KeyConditionExpression="device = :d AND begins_with(sk, :p)",
            ExpressionAttributeValues={":d": {"S": device}, ":p": {"S": "event#"}},
        )
        return {item["sk"]["S"]: item for page in pages for item in page["Items"]}

    def job(self, job_id: str, device: str = THING) -> dict[str, Any] | None:
        key = {"device": {"S": device}, "job_id": {"S": job_id}}
        return self.client.get_item(TableName=self.jobs, Key=key).get("Item")


def create_tables(client: Any, endpoint_url: str) -> Tables:
    suffix = uuid.uuid4().hex[:8]
    tables = Tables(endpoint_url, f"events-{suffix}", f"jobs-{suffix}", client)
    client.create_table(**events_table_spec(tables.events))
    client.create_table(**jobs_table_spec(tables.jobs))
    return tables


@pytest.fixture
def tables(moto_server: Any) -> Tables:
    return create_tables(moto_server.client("dynamodb"), moto_server.url)


def counting_client(endpoint_url: str, calls: list[str]) -> CountingClient:
    """A DynamoDB client of its own (not the process's shared one) that records each
    request's operation name."""
    return CountingClient(endpoint_url, calls)


@dataclass
class Harness:
    bus: InMemoryBus
    scheduler: FakeScheduler
    jobs_broker: FakeJobsBroker | None
    """A fake IoT Jobs broker on the bus (absent when a real endpoint answers)."""
    service: CloudSyncService
    tables: Tables
    calls: list[str]
    state_path: Path

    @property
    def broker(self) -> FakeJobsBroker:
        assert self.jobs_broker is not None, "this harness talks to a real IoT Jobs endpoint"
        return self.jobs_broker


ServiceMaker = Callable[..., Harness]


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[ServiceMaker]:
    """Start a CloudSync service (fake Scheduler and IoT broker) against given tables."""
    started: list[CloudSyncService] = []

    def make(
        tables: Tables,
        clock: Clock | None = None,
        bus: InMemoryBus | None = None,
        scheduler: FakeScheduler | None = None,
        broker: FakeJobsBroker | None = None,
        fake_broker: bool = True,
        **overrides: Any,
    ) -> Harness:
        clock = clock or SystemClock()
        bus = bus or InMemoryBus()
        scheduler = scheduler or FakeScheduler(bus, clock)
        if broker is None and fake_broker:
            broker = FakeJobsBroker(bus, THING)
        settings = {
            "thingName": THING,
            "eventsTable": tables.events,
            "jobsTable": tables.jobs,
            "awsEndpointUrl": tables.endpoint_url,
            "statePath": str(tmp_path / "cloudsync.sqlite3"),
            "commandTimeoutSeconds": 2,
            "jobUpdateTimeoutSeconds": 0.5,
            "retryInitialSeconds": 0.05,
            "retryMaxSeconds": 0.2,
            "statusMinGapSeconds": 0.05,
            **overrides,
        }
        config = CloudSyncConfig.model_validate(settings)
        calls: list[str] = []
        db = DynamoDb(counting_client(tables.endpoint_url, calls))
        service = CloudSyncService(bus, config, clock, db=db, store=StateStore(config.state_path)).start()
        started.append(service)
        return Harness(
            bus,
            scheduler,
            broker,
            service,
            tables,
            calls,
            tmp_path / "cloudsync.sqlite3",
        )

    yield make
    for service in started:
        if not service.stopping.is_set():
            service.stop()
