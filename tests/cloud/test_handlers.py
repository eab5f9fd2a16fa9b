"""The Lambda handlers, called as AWS calls them: recorded API Gateway events, moto behind.

GIVEN a device's read copy in moto's DynamoDB, WHEN a recorded HTTP API event is handed to
the route's handler, THEN the response and the side effects (IoT job, jobs row; never the
events table) are as the API promises.
"""

from __future__ import annotations

import copy
import importlib
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ghela.core.jobdocs import parse_job_document
from ghela.core.messages.commands import AddAlert, CreateEvent, FollowSource, SnoozeAlert
from ghela.core.messages.snapshots import OverrideField
from ghela_cloud import names
from ghela_cloud.api.routing import ROUTES
from ghela_cloud.api.settings import Settings
from ghela_cloud.api.stores import JobQueue
from ghela_cloud.local.lambda_events import LocalLambdaContext, match_route

from tests.cloud.conftest import Device, concert, game, load_event
from tests.support.cloudwatch import put_counts

pytestmark = pytest.mark.moto

WRITES = [
    "create_event",
    "update_event",
    "delete_event",
    "add_alert",
    "update_alert",
    "snooze_alert",
    "unsnooze_alert",
    "scrape_now",
]
READS = ["list_events", "get_event", "list_jobs", "get_device", "get_metrics", "get_next"]
SIGNED_IN = [  # routes without a device's job: devices, the calendar feed's status, notification settings
    "list_devices",
    "get_calendar_feed",
    "rotate_calendar_feed",
    "get_notify_preferences",
    "put_notify_preferences",
    "add_push_subscription",
    "put_notify_webhook",
]
EXPECTED_OPERATION = {
    "create_event": "createEvent",
    "update_event": "updateEvent",
    "delete_event": "deleteEvent",
    "add_alert": "addAlert",
    "update_alert": "updateAlert",
    "snooze_alert": "snoozeAlert",
    "unsnooze_alert": "unsnoozeAlert",
    "scrape_now": "scrapeNow",
}


def call(event: dict[str, Any]) -> tuple[int, Any]:
    route = match_route(event["requestContext"]["http"]["method"], event["rawPath"])
    assert route is not None, event["rawPath"]
    module, attribute = route.function.handler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module), attribute)
    result = handler(event, LocalLambdaContext(route.function.name))
    body = result.get("body")
    return result["statusCode"], json.loads(body) if body else None


