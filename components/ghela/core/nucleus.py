"""What the Greengrass nucleus gives every component: who the device is, and which states
a component may report. One home for each, used by the components and the local runtime.

- The thing name: the nucleus sets ``AWS_IOT_THING_NAME`` for every component's lifecycle
  scripts ("Component environment variable reference", AWS IoT Greengrass developer
  guide: https://docs.aws.amazon.com/greengrass/v2/developerguide/component-environment-variables.html),
  and the local runtime does the same. A component that finds neither its configured name
  nor that variable is not running under a nucleus, so it refuses to start
  (:class:`~ghela.core.errors.ConfigurationError`, exit 2) rather than guess: a host name
  would be a wrong identity in IoT topics, metrics and log streams.
- The states: ``UpdateState`` takes ``ReportedLifecycleState`` RUNNING or ERRORED
  (``awsiot.greengrasscoreipc.model``; a test keeps the two the same).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ghela.core.errors import ConfigurationError

THING_NAME_VARIABLE = "AWS_IOT_THING_NAME"

RUNNING = "RUNNING"
ERRORED = "ERRORED"
REPORTABLE_STATES = (RUNNING, ERRORED)
"""The states a component may report with UpdateState (ERRORED makes the nucleus restart it)."""


def thing_name(
    configured: str = "", environ: Mapping[str, str] | None = None, *, setting: str = "thingName"
) -> str:
    """``configured`` when set, else the core device's thing name from the nucleus.

    ``setting`` names the configuration key in the error (``thingName``, ``device``).
    """
    env = os.environ if environ is None else environ
    name = configured or env.get(THING_NAME_VARIABLE, "")
    if not name:
        raise ConfigurationError(f"{setting} is empty and {THING_NAME_VARIABLE} is not set")
    return name
