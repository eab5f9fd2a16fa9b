"""The CloudWatch client behind a thin class: PutMetricData and what its failures mean.

Failures split in two: :class:`RejectedDatapoints` means CloudWatch refused the datapoints
themselves as invalid and will refuse them again, so keeping them would block the buffer
forever; everything else (no network, timeouts, throttling, a 5xx, access denied, credentials
not yet served by the Token Exchange Service) is a :class:`~ghela.core.errors.TransientError`:
keep the datapoints and try again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ghela.core.awsclient import aws_client
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

    def __init__(self, client: Any, namespace: str) -> None:
        self._client = client
        self.namespace = namespace

    @classmethod
    def connect(cls, namespace: str, endpoint_url: str = "") -> CloudWatchMetrics:
        # One attempt with short timeouts: the pusher retries with its own back-off, and a
        # stop must not wait long on a hanging network.
        return cls(aws_client("cloudwatch", endpoint_url, timeout_seconds=5.0, attempts=1), namespace)

    def put(self, points: Sequence[Datapoint]) -> None:
        """Send up to :data:`MAX_DATAPOINTS_PER_REQUEST` datapoints in one request."""
        if len(points) > MAX_DATAPOINTS_PER_REQUEST:
            raise ValueError(f"at most {MAX_DATAPOINTS_PER_REQUEST} datapoints a request, not {len(points)}")
        data = [
            {
                "MetricName": p.metric,
                "Dimensions": [{"Name": DIMENSION, "Value": p.device}],
                "Timestamp": p.timestamp,
                "Value": p.value,
                "Unit": "Count",
            }
            for p in points
        ]
        try:
            self._client.put_metric_data(Namespace=self.namespace, MetricData=data)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, reason = error.get("Code", ""), error.get("Message", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in _REJECTION_CODES and status < 500:
                raise RejectedDatapoints(f"CloudWatch refused the datapoints ({code}): {reason}") from exc
            raise TransientError(f"CloudWatch PutMetricData failed ({code}): {reason}") from exc
        except NoCredentialsError as exc:
            raise TransientError(f"no AWS credentials yet: {exc}") from exc
        except BotoCoreError as exc:  # connection refused, DNS, timeouts
            raise TransientError(f"CloudWatch unreachable: {exc}") from exc
