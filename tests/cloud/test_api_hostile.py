"""The API under hostile requests: bodies, content types, paths and queries never give a 5xx.

Through :class:`~ghela_cloud.local.server.LocalApi` (the local API Gateway: token check,
HTTP API event, the deployed handler) with a real Cognito token from moto. Every write
route gets hostile bodies (tests/support/hostile.py) as JSON, as text/plain and as other
content types; every route gets hostile path ids and query values. Each answer is a 4xx
with a readable JSON error, and an instant outside 2000–2100 is a 422 naming the field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from ghela.core.clock import SystemClock
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import LocalApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloud.conftest import CachingSession
from tests.cloud.test_local_server import local, web_root  # noqa: F401 (fixtures)
from tests.support import hostile

pytestmark = pytest.mark.moto

HOSTILE = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/events", {"title": "Concert", "start": "2026-12-20T20:00:00+01:00"}),
    ("PATCH", "/api/events/14", {"title": "Renamed"}),
    ("POST", "/api/events/14/alerts", {"offsetMinutes": -60, "durationMinutes": 30}),
    ("PATCH", "/api/alerts/40", {"durationMinutes": 45}),
    ("POST", "/api/alerts/40/snooze", {"minutes": 15}),
]
READS = ["/api/events", "/api/events/14", "/api/jobs", "/api/device", "/api/metrics"]
CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin-1",
    "application/xml",
    "",
]


@pytest.fixture(scope="module")
def api(local: LocalResources, web_root) -> LocalApi:  # noqa: F811
    return LocalApi(local, web_root=web_root)


@pytest.fixture(scope="module")
def auth(admin_tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_tokens['IdToken']}"}


def send(api: LocalApi, auth: dict[str, str], method: str, target: str, body: bytes | None, kind: str) -> Any:
    headers = {**auth, "Host": "localhost"}
    if kind:
        headers["Content-Type"] = kind
    response = api.handle(method, target, headers, body)
    assert response.status < 500, (method, target, kind, response.status, response.body[:500])
    if response.status >= 400:
        error = json.loads(response.body)
        assert error["message"] and len(response.body) < 10_000
    return response


@HOSTILE
@given(
    st.sampled_from(WRITES).flatmap(lambda w: st.tuples(st.just(w), hostile.with_hostile_field(w[2]))),
    st.sampled_from(CONTENT_TYPES),
)
def test_a_hostile_field_in_any_body_is_a_4xx(
    api: LocalApi, auth: dict[str, str], case: Any, kind: str
) -> None:
    (method, target, _), (body, field, value) = case
    marked = hostile.json_text({**body, field: "__HOSTILE__"})
    text = marked.replace('"__HOSTILE__"', hostile.json_text(value))
    send(api, auth, method, target, text.encode(), kind)


@HOSTILE
@given(st.sampled_from(WRITES), hostile.raw_bodies(), st.sampled_from(CONTENT_TYPES))
def test_a_hostile_body_on_any_write_route_is_a_4xx(
    api: LocalApi, auth: dict[str, str], write: Any, body: bytes, kind: str
) -> None:
    method, target, _ = write
    send(api, auth, method, target, body, kind)  # "{}" is a valid snooze: only 5xx are wrong


@HOSTILE
@given(st.sampled_from(READS + [w[1] for w in WRITES]), st.one_of(hostile.scalars(), hostile.instants()))
def test_hostile_ids_and_queries_on_any_route_are_answered_without_a_5xx(
    api: LocalApi, auth: dict[str, str], target: str, value: Any
) -> None:
    raw = hostile.json_text(value) if isinstance(value, int) else str(value)[:2000]
    text = quote(raw.encode("utf-8", "surrogatepass"))  # a lone surrogate becomes bytes that are not UTF-8
    with_id = target.replace("/14", f"/{text}").replace("/40", f"/{text}")
    for method in ("GET", "POST", "PATCH", "DELETE"):
        send(api, auth, method, with_id, None, "")
    for query in ("device", "hours", "since", "days"):
        send(api, auth, "GET", f"{target}?{query}={text}", None, "")


@pytest.mark.parametrize("instant", hostile.POISON_INSTANTS)
def test_an_instant_outside_2000_to_2100_is_a_422_naming_the_field(
    api: LocalApi, auth: dict[str, str], instant: str
) -> None:
    body = json.dumps({"title": "Concert", "start": instant}).encode()
    response = send(api, auth, "POST", "/api/events", body, "application/json")
    assert response.status == 422, response.body
    assert [e["field"] for e in json.loads(response.body)["errors"]] == ["start"]


@pytest.mark.parametrize("kind", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_by_its_content_type_is_a_415(
    api: LocalApi, auth: dict[str, str], kind: str
) -> None:
    body = json.dumps({"minutes": 15}).encode()
    response = send(api, auth, "POST", "/api/alerts/40/snooze", body, kind)
    assert response.status == 415, response.body


def test_hostile_stored_job_rows_do_not_stop_get_jobs_from_listing_the_others(
    api: LocalApi, auth: dict[str, str], local: LocalResources, aws: CachingSession  # noqa: F811
) -> None:
    ddb = aws.client("dynamodb", endpoint_url=local.endpoint_url)
    now = SystemClock().now().replace(microsecond=0)

    def row(job_id: str, **changes: Any) -> None:
        item = {
            "job_id": job_id, "device": local.thing_name, "operation": "snoozeAlert",
            "document": '{"operation": "snoozeAlert", "alertId": 40}', "requested_by": "a@b.c",
            "status": "QUEUED", "created_at": now.isoformat(), **changes,
        }
        ddb.put_item(TableName=local.jobs_table, Item={k: {"S": v} for k, v in item.items()})

    row("hostile-deep", document=hostile.deep_json(), status="REJECTED", reason="nested too deeply")
    row("hostile-time", created_at="9999-12-31T23:59:00-01:00")
    row("hostile-status", status="EXPLODED")
    row("hostile-utf", document='{"a": "\\ud800"}', requested_by="x" * 100_000)
    row("hostile-number", document='{"n": ' + "9" * 5000 + "}")
    row("good-one")
    response = send(api, auth, "GET", "/api/jobs", None, "")
    assert response.status == 200
    body = json.loads(response.body)
    listed = {job["jobId"]: job for job in body["pending"] + body["finished"]}
    assert listed["good-one"]["document"] == {"operation": "snoozeAlert", "alertId": 40}
    deep = listed["hostile-deep"]
    assert deep["document"] == {} and (deep["status"], deep["reason"]) == ("REJECTED", "nested too deeply")
    assert "hostile-time" not in listed and "hostile-status" not in listed
