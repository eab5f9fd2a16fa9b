"""What the Greengrass nucleus gives every component: who the device is, and which states
a component may report. One home for each, used by the components and the local runtime.

- The thing name: the nucleus sets ``AWS_IOT_THING_NAME`` for every component's lifecycle
  scripts ("Component environment variable reference", AWS IoT Greengrass developer
  guide: https://docs.aws.amazon.com/greengrass/v2/developerguide/component-environment-variables.html),
  and the local runtime does the same. A component that finds neither its configured name
  nor that variable is not running under a nucleus, so it refuses to start
  (:class:`~ghela.core.errors.ConfigurationError`, exit 2) rather than guess: a host name
  would be a wrong identity in IoT topics, metrics and log streams.
- The region: the nucleus sets ``AWS_REGION`` (and ``AWS_DEFAULT_REGION``) for its
  components (same reference); every AWS client on the device reads it here.
- The states: ``UpdateState`` takes ``ReportedLifecycleState`` RUNNING or ERRORED
  (``awsiot.greengrasscoreipc.model``; a test keeps the two the same).
- How it names itself and reads a setting: ``ghela doctor`` reads the nucleus's effective
  configuration on a Pi with these; the local runtime (``ghela_tools.runtime``) mirrors the
  nucleus with the same names and rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from ghela.core.errors import ConfigurationError
from ghela.core.nucleusenv import DEFAULT_REGION_ENV, REGION_ENV, THING_NAME_ENV

NUCLEUS = "aws.greengrass.Nucleus"
INTERPOLATE_FLAG = "interpolateComponentConfiguration"
"""``DeviceConfiguration.DEVICE_PARAM_INTERPOLATE_COMPONENT_CONFIGURATION``."""

RUNNING = "RUNNING"
ERRORED = "ERRORED"
REPORTABLE_STATES = (RUNNING, ERRORED)
"""The states a component may report with UpdateState (ERRORED makes the nucleus restart it)."""

_REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d{1,2}")


def thing_name(
    configured: str = "", environ: Mapping[str, str] | None = None, *, setting: str = "thingName"
) -> str:
    """``configured`` when set, else the core device's thing name from the nucleus.

    ``setting`` names the configuration key in the error (``thingName``, ``device``).
    """
    env = os.environ if environ is None else environ
    name = configured or env.get(THING_NAME_ENV, "")
    if not name:
        raise ConfigurationError(f"{setting} is empty and {THING_NAME_ENV} is not set")
    return name


def coerce_boolean(value: Any) -> bool:
    """As the nucleus's ``Coerce.toBoolean``: true, "true", "yes", "on", "1" or a non-zero number."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1")


def region_from_environment() -> str:
    """The region the nucleus sets (``AWS_REGION``, else ``AWS_DEFAULT_REGION``)."""
    region = os.environ.get(REGION_ENV) or os.environ.get(DEFAULT_REGION_ENV) or ""
    if not _REGION.fullmatch(region):
        raise ConfigurationError(
            f"{REGION_ENV} (or {DEFAULT_REGION_ENV}) is not an AWS region: {region[:40]!r}"
        )
    return region
