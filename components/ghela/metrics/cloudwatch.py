"""The CloudWatch client behind a thin class: PutMetricData and what its failures mean.

The request goes out in the AWS JSON 1.0 protocol through the device's own client
(:mod:`ghela.core.awsjson`, no botocore in this process), with each datapoint's time as
epoch seconds (JSON's ``unixTimestamp`` format, microseconds kept, as botocore's
``Serializer._timestamp_unixtimestamp`` writes it).

Failures split in two: :class:`RejectedDatapoints` means CloudWatch refused the datapoints
themselves as invalid and will refuse them again, so keeping them would block the buffer
forever; everything else (no network, timeouts, throttling, a 5xx, access denied, credentials
not yet served by the Token Exchange Service) is a :class:`~ghela.core.errors.TransientError`:
keep the datapoints and try again later.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import datetime

from ghela.core.awsjson import CLOUDWATCH, AwsErrorAnswer, AwsJsonClient, aws_json_client
from ghela.core.errors import GhelaError, TransientError
from ghela.core.metricnames import DIMENSION
from ghela.metrics.buffer import Datapoint

MAX_DATAPOINTS_PER_REQUEST = 1000
"""PutMetricData accepts up to 1,000 metric data items (and 1 MB) per request."""

_REJECTION_CODES = {
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "MissingParameter",
    "MissingRequiredParameter",
    "ValidationError",
}
"""Errors about the datapoints themselves. Anything else (throttling, a 5xx, AccessDenied from
an IAM mistake, an expired token) is worth retrying: dropping the buffer for a permission
that an admin fixes tomorrow would lose the counts for nothing."""


class RejectedDatapoints(GhelaError, ValueError):
    """CloudWatch refused a batch as invalid; retrying the same batch cannot succeed."""


class CloudWatchMetrics:
    """PutMetricData for one namespace with the ``Device`` dimension."""

    def __init__(self, client: AwsJsonClient, namespace: str) -> None:
        self._client = client
        self.namespace = namespace

    @classmethod
    def connect(cls, namespace: str, endpoint_url: str = "") -> CloudWatchMetrics:
        # One attempt with short timeouts: the pusher retries with its own back-off, and a
        # stop must not wait long on a hanging network.
        client = aws_json_client(CLOUDWATCH, endpoint_url, connect_timeout=5.0, read_timeout=5.0)
        return cls(client, namespace)

    def put(self, points: Sequence[Datapoint]) -> None:
        """Send up to :data:`MAX_DATAPOINTS_PER_REQUEST` datapoints in one request."""
        if len(points) > MAX_DATAPOINTS_PER_REQUEST:
            raise ValueError(f"at most {MAX_DATAPOINTS_PER_REQUEST} datapoints a request, not {len(points)}")
        data = [
            {
                "MetricName": p.metric,
                "Dimensions": [{"Name": DIMENSION, "Value": p.device}],
                "Timestamp": epoch_seconds(p.timestamp),
                "Value": p.value,
                "Unit": "Count",
            }
            for p in points
        ]
        try:
            self._client.call("PutMetricData", {"Namespace": self.namespace, "MetricData": data})
        except AwsErrorAnswer as exc:
            if exc.code in _REJECTION_CODES and exc.status < 500:
                raise RejectedDatapoints(
                    f"CloudWatch refused the datapoints ({exc.code}): {exc.message}"
                ) from exc
            raise TransientError(f"CloudWatch PutMetricData failed ({exc.code}): {exc.message}") from exc
        except ValueError as exc:  # a value JSON cannot carry (NaN, infinity): never accepted
            raise RejectedDatapoints(f"CloudWatch refused the datapoints: {exc}") from exc


def epoch_seconds(at: datetime) -> int | float:
    """``at`` as JSON's epoch seconds: an int when whole, else microseconds added once."""
    seconds = calendar.timegm(at.utctimetuple())
    return (seconds * 10**6 + at.microsecond) / 10**6 if at.microsecond else seconds
