"""/notify through the local server (real HTTP, moto, Cognito tokens): preferences, push
subscriptions, the admin's webhook in SSM as a SecureString; hostile bodies are 422s naming
the field, never a 500."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest
import requests
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import LocalApi, LocalApiServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloud.conftest import STAFF_EMAIL, STAFF_PASSWORD, CachingSession, sign_in

pytestmark = pytest.mark.moto

P256DH = base64.urlsafe_b64encode(b"\x04" + os.urandom(64)).rstrip(b"=").decode()
AUTH = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def server(cloud: LocalResources) -> Iterator[LocalApiServer]:
    with LocalApiServer(LocalApi(cloud)) as running:
        yield running


def call(
    server: LocalApiServer, tokens: dict[str, str], method: str, path: str, body=None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {tokens['IdToken']}"}
    return requests.request(method, f"{server.url}/api{path}", json=body, headers=headers, timeout=10)


def test_a_user_chooses_channels_and_adds_a_push_subscription(
    server: LocalApiServer, admin_tokens: dict[str, str]
) -> None:
    view = call(server, admin_tokens, "GET", "/notify/preferences").json()
    assert view["alerts"] == "final-call" and view["lateChanges"] is True
    assert len(base64.urlsafe_b64decode(view["vapidPublicKey"] + "==")) == 65
    saved = call(server, admin_tokens, "PUT", "/notify/preferences", {"channels": ["email", "push"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["channels"] == ["email", "push"] and saved.json()["email"].endswith(
        "@ghelamco-alert.local"
    )
    subscription = {
        "endpoint": "https://push.example/abc",
        "expirationTime": None,
        "keys": {"p256dh": P256DH, "auth": AUTH},
    }
    added = call(server, admin_tokens, "POST", "/notify/push-subscriptions", subscription)
    assert added.status_code == 200, added.text
    again = call(server, admin_tokens, "POST", "/notify/push-subscriptions", subscription)
    assert again.json()["pushDevices"] == added.json()["pushDevices"]  # the same browser once


def test_only_an_admin_sets_the_webhook_and_it_is_a_securestring(
    server: LocalApiServer, cloud: LocalResources, aws: CachingSession, admin_tokens: dict[str, str]
) -> None:
    staff = sign_in(cloud, STAFF_EMAIL, STAFF_PASSWORD)
    body = {"url": "https://example.webhook.office.com/webhookb2/abc", "kind": "teams"}
    assert call(server, staff, "PUT", "/notify/webhook", body).status_code == 403
    assert call(server, admin_tokens, "PUT", "/notify/webhook", body).json() == {
        "webhookSet": True,
        "kind": "teams",
    }
    ssm = aws.client("ssm", endpoint_url=cloud.endpoint_url)
    parameter = ssm.get_parameter(Name=f"{cloud.ssm_prefix}/webhook-url")["Parameter"]
    decrypted = ssm.get_parameter(Name=parameter["Name"], WithDecryption=True)["Parameter"]["Value"]
    assert parameter["Type"] == "SecureString" and parameter["Value"] != decrypted
    assert "url" not in call(server, admin_tokens, "GET", "/notify/preferences").json()
    refused = call(server, admin_tokens, "PUT", "/notify/webhook", {"url": "http://evil.example/hook"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "url"


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_subscriptions = st.fixed_dictionaries(
    {"endpoint": st.text(max_size=60) | st.sampled_from(["https://push.example/x", "http://evil.example/x"])},
    optional={
        "keys": st.fixed_dictionaries({"p256dh": st.text(max_size=90), "auth": st.text(max_size=30)}) | _json
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/notify/preferences", "/notify/push-subscriptions", "/notify/webhook"]),
    body=_json | _subscriptions | st.fixed_dictionaries({"channels": _json, "alerts": _json, "url": _json}),
)
def test_hostile_bodies_are_422_naming_the_field(
    server: LocalApiServer, admin_tokens: dict[str, str], path: str, body: object
) -> None:
    method = "POST" if path.endswith("subscriptions") else "PUT"
    response = call(server, admin_tokens, method, path, body)
    assert response.status_code in (200, 422), (response.status_code, response.text)
    if response.status_code == 422:
        assert response.json()["errors"], response.text


def test_a_deeply_nested_body_is_refused(server: LocalApiServer, admin_tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {admin_tokens['IdToken']}", "Content-Type": "application/json"}
    deep = "[" * 5000 + "]" * 5000
    response = requests.put(f"{server.url}/api/notify/preferences", data=deep, headers=headers, timeout=10)
    assert response.status_code in (400, 422), response.text
