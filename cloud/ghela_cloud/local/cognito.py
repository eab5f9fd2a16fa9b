"""The local Cognito endpoint the page signs in through: moto, with a real SRP check.

The page speaks Cognito's JSON protocol (``X-Amz-Target``) to ``/cognito`` on the local
server. Two calls are answered here, because moto's SRP accepts any password
(:mod:`.srp` says where): ``InitiateAuth`` with ``USER_SRP_AUTH`` (a real challenge) and
``RespondToAuthChallenge`` with ``PASSWORD_VERIFIER`` (the proof checked; then moto's own
answer for that user, got with ``USER_PASSWORD_AUTH``, which the local client allows for
this alone: tokens, or the ``SOFTWARE_TOKEN_MFA``/``NEW_PASSWORD_REQUIRED`` challenge).
The other calls the page makes (MFA answers, TOTP set-up, refresh, sign-out) go to moto
unchanged; anything else is refused, and so is any flow the template's app client does not
allow (``USER_PASSWORD_AUTH`` included): the page meets the client it meets in AWS.

SRP needs a verifier per user, so this front must know local users' passwords: the demo
user's from provisioning, any other through :meth:`CognitoFront.remember` (tests), and a
new password when moto accepts it for ``NEW_PASSWORD_REQUIRED``. An unknown user gets a
challenge too and fails at the proof, as Cognito does with PreventUserExistenceErrors.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

import botocore.session
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import validate_parameters

from ghela_cloud.local.aws import local_client
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.srp import Challenge

log = logging.getLogger(__name__)

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
MAX_PENDING = 1000
"""Challenges kept at most (oldest dropped): a flood of InitiateAuth cannot grow memory."""


@dataclass
class CognitoReply:
    status: int
    body: bytes
    content_type: str = "application/x-amz-json-1.1"

    @classmethod
    def error(cls, status: int, code: str, message: str) -> CognitoReply:
        return cls(status, json.dumps({"__type": code, "message": message}).encode())

    @classmethod
    def ok(cls, payload: dict[str, Any]) -> CognitoReply:
        return cls(200, json.dumps(payload).encode())


_WRONG = ("NotAuthorizedException", "Incorrect username or password.")
# What the page calls (cloud/web/js/auth.js); a moto with no authentication would take more.
FORWARDED = {
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetUser",
    "GlobalSignOut",
    "RevokeToken",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
}
_MODEL = botocore.session.get_session().get_service_model("cognito-idp")
# The template's app client: SRP and refresh tokens (userpool.WEB_CLIENT_AUTH_FLOWS).
WEB_CLIENT_FLOWS = {"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
MAX_SRP_A_DIGITS = 1024
"""A is below N, 768 hex digits; more is not an SRP value."""


class CognitoFront:
    def __init__(
        self, resources: LocalResources, forward: Callable[[str, bytes], CognitoReply] | None = None
    ):
        self.resources = resources
        self.pool_name = resources.user_pool_id.split("_", 1)[1]
        self._idp = local_client("cognito-idp", resources.endpoint_url, resources.region)
        self._forward = forward or self._to_moto
        self._passwords = {resources.demo_email.lower(): resources.demo_password}
        self._pending: dict[str, tuple[str, str, Challenge]] = {}  # secret block: user, A, challenge
        self._lock = threading.Lock()

    def remember(self, username: str, password: str) -> None:
        """Tell the front a local user's password (moto keeps it, but will not say it)."""
        with self._lock:
            self._passwords[username.lower()] = password

    def handle(self, target: str, body: bytes) -> CognitoReply:
        operation = target.removeprefix(TARGET_PREFIX)
        try:
            request = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            return CognitoReply.error(400, "SerializationException", "the body is not JSON")
        if not isinstance(request, dict):
            return CognitoReply.error(400, "SerializationException", "the body is not a JSON object")
        if operation not in FORWARDED:
            return CognitoReply.error(
                400, "UnknownOperationException", f"{operation[:100]!r} is not served here"
            )
        try:  # the request as Cognito's own model (botocore's) describes it; moto's checks are few
            validate_parameters(request, _MODEL.operation_model(operation).input_shape)
        except ParamValidationError as exc:
            return CognitoReply.error(400, "InvalidParameterException", str(exc)[:1000])
        flow = request.get("AuthFlow")
        if operation == "InitiateAuth" and not (isinstance(flow, str) and flow in WEB_CLIENT_FLOWS):
            flow = str(flow)[:40]
            return CognitoReply.error(
                400, "InvalidParameterException", f"{flow} flow not enabled for this client"
            )
        if operation == "InitiateAuth" and request.get("AuthFlow") == "USER_SRP_AUTH":
            return self._initiate_srp(request)
        if operation == "RespondToAuthChallenge" and request.get("ChallengeName") == "PASSWORD_VERIFIER":
            return self._verify_srp(request)
        reply = self._forward(target, body)
        if operation == "RespondToAuthChallenge" and request.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            self._learn_new_password(request, reply)
        return reply

    def _initiate_srp(self, request: dict[str, Any]) -> CognitoReply:
        params = request.get("AuthParameters")
        if not isinstance(params, dict):
            return CognitoReply.error(400, "InvalidParameterException", "AuthParameters must be an object")
        username, srp_a = params.get("USERNAME"), params.get("SRP_A")
        if request.get("ClientId") != self.resources.client_id:
            return CognitoReply.error(400, "ResourceNotFoundException", "the app client does not exist")
        if not isinstance(username, str) or not isinstance(srp_a, str) or not username or not srp_a:
            return CognitoReply.error(400, "InvalidParameterException", "USERNAME and SRP_A are required")
        if len(username) > 128 or len(srp_a) > MAX_SRP_A_DIGITS:
            return CognitoReply.error(400, "InvalidParameterException", "USERNAME or SRP_A is too long")
        user_id = self._user_id(username)
        with self._lock:
            password = self._passwords.get(username.lower())
        if user_id is None or password is None:
            # No such user (or no password known here): a challenge all the same, failing later.
            user_id, password = secrets.token_hex(16), secrets.token_hex(32)
        challenge = Challenge.start(self.pool_name, user_id, password)
        with self._lock:
            while len(self._pending) >= MAX_PENDING:
                self._pending.pop(next(iter(self._pending)))
            self._pending[challenge.secret_block] = (username, srp_a, challenge)
        return CognitoReply.ok(
            {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": challenge.parameters()}
        )

    def _verify_srp(self, request: dict[str, Any]) -> CognitoReply:
        answers = request.get("ChallengeResponses")
        if not isinstance(answers, dict):
            return CognitoReply.error(
                400, "InvalidParameterException", "ChallengeResponses must be an object"
            )
        block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK")
        claimed, timestamp = answers.get("PASSWORD_CLAIM_SIGNATURE"), answers.get("TIMESTAMP")
        if not (_text(block) and _text(claimed) and _text(timestamp)):
            return CognitoReply.error(
                400, "InvalidParameterException", "the PASSWORD_VERIFIER answer is incomplete"
            )
        with self._lock:
            pending = self._pending.pop(block, None)
        if pending is None:
            return CognitoReply.error(400, *_WRONG)  # unknown or already used: each challenge answers once
        username, srp_a, challenge = pending
        if not challenge.proves(srp_a, claimed, timestamp):
            return CognitoReply.error(400, *_WRONG)
        with self._lock:
            password = self._passwords.get(username.lower())
        if password is None:
            return CognitoReply.error(400, *_WRONG)
        try:
            answer = self._idp.initiate_auth(
                ClientId=self.resources.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            error = exc.response["Error"]
            return CognitoReply.error(
                400, error.get("Code", "NotAuthorizedException"), error.get("Message", "")
            )
        answer.pop("ResponseMetadata", None)
        return CognitoReply.ok(answer)

    def _user_id(self, username: str) -> str | None:
        try:
            return self._idp.admin_get_user(UserPoolId=self.resources.user_pool_id, Username=username)[
                "Username"
            ]
        except ClientError:
            return None

    def _learn_new_password(self, request: dict[str, Any], reply: CognitoReply) -> None:
        answers = request.get("ChallengeResponses")
        if not isinstance(answers, dict):
            return
        username, new_password = answers.get("USERNAME"), answers.get("NEW_PASSWORD")
        if reply.status == 200 and isinstance(username, str) and isinstance(new_password, str):
            try:
                found = self._idp.admin_get_user(UserPoolId=self.resources.user_pool_id, Username=username)
            except ClientError:
                return
            emails = [a["Value"] for a in found.get("UserAttributes", []) if a["Name"] == "email"]
            for name in {username, found["Username"], *emails}:
                self.remember(name, new_password)

    def _to_moto(self, target: str, body: bytes) -> CognitoReply:
        request = urllib.request.Request(
            self.resources.endpoint_url + "/",
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return CognitoReply(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return CognitoReply(exc.code, exc.read())
        except (urllib.error.URLError, TimeoutError) as exc:
            return CognitoReply.error(503, "ServiceUnavailable", f"moto cannot be reached: {exc}")


def _text(value: object) -> TypeGuard[str]:
    """Whether an answer is a non-empty string."""
    return isinstance(value, str) and bool(value)