def with_body(event: dict[str, Any], body: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["body"] = body if isinstance(body, str) else json.dumps(body)
    return changed


def as_staff(event: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    claims = changed["requestContext"]["authorizer"]["jwt"]["claims"]
    claims.pop("cognito:groups")
    claims["email"] = "staff@ghelamco-alert.local"
    return changed


def with_path(event: dict[str, Any], path: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    route = match_route(changed["requestContext"]["http"]["method"], path)
    assert route is not None
    changed["rawPath"] = changed["requestContext"]["http"]["path"] = path
    changed["pathParameters"] = route.path_parameters
    return changed


def with_query(event: dict[str, Any], **query: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["queryStringParameters"] = {**(changed.get("queryStringParameters") or {}), **query}
    changed["rawQueryString"] = "&".join(f"{k}={v}" for k, v in changed["queryStringParameters"].items())
    return changed


@pytest.fixture
def seeded(device: Device) -> Device:
    device.put_event(game())
    device.put_event(concert())
    return device


def events_partition(device: Device) -> list[dict[str, Any] | None]:
    return [*device.services.events.list_events(device.name), device.services.events.get_status(device.name)]


def test_every_route_has_a_recorded_event() -> None:
    recorded = {
        (load_event(n)["requestContext"]["http"]["method"], load_event(n)["routeKey"].split()[1])
        for n in [*WRITES, *READS, *SIGNED_IN, "calendar_feed"]
    }
    assert recorded == {(method, path) for method, path, _ in ROUTES}


@pytest.mark.parametrize("name", SIGNED_IN)
def test_settings_routes_without_authorizer_claims_are_401(device: Device, name: str) -> None:
    event = load_event(name)
    event["requestContext"].pop("authorizer")
    status, body = call(event)
    assert status == 401 and "token" in body["message"]


def test_the_calendar_feed_needs_no_claims_but_its_token(device: Device) -> None:
    status, body = call(load_event("calendar_feed"))  # never rotated: no token matches
    assert status == 404 and "token" in body["message"]


# --------------------------------------------------------------------------- reads


def test_list_events_gives_upcoming_events_sorted_and_skips_past_and_malformed(seeded: Device) -> None:
    past = game(event_id=3, alert_id=9, start="2026-11-01T14:00:00+00:00")
    past["alerts"][0].update(starts_at="2026-11-01T11:00:00+00:00", ends_at="2026-11-01T11:30:00+00:00")
    seeded.put_event(past)
    seeded.put_event({"event_id": 5, "kind": "game", "title": "broken"})  # no key, state, revision
    seeded.put_event({**game(event_id=6, alert_id=60), "start": None, "date": "2027-01-10"})

    status, body = call(load_event("list_events"))

    assert status == 200
    assert body["device"] == seeded.name
    assert [e["eventId"] for e in body["events"]] == [14, 12, 6]
    first = body["events"][1]
    assert first["title"] == "KAA Gent - RSC Anderlecht"
    assert first["alerts"][0] == {
        "alertId": 31,
        "label": "parking lot empty",
        "startsAt": "2026-12-20T14:30:00+00:00",
        "endsAt": "2026-12-20T15:00:00+00:00",
        "pattern": "steady",
        "offsetMinutes": -180,
        "snoozedUntil": None,
        "silenced": False,
        "custom": False,
    }
    assert body["events"][2]["date"] == "2027-01-10" and body["events"][2]["start"] is None


def test_a_key_only_row_is_skipped_by_the_list_and_not_found_alone(seeded: Device) -> None:
    # moto's UpdateItem on a new key stores the key before applying the SET (real DynamoDB is
    # atomic): a reader in between sees this row. It must not fail the list, nor be a 422.
    key = {"device": {"S": seeded.name}, "sk": {"S": names.event_sk(77)}}
    seeded.client("dynamodb").put_item(TableName=seeded.resources.events_table, Item=key)

    status, body = call(load_event("list_events"))
    assert status == 200 and [e["eventId"] for e in body["events"]] == [14, 12]
    status, body = call(with_path(load_event("get_event"), "/events/77"))
    assert status == 404 and body["message"] == f"event 77 not found on {seeded.name}"


def test_get_event(seeded: Device) -> None:
    status, body = call(load_event("get_event"))
    assert status == 200
    assert (
        body["eventId"] == 12 and body["kind"] == "game" and body["syncedAt"] == "2026-11-25T11:58:00+00:00"
    )


def test_list_jobs_splits_pending_from_recently_finished_with_reasons(seeded: Device, clock) -> None:
    ddb = seeded.client("dynamodb")
    now = clock.now()

    def put(job_id: str, status: str, age: timedelta, reason: str = "") -> None:
        at = (now - age).isoformat()
        item = {
            "job_id": {"S": job_id},
            "device": {"S": seeded.name},
            "operation": {"S": "snoozeAlert"},
            "document": {"S": '{"operation":"snoozeAlert","alertId":31}'},
            "requested_by": {"S": "a@b.c"},
            "status": {"S": status},
            "reason": {"S": reason},
            "created_at": {"S": at},
            "updated_at": {"S": at},
        }
        ddb.put_item(TableName=seeded.resources.jobs_table, Item=item)

    put(f"{seeded.name}-q", "QUEUED", timedelta(minutes=1))
    put(f"{seeded.name}-p", "IN_PROGRESS", timedelta(days=5))
    put(f"{seeded.name}-ok", "SUCCEEDED", timedelta(hours=2))
    put(f"{seeded.name}-no", "REJECTED", timedelta(hours=1), "alert 31 not found")
    put(f"{seeded.name}-old", "FAILED", timedelta(days=3), "too old to list")

    status, body = call(load_event("list_jobs"))  # hours=48

    assert status == 200
    assert body["hours"] == 48
    assert {j["jobId"] for j in body["pending"]} == {f"{seeded.name}-q", f"{seeded.name}-p"}
    assert [(j["jobId"], j["status"], j["reason"]) for j in body["finished"]] == [
        (f"{seeded.name}-no", "REJECTED", "alert 31 not found"),
        (f"{seeded.name}-ok", "SUCCEEDED", ""),
    ]
    assert body["pending"][0]["document"]["operation"] == "snoozeAlert"


def test_get_device_online_from_a_recent_heartbeat_with_light_state(seeded: Device, clock) -> None:
    now = clock.now()
    seeded.put_status(
        light_on=True,
        light_pattern="blink",
        light_since=(now - timedelta(minutes=20)).isoformat(),
        last_seen=(now - timedelta(hours=1)).isoformat(),
        revision=9,
        software_version="0.1.0",
    )
    put_counts(seeded.client("cloudwatch"), seeded.name, [("Heartbeat", now - timedelta(minutes=4), 1)])

    status, body = call(load_event("get_device"))

    assert status == 200
    assert body["online"] is True
    assert body["lastHeartbeat"] is not None
    assert body["lastSeen"] == (now - timedelta(hours=1)).isoformat()
    assert body["light"] == {
        "on": True,
        "pattern": "blink",
        "since": (now - timedelta(minutes=20)).isoformat(),
    }
    assert body["revision"] == 9 and body["softwareVersion"] == "0.1.0"


def test_get_device_dates_a_beat_sent_each_minute_to_its_minute_not_its_five_minute_bucket(
    seeded: Device, clock
) -> None:
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)
    # As the demo's Metrics sends them: one beat per closed 1-minute interval, stamped with its start.
    beats = [("Heartbeat", minute - timedelta(minutes=n), 1.0) for n in range(1, 8)]
    put_counts(seeded.client("cloudwatch"), seeded.name, beats)

    status, body = call(load_event("get_device"))

    assert status == 200
    assert datetime.fromisoformat(body["lastHeartbeat"]) == minute - timedelta(minutes=1)


def test_get_device_finds_an_older_beat_within_the_day(seeded: Device, clock) -> None:
    three_hours_ago = clock.now() - timedelta(hours=3)
    put_counts(seeded.client("cloudwatch"), seeded.name, [("Heartbeat", three_hours_ago, 1.0)])
    status, body = call(load_event("get_device"))
    assert status == 200 and body["lastHeartbeat"] is not None and body["online"] is False


def test_get_device_reports_each_sources_last_scrape_and_ignores_an_unreadable_list(
    seeded: Device, clock
) -> None:
    verdict = {
        "source": "kaagent.be",
        "scrapedAt": clock.now().isoformat(),
        "healthy": False,
        "complete": False,
        "fixtures": 0,
        "reasons": ["HTTP 503 after 3 retries"],
    }
    seeded.put_status(last_seen=clock.now().isoformat(), scrapes=json.dumps([verdict]))
    status, body = call(load_event("get_device"))
    assert status == 200 and body["scrapes"] == [verdict]
    seeded.put_status(last_seen=clock.now().isoformat(), scrapes="[" * 5000)
    status, body = call(load_event("get_device"))
    assert status == 200 and body["scrapes"] == [] and body["lastSeen"] is not None


COMPONENT_REPORT = {
    "component": "Scheduler",
    "state": "RUNNING",
    "starts": 3,
    "started_at": "2026-11-25T11:00:00+00:00",
    "at": "2026-11-25T11:30:00+00:00",
}


def test_get_device_shows_each_components_state_and_restarts_beside_hostile_rows(seeded: Device) -> None:
    rows = [
        COMPONENT_REPORT,
        {**COMPONENT_REPORT, "component": "AlertLight", "state": "ERRORED", "starts": 1},
        {**COMPONENT_REPORT, "component": "Metrics", "starts": 10**12},
        {**COMPONENT_REPORT, "component": "Scraper", "state": "BROKEN"},
        "[" * 200,
        {**COMPONENT_REPORT, "component": "x" * 5000},
    ]
    seeded.put_status(last_seen=COMPONENT_REPORT["at"], components=json.dumps(rows))
    status, body = call(load_event("get_device"))
    assert status == 200
    assert [(c["component"], c["state"], c["restarts"]) for c in body["components"]] == [
        ("Scheduler", "RUNNING", 2),
        ("AlertLight", "ERRORED", 0),
    ]
    assert body["components"][0]["startedAt"] == COMPONENT_REPORT["started_at"]


def test_list_devices_names_every_device_with_status_venue_and_next_alert(seeded: Device, clock) -> None:
    now = clock.now()
    seeded.put_status(light_on=False, last_seen=now.isoformat(), software_version="0.1.0")
    status, body = call(load_event("list_devices"))
    assert status == 200 and body["admin"] is True
    mine, spare = body["devices"]
    assert mine["status"]["device"] == seeded.name and mine["status"]["online"] is True
    assert mine["status"]["light"]["on"] is False and mine["venue"] == "Planet Group Arena"
    assert mine["next"]["alertId"] == 40 and mine["next"]["what"] == "Concert"
    assert spare["status"]["device"] == "ghela-spare-pi" and spare["status"]["online"] is False
    assert spare["venue"] is None and spare["next"] is None
    status, body = call(as_staff(load_event("list_devices")))
    assert status == 200 and body["admin"] is False and len(body["devices"]) == 2


def test_staff_may_not_ask_for_a_scrape(seeded: Device) -> None:
    status, body = call(as_staff(load_event("scrape_now")))
    assert status == 403 and "administrators" in body["message"]
    assert seeded.jobs() == []


def test_get_device_offline_without_heartbeat_or_status(device: Device) -> None:
    status, body = call(load_event("get_device"))
    assert status == 200
    assert body == {
        "device": device.name,
        "online": False,
        "lastHeartbeat": None,
        "lastSeen": None,
        "light": None,
        "revision": None,
        "softwareVersion": None,
        "scrapes": [],
        "components": [],
    }


def test_get_metrics_gives_every_counter_as_a_series(device: Device, clock) -> None:
    now = clock.now()
    put_counts(device.client("cloudwatch"), device.name, [("EventsAdded", now - timedelta(hours=3), 4)])

    status, body = call(load_event("get_metrics"))

    assert status == 200
    assert body["period"] == "24h" and body["periodSeconds"] == 300
    assert [s["metric"] for s in body["series"]] == list(names.METRIC_NAMES)
    added = next(s for s in body["series"] if s["metric"] == "EventsAdded")
    assert sum(added["values"]) == 4 and len(added["timestamps"]) == len(added["values"])
    assert body["widgetImage"] is None  # widget images only with the real CloudWatch


# --------------------------------------------------------------------------- writes


@pytest.mark.parametrize("name", WRITES)
def test_a_write_queues_an_iot_job_and_records_it_without_touching_the_events_table(
    seeded: Device, name: str
) -> None:
    before = events_partition(seeded)

    status, body = call(load_event(name))

    assert status == 202, body
    assert body["status"] == "QUEUED" and body["device"] == seeded.name
    assert body["operation"] == EXPECTED_OPERATION[name]
    job = seeded.iot_job(body["jobId"])
    assert job["targets"] == [f"{seeded.resources.thing_arn.rsplit('/', 1)[0]}/{seeded.name}"]
    assert job["document"]["operation"] == EXPECTED_OPERATION[name]
    parse_job_document(job["document"])  # the device will accept the document
    [row] = seeded.jobs()
    assert row["job_id"] == body["jobId"] and row["status"] == "QUEUED"
    assert body["jobId"].startswith(Settings().job_id_prefix)  # what IAM's job/<prefix>* names
    assert row["requested_by"] == "demo@ghelamco-alert.local"
    assert json.loads(row["document"]) == job["document"]
    assert "expires_at" not in row  # the TTL is set only when the job finishes
    assert events_partition(seeded) == before


def test_created_event_document_carries_the_request_in_utc(seeded: Device) -> None:
    _, body = call(load_event("create_event"))
    command = parse_job_document(seeded.iot_job(body["jobId"])["document"])
    assert isinstance(command, CreateEvent)
    assert command.title == "Christmas concert"
    assert command.start.isoformat() == "2026-12-19T18:00:00+00:00"
    assert command.alerts is None


def test_added_alert_and_snooze_documents(seeded: Device) -> None:
    _, added = call(load_event("add_alert"))
    command = parse_job_document(seeded.iot_job(added["jobId"])["document"])
    assert isinstance(command, AddAlert)
    assert (command.event_id, command.alert.offset_minutes, command.alert.duration_minutes) == (12, -240, 45)
    _, snoozed = call(with_body(load_event("snooze_alert"), "{}"))
    command = parse_job_document(seeded.iot_job(snoozed["jobId"])["document"])
    assert command == SnoozeAlert(alert_id=31, minutes=None)  # no minutes: silence the alert


def test_snooze_without_a_body_silences(seeded: Device) -> None:
    event = load_event("snooze_alert")
    event.pop("body")
    status, body = call(event)
    assert status == 202
    assert seeded.iot_job(body["jobId"])["document"] == {"operation": "snoozeAlert", "alertId": 31}


def test_cancelling_a_game_is_a_cancel_event_job(seeded: Device) -> None:
    status, body = call(with_body(load_event("update_event"), {"cancelled": True}))
    assert status == 202 and body["operation"] == "cancelEvent"


def test_a_correction_of_a_game_names_who_and_following_the_source_is_a_job(seeded: Device) -> None:
    status, body = call(with_body(load_event("update_event"), {"venue": "Elders"}))
    assert status == 202 and body["operation"] == "updateEvent"
    document = seeded.iot_job(body["jobId"])["document"]
    assert document["venue"] == "Elders" and document["by"]
    status, body = call(with_body(load_event("update_event"), {"followSource": "start"}))
    assert status == 202 and body["operation"] == "followSource"
    command = parse_job_document(seeded.iot_job(body["jobId"])["document"])
    assert command == FollowSource(event_id=12, field=OverrideField.START, by=document["by"])
    status, body = call(with_body(load_event("update_event"), {"followSource": True}))
    command = parse_job_document(seeded.iot_job(body["jobId"])["document"])
    assert isinstance(command, FollowSource) and command.field is None


def test_a_game_is_cancelled_never_deleted(seeded: Device) -> None:
    status, body = call(with_path(load_event("delete_event"), "/events/12"))
    assert status == 409
    assert "cancelled" in body["message"]
    assert seeded.jobs() == []


def test_events_of_a_named_device(seeded: Device) -> None:
    event = with_query(load_event("list_events"), device="ghela-spare-pi")
    status, body = call(event)
    assert status == 200 and body == {"device": "ghela-spare-pi", "events": []}


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize("name", WRITES + READS)
def test_without_authorizer_claims_every_route_is_401(seeded: Device, name: str) -> None:
    event = load_event(name)
    event["requestContext"].pop("authorizer")
    status, body = call(event)
    assert status == 401
    assert "token" in body["message"]
    assert seeded.jobs() == []


@pytest.mark.parametrize(
    "body", [{"start": "2026-12-20T20:45:00+01:00"}, {"cancelled": True}, {"followSource": True}]
)
def test_staff_may_not_change_a_game(seeded: Device, body: dict[str, Any]) -> None:
    status, answer = call(as_staff(with_body(load_event("update_event"), body)))
    assert status == 403
    assert "administrators" in answer["message"]
    assert seeded.jobs() == []


def test_staff_may_change_custom_events_and_alerts(seeded: Device) -> None:
    changed = as_staff(with_path(load_event("update_event"), "/events/14"))
    status, _body = call(changed)
    assert status == 202
    assert seeded.jobs()[0]["requested_by"] == "staff@ghelamco-alert.local"
    for name in ("delete_event", "snooze_alert", "add_alert", "create_event"):
        status, _ = call(as_staff(load_event(name)))
        assert status == 202, name


# --------------------------------------------------------------------------- validation


INVALID_BODIES = [
    ("create_event", {"title": "x", "start": "2026-12-19T19:00:00"}, "start"),
    ("create_event", {"start": "2026-12-19T19:00:00+01:00"}, "title"),
    ("create_event", {"title": "", "start": "2026-12-19T19:00:00+01:00"}, "title"),
    (
        "create_event",
        {"title": "x", "start": "2026-12-19T19:00:00+01:00", "end": "2026-12-19T18:00:00+01:00"},
        "(body)",
    ),
    (
        "create_event",
        {"title": "x", "start": "2026-12-19T19:00:00+01:00", "alerts": [{"durationMinutes": 5}]},
        "alerts.0",
    ),
    ("create_event", {"title": "x", "start": "2026-12-19T19:00:00+01:00", "colour": "red"}, "colour"),
    ("update_event", {}, "(body)"),
    ("update_event", {"cancelled": True, "title": "x"}, "(body)"),
    ("update_event", {"cancelled": False}, "cancelled"),
    ("update_event", {"followSource": True, "title": "x"}, "(body)"),
    ("update_event", {"followSource": "kickoff"}, "followSource"),
    ("update_event", {"start": "tomorrow"}, "start"),
    ("add_alert", {"offsetMinutes": -180, "at": "2026-12-20T14:00:00Z"}, "(body)"),
    ("add_alert", {"offsetMinutes": -180, "pattern": "off"}, "(body)"),
    ("add_alert", {"offsetMinutes": -99999}, "offsetMinutes"),
    ("update_alert", {}, "(body)"),
    ("update_alert", {"durationMinutes": 0}, "durationMinutes"),
    ("update_alert", {"pattern": "disco"}, "pattern"),
    ("snooze_alert", {"minutes": 0}, "minutes"),
    ("snooze_alert", {"minutes": "ten"}, "minutes"),
    ("snooze_alert", [1, 2], "(body)"),
    ("create_event", "{not json", "(body)"),
]


@pytest.mark.parametrize(("name", "body", "field"), INVALID_BODIES)
def test_invalid_bodies_are_422_naming_the_field(seeded: Device, name: str, body: Any, field: str) -> None:
    status, answer = call(with_body(load_event(name), body))
    assert status == 422, answer
    assert answer["statusCode"] == 422
    assert answer["errors"], answer
    assert answer["errors"][0]["field"] == field, answer
    assert answer["errors"][0]["message"]
    assert seeded.jobs() == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("get_event", "/events/abc"),
        ("get_event", "/events/0"),
        ("update_alert", "/alerts/-3"),
        ("snooze_alert", "/alerts/99999999999999999999/snooze"),
    ],
)
def test_invalid_ids_are_422(seeded: Device, name: str, path: str) -> None:
    status, answer = call(with_path(load_event(name), path))
    assert status == 422
    assert answer["errors"][0]["field"] in ("eventId", "alertId")


@pytest.mark.parametrize(("query", "field"), [({"hours": "0"}, "hours"), ({"hours": "many"}, "hours")])
def test_invalid_query_is_422(seeded: Device, query: dict[str, str], field: str) -> None:
    status, answer = call(with_query(load_event("list_jobs"), **query))
    assert status == 422 and answer["errors"][0]["field"] == field


def test_invalid_metrics_period_is_422(seeded: Device) -> None:
    status, answer = call(with_query(load_event("get_metrics"), period="1y"))
    assert status == 422 and answer["errors"][0]["field"] == "period"


# --------------------------------------------------------------------------- not found


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("get_event", "/events/999"),
        ("update_event", "/events/999"),
        ("delete_event", "/events/999"),
        ("add_alert", "/events/999/alerts"),
        ("update_alert", "/alerts/999"),
        ("snooze_alert", "/alerts/999/snooze"),
        ("unsnooze_alert", "/alerts/999/snooze"),
    ],
)
def test_unknown_ids_are_404_and_queue_nothing(seeded: Device, name: str, path: str) -> None:
    status, answer = call(with_path(load_event(name), path))
    assert status == 404
    assert "999" in answer["message"]
    assert seeded.jobs() == []


