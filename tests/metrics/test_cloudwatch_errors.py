"""Which PutMetricData failures drop datapoints and which keep them for a retry.

The errors come over HTTP as CloudWatch's JSON protocol sends them: the JSON error's
``__type`` and, CloudWatch being ``awsQueryCompatible``, the query-era code in
``x-amzn-query-error`` (what moto's serializer writes too).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import botocore.session
import pytest
from botocore.serialize import create_serializer
from botocore.validate import ParamValidator
from ghela.core.awsjson import CLOUDWATCH, AwsJsonClient
from ghela.core.errors import TransientError
from ghela.metrics.buffer import Datapoint
from ghela.metrics.cloudwatch import CloudWatchMetrics, RejectedDatapoints

from tests.support.cannedhttp import Answer, CannedServer

POINT = Datapoint(
    metric="Heartbeat", device="pi", timestamp=datetime(2026, 11, 25, 12, tzinfo=UTC), value=1.0
)


def cloudwatch_error(code: str, status: int) -> Answer:
    body = {"__type": f"com.amazonaws.cloudwatch#{code}Exception", "Message": f"the {code} message"}
    fault = "Receiver" if status >= 500 else "Sender"
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{code};{fault}"}
    return Answer(status, json.dumps(body).encode(), headers)


def put_answered(answer: Answer) -> None:
    with CannedServer(answer) as server:
        client = AwsJsonClient(CLOUDWATCH, "eu-west-1", server.url)
        CloudWatchMetrics(client, "GhelamcoAlert").put([POINT])


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDenied", 403), ("Throttling", 400), ("InternalFailure", 500), ("ExpiredToken", 400)],
)
def test_faults_that_a_retry_or_an_admin_can_fix_keep_the_datapoints(code: str, status: int) -> None:
    with pytest.raises(TransientError, match=code):
        put_answered(cloudwatch_error(code, status))


@pytest.mark.parametrize("code", ["InvalidParameterValue", "InvalidParameterCombination", "MissingParameter"])
def test_datapoints_cloudwatch_calls_invalid_are_rejected(code: str) -> None:
    with pytest.raises(RejectedDatapoints, match=f"{code}.*the {code} message"):
        put_answered(cloudwatch_error(code, 400))


def test_a_validation_code_in_a_5xx_is_a_fault_of_the_service_and_kept() -> None:
    with pytest.raises(TransientError, match="InvalidParameterValue"):
        put_answered(cloudwatch_error("InvalidParameterValue", 503))


def test_a_value_json_cannot_carry_is_rejected_before_it_is_sent() -> None:
    nan = Datapoint(metric="Heartbeat", device="pi", timestamp=POINT.timestamp, value=float("nan"))
    with CannedServer() as server:
        metrics = CloudWatchMetrics(AwsJsonClient(CLOUDWATCH, "eu-west-1", server.url), "GhelamcoAlert")
        with pytest.raises(RejectedDatapoints, match="JSON"):
            metrics.put([nan])
        assert server.asked == []


def test_the_request_on_the_wire_is_what_botocore_s_model_and_json_serializer_make() -> None:
    """CloudWatch declares ``json`` among its protocols (awsJson1_0, ``awsQueryCompatible``):
    our body validates against PutMetricData's input shape and equals botocore's own JSON
    serialization of the same datapoints, microseconds included."""
    points = [
        POINT,
        Datapoint(
            metric="ScrapeOk", device="pi", timestamp=POINT.timestamp.replace(microsecond=3691), value=7.0
        ),
    ]
    with CannedServer() as server:
        CloudWatchMetrics(AwsJsonClient(CLOUDWATCH, "eu-west-1", server.url), "GhelamcoAlert").put(points)
    (asked,) = server.asked
    model = botocore.session.get_session().get_service_model("cloudwatch")
    assert "json" in model.metadata["protocols"]
    operation = model.operation_model("PutMetricData")
    sent = json.loads(asked.body)
    report = ParamValidator().validate(sent, operation.input_shape)
    assert not report.has_errors(), report.generate_report()
    params = {
        "Namespace": "GhelamcoAlert",
        "MetricData": [
            {
                "MetricName": p.metric,
                "Dimensions": [{"Name": "Device", "Value": p.device}],
                "Timestamp": p.timestamp,
                "Value": p.value,
                "Unit": "Count",
            }
            for p in points
        ],
    }
    theirs = create_serializer("json").serialize_to_request(params, operation)
    assert sent == json.loads(theirs["body"])
    assert (
        asked.headers["x-amz-target"]
        == theirs["headers"]["X-Amz-Target"]
        == "GraniteServiceVersion20100801.PutMetricData"
    )
    assert "/eu-west-1/monitoring/aws4_request" in asked.headers["authorization"]
