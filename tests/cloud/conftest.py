"""Fixtures of the cloud tests: moto provisioned like the template, users, tokens, seed data."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from ghela.core.clock import FrozenClock
from ghela_cloud import names
from ghela_cloud.api.services import Services, configure
from ghela_cloud.local.aws import local_client, local_session
from ghela_cloud.local.provision import LocalResources, ensure_user, generate_password, provision
from ghela_cloud.local.server import settings_for

EVENTS_DIR = Path(__file__).parent / "events"
STAFF_EMAIL = "staff@ghelamco-alert.local"
STAFF_PASSWORD = generate_password()

_SERIALIZER = TypeSerializer()


class CachingSession:
    """A boto3 session that makes each client once (creating clients is slow; tests make many)."""

    def __init__(self, region: str) -> None:
        self._session = local_session(region)
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, service: str, endpoint_url: str | None = None, **kwargs: Any) -> Any:
        key = (service, endpoint_url)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, endpoint_url=endpoint_url, **kwargs)
        return self._clients[key]


@pytest.fixture(scope="session")
def aws(cloud: LocalResources) -> CachingSession:
    return CachingSession(cloud.region)


@pytest.fixture(scope="session")
def cloud(moto_server) -> LocalResources:
    """moto provisioned like the SAM template, plus a staff user who is not an admin."""
    resources = provision(moto_server.url)
    idp = local_client("cognito-idp", moto_server.url, resources.region)
    ensure_user(idp, resources.user_pool_id, STAFF_EMAIL, STAFF_PASSWORD)
    return resources


def sign_in(resources: LocalResources, email: str, password: str) -> dict[str, str]:
    """Real Cognito tokens from moto (InitiateAuth, USER_PASSWORD_AUTH)."""
    idp = local_client("cognito-idp", resources.endpoint_url, resources.region)
    result = idp.initiate_auth(
        ClientId=resources.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return result["AuthenticationResult"]


@pytest.fixture(scope="session")
def admin_tokens(cloud: LocalResources) -> dict[str, str]:
    return sign_in(cloud, cloud.demo_email, cloud.demo_password)


@pytest.fixture(scope="session")
def staff_tokens(cloud: LocalResources) -> dict[str, str]:
    return sign_in(cloud, STAFF_EMAIL, STAFF_PASSWORD)


@dataclass
class Device:
    """A device of its own for one test: its partition and jobs are nobody else's."""

    name: str
    resources: LocalResources
    services: Services
    aws: CachingSession

    def client(self, service: str) -> Any:
        return self.aws.client(service, endpoint_url=self.resources.endpoint_url)

    def put_event(self, item: dict[str, Any]) -> None:
        full = {"device": self.name, "sk": names.event_sk(item["event_id"]), **item}
        self._put(full)

    def put_status(self, **fields: Any) -> None:
        self._put({"device": self.name, "sk": names.STATUS_SK, **fields})

    def _put(self, item: dict[str, Any]) -> None:
        self.client("dynamodb").put_item(
            TableName=self.resources.events_table,
            Item={k: _SERIALIZER.serialize(v) for k, v in item.items()},
        )

    def jobs(self) -> list[dict[str, Any]]:
        return self.services.jobs.list_for_device(self.name)

    def iot_job(self, job_id: str) -> dict[str, Any]:
        iot = self.client("iot")
        job = iot.describe_job(jobId=job_id)["job"]
        document = iot.get_job_document(jobId=job_id)["document"]
        return {**job, "document": json.loads(document)}


@pytest.fixture
def device(cloud: LocalResources, aws: CachingSession, clock: FrozenClock) -> Iterator[Device]:
    """A fresh thing in moto, the API configured for it (and a spare device), frozen clock."""
    name = f"pi-{uuid.uuid4().hex[:10]}"
    aws.client("iot", endpoint_url=cloud.endpoint_url).create_thing(thingName=name)
    settings = settings_for(cloud)
    settings = type(settings)(**{**settings.__dict__, "devices": (name, "ghela-spare-pi")})
    services = Services(settings, clock=clock, session=aws)
    configure(services)
    try:
        yield Device(name, cloud, services, aws)
    finally:
        configure(None)


def game(event_id: int = 12, alert_id: int = 31, start: str = "2026-12-20T17:30:00+00:00") -> dict[str, Any]:
    """An event item as CloudSync writes it: a home game with its parking alert."""
    return {
        "event_id": event_id,
        "kind": "game",
        "key": "jpl-2026-27-kaa-gent-rsc-anderlecht",
        "title": "KAA Gent - RSC Anderlecht",
        "home": "KAA Gent",
        "away": "RSC Anderlecht",
        "competition": "Jupiler Pro League",
        "venue": "Planet Group Arena",
        "start": start,
        "state": "scheduled",
        "revision": 7,
        "synced_at": "2026-11-25T11:58:00+00:00",
        "alerts": [
            {
                "alert_id": alert_id,
                "label": "parking lot empty",
                "starts_at": "2026-12-20T14:30:00+00:00",
                "ends_at": "2026-12-20T15:00:00+00:00",
                "pattern": "steady",
                "offset_minutes": -180,
                "silenced": False,
                "custom": False,
            }
        ],
    }


def concert(event_id: int = 14, alert_id: int = 40) -> dict[str, Any]:
    """A custom event item."""
    return {
        "event_id": event_id,
        "kind": "custom",
        "key": "custom-14",
        "title": "Concert",
        "start": "2026-12-05T19:00:00+00:00",
        "end": "2026-12-05T23:00:00+00:00",
        "state": "scheduled",
        "revision": 8,
        "alerts": [
            {
                "alert_id": alert_id,
                "starts_at": "2026-12-05T16:00:00+00:00",
                "ends_at": "2026-12-05T16:30:00+00:00",
                "pattern": "blink",
                "offset_minutes": -180,
            }
        ],
    }


def load_event(name: str) -> dict[str, Any]:
    """A recorded API Gateway HTTP API event from tests/cloud/events/."""
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())
