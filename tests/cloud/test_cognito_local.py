"""What moto's Cognito does with SRP and TOTP, and the local front that makes SRP real.

moto (checked here, so an upgrade that changes it shows): USER_SRP_AUTH answers with a
PASSWORD_VERIFIER challenge whose SALT and SRP_B are random, and accepts any signature,
so a wrong password signs in; TOTP (AssociateSoftwareToken, VerifySoftwareToken,
SetUserMFAPreference, the SOFTWARE_TOKEN_MFA challenge) works, with one fixed secret for
every user, and checks codes only with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true
(set wherever moto runs for us). The front (``ghela_cloud.local.cognito``) is checked with
pycognito's SRP client, an implementation independent of the page's and of ours.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from ghela_cloud.local.provision import LocalResources, ensure_user, generate_password
from ghela_cloud.local.server import LocalApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycognito.aws_srp import AWSSRP

from tests.cloud.conftest import CachingSession
from tests.support.totp import fresh_totp_window, totp_code

pytestmark = pytest.mark.moto

TARGET = "AWSCognitoIdentityProviderService."


def _user(cloud: LocalResources, aws: CachingSession) -> tuple[str, str]:
    email, password = f"srp-{uuid.uuid4().hex[:8]}@ghelamco-alert.local", generate_password()
    ensure_user(
        aws.client("cognito-idp", endpoint_url=cloud.endpoint_url), cloud.user_pool_id, email, password
    )
    return email, password


class Front:
    """The local server's /cognito, called as the page calls it."""

    def __init__(self, cloud: LocalResources) -> None:
        self.api = LocalApi(cloud)
        self.cloud = cloud

    def call(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = self.api.handle(
            "POST", "/cognito", {"X-Amz-Target": TARGET + operation}, json.dumps(body).encode()
        )
        return response.status, json.loads(response.body)

    def sign_in(self, email: str, password: str) -> tuple[int, dict[str, Any]]:
        srp = AWSSRP(email, password, self.cloud.user_pool_id, self.cloud.client_id, client=object())
        status, started = self.call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": self.cloud.client_id,
                "AuthParameters": srp.get_auth_params(),
            },
        )
        assert status == 200 and started["ChallengeName"] == "PASSWORD_VERIFIER", started
        answers = srp.process_challenge(started["ChallengeParameters"], {"USERNAME": email})
        self.last_answers = answers
        return self.call(
            "RespondToAuthChallenge",
            {
                "ChallengeName": "PASSWORD_VERIFIER",
                "ClientId": self.cloud.client_id,
                "ChallengeResponses": answers,
            },
        )


@pytest.fixture
def front(cloud: LocalResources) -> Front:
    return Front(cloud)


def test_moto_alone_lets_a_wrong_password_through_srp(cloud: LocalResources, aws: CachingSession) -> None:
    email, _ = _user(cloud, aws)
    idp = aws.client("cognito-idp", endpoint_url=cloud.endpoint_url)
    srp = AWSSRP(email, "not the password", cloud.user_pool_id, cloud.client_id, client=idp)
    tokens = srp.authenticate_user()  # moto: any PASSWORD_CLAIM_SIGNATURE is accepted
    assert tokens["AuthenticationResult"]["IdToken"]


def test_the_front_signs_in_with_the_right_password_only(
    front: Front, cloud: LocalResources, aws: CachingSession
) -> None:
    email, password = _user(cloud, aws)
    front.api.cognito.remember(email, password)
    status, answer = front.sign_in(email, password)
    assert status == 200 and answer["AuthenticationResult"]["IdToken"]
    status, answer = front.sign_in(email, password + "x")
    assert (status, answer["__type"]) == (400, "NotAuthorizedException")


def test_a_challenge_answers_once(front: Front, cloud: LocalResources) -> None:
    status, _ = front.sign_in(cloud.demo_email, cloud.demo_password)
    assert status == 200
    replay = {"ChallengeName": "PASSWORD_VERIFIER", "ClientId": cloud.client_id}
    status, answer = front.call(
        "RespondToAuthChallenge", {**replay, "ChallengeResponses": front.last_answers}
    )
    assert (status, answer["__type"]) == (400, "NotAuthorizedException")


