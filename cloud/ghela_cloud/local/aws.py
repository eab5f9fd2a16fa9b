"""boto3 sessions for the moto server.

Local code always talks to moto with fixed dummy credentials, so a laptop with no AWS
account works and one with real credentials can never have them used by the local system.
"""

from __future__ import annotations

from typing import Any

import boto3

MOTO_STRICT_SETTINGS = {"MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"}
"""moto's environment settings for a moto as strict as it can be: without this, its
VerifySoftwareToken and SOFTWARE_TOKEN_MFA accept any code (moto/settings.py)."""

DUMMY_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


def local_session(region: str) -> boto3.session.Session:
    return boto3.session.Session(region_name=region, **DUMMY_CREDENTIALS)


def local_client(service: str, endpoint_url: str, region: str) -> Any:
    return local_session(region).client(service, endpoint_url=endpoint_url, region_name=region)
