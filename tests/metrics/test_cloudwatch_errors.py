"""Which PutMetricData failures drop datapoints and which keep them for a retry."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from ghela.core.errors import TransientError
from ghela.metrics.buffer import Datapoint
from ghela.metrics.cloudwatch import CloudWatchMetrics, RejectedDatapoints

POINT = Datapoint(
    metric="Heartbeat", device="pi", timestamp=datetime(2026, 11, 25, 12, tzinfo=UTC), value=1.0
)


def failing_put(code: str, status: int) -> CloudWatchMetrics:
    client = boto3.client("cloudwatch", region_name="eu-west-1")
    stubber = Stubber(client)
    stubber.add_client_error("put_metric_data", service_error_code=code, http_status_code=status)
    stubber.activate()
    return CloudWatchMetrics(client, "GhelamcoAlert")


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDenied", 403), ("Throttling", 400), ("InternalFailure", 500), ("ExpiredToken", 400)],
)
def test_faults_that_a_retry_or_an_admin_can_fix_keep_the_datapoints(code: str, status: int) -> None:
    with pytest.raises(TransientError, match=code):
        failing_put(code, status).put([POINT])


@pytest.mark.parametrize("code", ["InvalidParameterValue", "InvalidParameterCombination", "MissingParameter"])
def test_datapoints_cloudwatch_calls_invalid_are_rejected(code: str) -> None:
    with pytest.raises(RejectedDatapoints, match=code):
        failing_put(code, 400).put([POINT])
