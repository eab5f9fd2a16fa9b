"""The environment a component's scripts see, as the nucleus sets it.

Starts from the runtime's own environment (PATH, HOME, ...) minus AWS credentials: as on a
Pi, a component gets AWS credentials only through the Token Exchange Service, so one that
does not declare that dependency cannot call AWS by accident.
"""

from __future__ import annotations

from collections.abc import Mapping

from ghela.core.nucleus import NUCLEUS
from ghela.core.nucleusenv import (
    DEFAULT_REGION_ENV,
    NUCLEUS_VERSION_ENV,
    REGION_ENV,
    ROOT_CA_ENV,
    SOCKET_ENV,
    THING_NAME_ENV,
    TOKEN_ENV,
)

GGC_VERSION = "2.13.0"
TOKEN_EXCHANGE_SERVICE = "aws.greengrass.TokenExchangeService"
PROVIDED_COMPONENTS = (NUCLEUS, TOKEN_EXCHANGE_SERVICE)
"""Components the runtime itself stands in for: a recipe may depend on them."""

_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


def component_environment(
    base: Mapping[str, str],
    *,
    socket_path: str,
    token: str,
    thing_name: str,
    region: str,
    root_ca_path: str,
    credentials: Mapping[str, str] | None,
) -> dict[str, str]:
    """``base`` plus the nucleus's variables; ``credentials`` only for TES dependents."""
    env = {k: v for k, v in base.items() if k not in _CREDENTIAL_VARIABLES}
    env.update(
        {
            SOCKET_ENV: socket_path,
            TOKEN_ENV: token,
            THING_NAME_ENV: thing_name,
            REGION_ENV: region,
            DEFAULT_REGION_ENV: region,
            NUCLEUS_VERSION_ENV: GGC_VERSION,
            ROOT_CA_ENV: root_ca_path,
        }
    )
    if credentials:
        env.update(credentials)
    return env
