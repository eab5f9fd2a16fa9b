"""The local server end to end: real Cognito tokens from moto, HTTP on a free port."""

from __future__ import annotations

import dataclasses
import http.client
import json
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from ghela.core.clock import SystemClock
from ghela_cloud.local.jwt import JwtVerifier
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import MAX_BODY_BYTES, LocalApi, LocalApiServer
from ghela_cloud.webheaders import content_security_policy, security_headers

from tests.cloud.conftest import CachingSession, concert, game, sign_in
from tests.support.jwks import JwksServer, jwk

pytestmark = pytest.mark.moto


@pytest.fixture(scope="module")
def local(cloud: LocalResources, aws: CachingSession) -> LocalResources:
    """The provisioned resources with a thing of this module's own (others share moto)."""
    name = f"pi-{uuid.uuid4().hex[:10]}"
    arn = aws.client("iot", endpoint_url=cloud.endpoint_url).create_thing(thingName=name)["thingArn"]
    resources = dataclasses.replace(cloud, thing_name=name, thing_arn=arn)
    ddb = aws.client("dynamodb", endpoint_url=cloud.endpoint_url)
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    for item in (game(), concert()):
        full = {"device": name, "sk": f"event#{item['event_id']:010d}", **item}
        ddb.put_item(TableName=cloud.events_table, Item={k: serializer.serialize(v) for k, v in full.items()})
    return resources


@pytest.fixture(scope="module")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    (root / "index.html").write_text("<!doctype html><title>Ghelamco Alert</title>")
    (root / "app.js").write_text("console.log('hi');")
    return root


@pytest.fixture(scope="module")
def server(local: LocalResources, web_root: Path) -> Iterator[LocalApiServer]:
    with LocalApiServer(LocalApi(local, web_root=web_root)) as running:
        yield running


def bearer(tokens: dict[str, str], kind: str = "IdToken") -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[kind]}"}