@pytest.mark.parametrize("name", WRITES + READS)
def test_unknown_device_is_404(seeded: Device, name: str) -> None:
    status, answer = call(with_query(load_event(name), device="someone-elses-pi"))
    assert status == 404
    assert "someone-elses-pi" in answer["message"]


def test_a_new_end_before_the_stored_start_is_422(seeded: Device) -> None:
    status, answer = call(with_body(load_event("update_event"), {"end": "2026-12-20T12:00:00+01:00"}))
    assert status == 422
    assert answer["errors"] == [{"field": "end", "message": "end must be after start"}]


class RefusingQueue(JobQueue):
    """IoT refuses every job (throttled, or the thing is gone)."""

    def __init__(self) -> None:
        super().__init__(iot=None)

    def create(self, job_id: str, thing_arn: str, document: dict[str, Any], description: str) -> None:
        error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
        raise ClientError(error, "CreateJob")


def test_when_iot_refuses_the_job_it_is_recorded_failed_and_answered_502(seeded: Device) -> None:
    seeded.services.__dict__["queue"] = RefusingQueue()  # the cached_property's slot

    status, answer = call(load_event("snooze_alert"))

    assert status == 502
    assert "could not be created" in answer["message"]
    [row] = seeded.jobs()
    assert row["status"] == "FAILED"
    assert "ThrottlingException" in row["reason"]
    assert row["expires_at"] > 0
