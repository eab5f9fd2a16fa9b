"""The Lambda settings that the tightened stack added: the job id prefix, the venue zone."""

from __future__ import annotations

import re

import botocore.session
import pytest
from ghela.core.errors import ConfigurationError
from ghela.core.wiretypes import CommandId
from ghela_cloud import names
from ghela_cloud.api.settings import Settings
from pydantic import TypeAdapter

_CREATE_JOB = botocore.session.get_session().get_service_model("iot").operation_model("CreateJob")
JOB_ID = _CREATE_JOB.input_shape.members["jobId"]


def test_job_ids_carry_the_prefix_and_fit_iot_and_the_command_id() -> None:
    settings = Settings.from_env({"GHELA_JOB_ID_PREFIX": "ghela-"})
    job_id = settings.new_job_id()
    assert job_id.startswith("ghela-") and job_id != settings.new_job_id()
    # IoT's own rule for a job id (botocore's service model) ...
    assert re.fullmatch(JOB_ID.metadata["pattern"], job_id)
    assert len(job_id) <= JOB_ID.metadata["max"]
    # ... and the device's: the job id is the command id, unchanged
    assert TypeAdapter(CommandId).validate_python(job_id) == job_id


def test_the_default_prefix_is_the_stacks_for_the_default_name_prefix() -> None:
    assert Settings.from_env({}).job_id_prefix == names.ResourceNames().job_id_prefix == "ghela-"


@pytest.mark.parametrize("prefix", ["", "has space", "a" * 32, "colon:", "ü-"])
def test_a_prefix_iot_would_refuse_is_a_configuration_error(prefix: str) -> None:
    with pytest.raises(ConfigurationError, match="GHELA_JOB_ID_PREFIX"):
        Settings.from_env({"GHELA_JOB_ID_PREFIX": prefix})


def test_the_longest_prefix_still_leaves_a_valid_job_id() -> None:
    job_id = Settings.from_env({"GHELA_JOB_ID_PREFIX": "p" * 31}).new_job_id()
    assert len(job_id) <= JOB_ID.metadata["max"] and re.fullmatch(JOB_ID.metadata["pattern"], job_id)


def test_the_venue_zone_is_configured_and_an_unknown_one_refused() -> None:
    assert Settings.from_env({}).venue_zone == "Europe/Brussels"
    assert Settings.from_env({"GHELA_VENUE_ZONE": "Europe/London"}).venue_zone == "Europe/London"
    with pytest.raises(ConfigurationError, match="GHELA_VENUE_ZONE"):
        Settings.from_env({"GHELA_VENUE_ZONE": "Mars/Olympus"})