def test_signed_in_user_reads_upcoming_events(
    server: LocalApiServer, local: LocalResources, admin_tokens: dict[str, str]
) -> None:
    response = requests.get(f"{server.url}/api/events", headers=bearer(admin_tokens), timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["device"] == local.thing_name
    assert [e["eventId"] for e in body["events"]] == [14, 12]


def test_access_token_works_too(server: LocalApiServer, admin_tokens: dict[str, str]) -> None:
    response = requests.get(
        f"{server.url}/api/events/12", headers=bearer(admin_tokens, "AccessToken"), timeout=10
    )
    assert response.status_code == 200 and response.json()["eventId"] == 12


def test_snooze_then_the_job_is_pending(
    server: LocalApiServer, local: LocalResources, admin_tokens: dict[str, str], aws: CachingSession
) -> None:
    response = requests.post(
        f"{server.url}/api/alerts/31/snooze", json={"minutes": 15}, headers=bearer(admin_tokens), timeout=10
    )
    assert response.status_code == 202
    job_id = response.json()["jobId"]
    jobs = requests.get(f"{server.url}/api/jobs", headers=bearer(admin_tokens), timeout=10).json()
    [pending] = [j for j in jobs["pending"] if j["jobId"] == job_id]
    assert pending["requestedBy"] == local.demo_email
    assert pending["document"] == {"operation": "snoozeAlert", "alertId": 31, "minutes": 15}
    iot = aws.client("iot", endpoint_url=local.endpoint_url)
    executions = iot.list_job_executions_for_thing(thingName=local.thing_name)["executionSummaries"]
    assert job_id in {e["jobId"] for e in executions}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_without_a_valid_token_401(server: LocalApiServer, headers: dict[str, str]) -> None:
    response = requests.get(f"{server.url}/api/events", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_a_tampered_token_is_401(server: LocalApiServer, admin_tokens: dict[str, str]) -> None:
    head, payload, signature = admin_tokens["IdToken"].split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admins", "root"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = requests.get(
        f"{server.url}/api/events",
        headers={"Authorization": f"Bearer {head}.{forged}.{signature}"},
        timeout=10,
    )
    assert response.status_code == 401


def test_a_token_for_another_app_client_is_401(
    server: LocalApiServer, local: LocalResources, aws: CachingSession
) -> None:
    idp = aws.client("cognito-idp", endpoint_url=local.endpoint_url)
    other = idp.create_user_pool_client(
        UserPoolId=local.user_pool_id,
        ClientName=f"other-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    tokens = sign_in(
        dataclasses.replace(local, client_id=other["UserPoolClient"]["ClientId"]),
        local.demo_email,
        local.demo_password,
    )
    response = requests.get(f"{server.url}/api/events", headers=bearer(tokens), timeout=10)
    assert response.status_code == 401


def test_an_expired_token_is_401(local: LocalResources, web_root: Path) -> None:
    """moto's tokens live an hour, so the expired one is signed here, by a pool of its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with JwksServer([jwk(key, "k")]) as served:
        verifier = JwtVerifier(local.issuer, [local.client_id], served.url)
        api = LocalApi(local, web_root=web_root, verifier=verifier)
        now = int(SystemClock().now().timestamp())
        claims = {"iss": local.issuer, "aud": local.client_id, "token_use": "id", "sub": "u"}
        expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, key, "RS256", {"kid": "k"})
        fresh = jwt.encode({**claims, "iat": now - 60, "exp": now + 3600}, key, "RS256", {"kid": "k"})
        assert api.handle("GET", "/api/events", bearer({"IdToken": expired}), None).status == 401
        assert api.handle("GET", "/api/events", bearer({"IdToken": fresh}), None).status == 200


def test_staff_may_not_cancel_a_game_but_may_snooze(
    server: LocalApiServer, staff_tokens: dict[str, str]
) -> None:
    cancel = requests.patch(
        f"{server.url}/api/events/12", json={"cancelled": True}, headers=bearer(staff_tokens), timeout=10
    )
    assert cancel.status_code == 403
    snooze = requests.post(f"{server.url}/api/alerts/40/snooze", headers=bearer(staff_tokens), timeout=10)
    assert snooze.status_code == 202


def test_field_errors_come_back_as_422(server: LocalApiServer, admin_tokens: dict[str, str]) -> None:
    response = requests.post(
        f"{server.url}/api/events",
        json={"title": "Party", "start": "2026-12-01T20:00:00"},
        headers=bearer(admin_tokens),
        timeout=10,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "start", "message": "Input should have timezone info"}]


def test_unknown_api_path_is_404(server: LocalApiServer, admin_tokens: dict[str, str]) -> None:
    for path in ("/api/nothing", "/api/events/12/nothing", "/api"):
        assert (
            requests.get(f"{server.url}{path}", headers=bearer(admin_tokens), timeout=10).status_code == 404
        )


@pytest.mark.parametrize(("length", "status"), [("lots", 400), ("-5", 400), (str(MAX_BODY_BYTES + 1), 413)])
def test_a_bad_or_oversized_content_length_is_refused_unread(
    server: LocalApiServer, length: str, status: int
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/api/events")
        connection.putheader("Content-Length", length)
        connection.endheaders()
        assert connection.getresponse().status == status
    finally:
        connection.close()
    assert requests.get(f"{server.url}/config.json", timeout=10).status_code == 200  # still serving


def test_cors_preflight(server: LocalApiServer) -> None:
    response = requests.options(
        f"{server.url}/api/events", headers={"Origin": "http://localhost:3000"}, timeout=10
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_config_json_tells_the_page_where_everything_is(
    server: LocalApiServer, local: LocalResources
) -> None:
    config = requests.get(f"{server.url}/config.json", timeout=10).json()
    assert config == {
        "apiUrl": f"{server.url}/api",
        "region": local.region,
        "userPoolId": local.user_pool_id,
        "clientId": local.client_id,
        "cognitoEndpoint": f"{server.url}/cognito",  # moto behind the local SRP check
    }


def test_static_files_and_no_escape_from_the_web_root(server: LocalApiServer) -> None:
    index = requests.get(f"{server.url}/", timeout=10)
    assert index.status_code == 200 and "Ghelamco Alert" in index.text
    assert index.headers["Content-Type"] == "text/html"
    script = requests.get(f"{server.url}/app.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert requests.get(f"{server.url}/missing.css", timeout=10).status_code == 404
    assert requests.get(f"{server.url}/%2e%2e/%2e%2e/etc/passwd", timeout=10).status_code == 404
    assert requests.post(f"{server.url}/index.html", timeout=10).status_code == 405


def test_every_response_has_the_pages_security_headers_and_no_version(server: LocalApiServer) -> None:
    for response in (
        requests.get(f"{server.url}/", timeout=10),
        requests.get(f"{server.url}/config.json", timeout=10),
        requests.get(f"{server.url}/api/events", timeout=10),  # a 401
    ):
        for key, value in security_headers().items():
            assert response.headers[key] == value, (response.url, key)
        assert response.headers["Server"] == "ghela-local-api"  # no "BaseHTTP/… Python/3.x"
    assert security_headers()["Content-Security-Policy"] == content_security_policy([])


def test_a_body_shorter_than_its_content_length_does_not_hold_a_thread(
    local: LocalResources, web_root: Path
) -> None:
    with LocalApiServer(LocalApi(local, web_root=web_root), read_timeout=0.5) as quick:
        host, port = quick.url.removeprefix("http://").split(":")
        stalled = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            stalled.putrequest("POST", "/api/events")
            stalled.putheader("Content-Length", "1000")
            stalled.endheaders(b'{"title": "x"')  # 13 bytes of the 1000 announced, then nothing
            started = time.monotonic()
            response = stalled.getresponse()
            assert response.status == 408 and time.monotonic() - started < 5
        finally:
            stalled.close()
        silent = socket.create_connection((host, int(port)), timeout=10)  # connects, says nothing
        try:
            assert silent.recv(1024) == b""  # closed by the server once the read timeout passed
        finally:
            silent.close()
        assert requests.get(f"{quick.url}/config.json", timeout=10).status_code == 200


def test_a_job_from_the_api_is_taken_in_at_once_not_at_the_next_poll(
    server: LocalApiServer,
    local: LocalResources,
    admin_tokens: dict[str, str],
    aws: CachingSession,
    tmp_path: Path,
) -> None:
    """IoT Jobs knows of a job as it is created; the local endpoint, told by the API, takes
    it in at once although its own poll of moto is an hour away."""
    from ghela_tools.runtime.iotcore import LocalIotCore
    from ghela_tools.runtime.iotjobs import LocalJobsEndpoint

    from tests.support.waiting import wait_for

    iot = aws.client("iot", endpoint_url=local.endpoint_url)
    before = f"before-{uuid.uuid4().hex[:8]}"
    iot.create_job(jobId=before, targets=[local.thing_arn], document='{"operation": "scrapeNow"}')
    jobs = LocalJobsEndpoint(
        LocalIotCore(), iot, [local.thing_name], SystemClock(), poll_seconds=3600, state_path=tmp_path / "j"
    ).start()
    try:
        wait_for(lambda: jobs.status(local.thing_name, before) is not None, what="the poll at start")
        server.api.on_job_created(jobs.job_created)
        url = f"{server.url}/api/alerts/31/snooze"
        response = requests.post(url, headers=bearer(admin_tokens), timeout=10)
        assert response.status_code == 202
        job_id = response.json()["jobId"]
        wait_for(lambda: jobs.status(local.thing_name, job_id) is not None, what="the API's job")
    finally:
        jobs.stop()


def test_the_dashboards_parallel_reads_of_one_function_each_get_their_own_answer(
    server: LocalApiServer, admin_tokens: dict[str, str]
) -> None:
    """The dashboard asks GET /events, /device, /next and /devices at once. powertools keeps
    the request being answered in class attributes shared by every resolver of the process
    (``BaseRouter.current_event``) and in the resolver (``context``), so two answered at the
    same time read each other's event: /events came back 422 "invalid request" (the e2e
    run's "Events could not be loaded: invalid request"). Each answer must be its own."""
    paths = ["/api/events", "/api/next", "/api/events/12", "/api/device", "/api/jobs"] * 30
    session = requests.Session()

    def get(path: str) -> requests.Response:
        return session.get(server.url + path, headers=bearer(admin_tokens), timeout=10)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often: the race shows on every run, not one in ten
    try:
        with session, ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(zip(paths, pool.map(get, paths), strict=True))
    finally:
        sys.setswitchinterval(switch)
    assert [(path, answer.status_code) for path, answer in answers if answer.status_code != 200] == []
    assert all("events" in answer.json() for path, answer in answers if path == "/api/events")