def test_an_unknown_user_gets_a_challenge_and_then_the_same_refusal(front: Front) -> None:
    status, answer = front.sign_in("nobody@ghelamco-alert.local", "Whatever-it-is-1!")
    assert (status, answer) == (
        400,
        {"__type": "NotAuthorizedException", "message": "Incorrect username or password."},
    )


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", json.dumps({"AuthFlow": "USER_SRP_AUTH", "ClientId": "x"}).encode()],
)
def test_hostile_bodies_are_refused_with_a_reason(front: Front, body: bytes) -> None:
    response = front.api.handle("POST", "/cognito", {"X-Amz-Target": TARGET + "InitiateAuth"}, body)
    assert response.status == 400 and json.loads(response.body)["message"]


def test_totp_set_up_then_every_sign_in_asks_for_the_code(
    front: Front, cloud: LocalResources, aws: CachingSession
) -> None:
    email, password = _user(cloud, aws)
    front.api.cognito.remember(email, password)
    _, signed_in = front.sign_in(email, password)
    access = signed_in["AuthenticationResult"]["AccessToken"]
    status, associated = front.call("AssociateSoftwareToken", {"AccessToken": access})
    assert status == 200
    secret = associated["SecretCode"]
    fresh_totp_window()
    wrong = totp_code(secret, time.time() + 300)
    status, answer = front.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": wrong})
    assert (status, answer["__type"]) == (400, "CodeMismatchException")
    status, _ = front.call("VerifySoftwareToken", {"AccessToken": access, "UserCode": totp_code(secret)})
    assert status == 200
    status, _ = front.call(
        "SetUserMFAPreference",
        {"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}},
    )
    assert status == 200
    status, challenge = front.sign_in(email, password)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    respond = {
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "ClientId": cloud.client_id,
        "Session": challenge["Session"],
    }
    status, answer = front.call(
        "RespondToAuthChallenge",
        {**respond, "ChallengeResponses": {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": wrong}},
    )
    assert (status, answer["__type"]) == (400, "CodeMismatchException")
    fresh_totp_window()
    status, answer = front.call(
        "RespondToAuthChallenge",
        {**respond, "ChallengeResponses": {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret)}},
    )
    assert status == 200 and answer["AuthenticationResult"]["IdToken"]


@pytest.mark.parametrize("operation", ["AdminCreateUser", "ListUsers", "AdminSetUserPassword"])
def test_only_what_the_page_calls_is_served(front: Front, operation: str) -> None:
    status, answer = front.call(operation, {"UserPoolId": front.cloud.user_pool_id})
    assert (status, answer["__type"]) == (400, "UnknownOperationException")


def test_the_page_meets_the_templates_client_no_user_password_auth(
    front: Front, cloud: LocalResources
) -> None:
    status, answer = front.call(
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": cloud.client_id,
            "AuthParameters": {"USERNAME": cloud.demo_email, "PASSWORD": cloud.demo_password},
        },
    )
    assert (status, answer["__type"]) == (400, "InvalidParameterException")
    assert "USER_PASSWORD_AUTH flow not enabled" in answer["message"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)
_FIELDS = {
    "AuthFlow": st.sampled_from(["USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "CUSTOM_AUTH"]) | _JSON,
    "ChallengeName": st.sampled_from(["PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED"]) | _JSON,
    "AuthParameters": _JSON,
    "ChallengeResponses": _JSON,
    "ClientId": _JSON,
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operation=st.sampled_from(["InitiateAuth", "RespondToAuthChallenge"]),
    body=st.fixed_dictionaries({}, optional=_FIELDS) | _JSON,
)
def test_no_body_breaks_the_front(front: Front, operation: str, body: Any) -> None:
    response = front.api.handle(
        "POST", "/cognito", {"X-Amz-Target": TARGET + operation}, json.dumps(body).encode()
    )
    assert response.status < 500, (body, response.status, response.body[:300])
    answer = json.loads(response.body)
    assert response.status == 200 or answer.get("message") or answer.get("__type"), answer
