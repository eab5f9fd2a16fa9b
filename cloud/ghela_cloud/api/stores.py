"""Thin classes over the AWS SDK clients the API uses, each handed its client.

- :class:`EventStore`  reads the events read copy (the API never writes it)
- :class:`JobStore`    records jobs and lists them per device
- :class:`JobQueue`    creates IoT jobs
- :class:`MetricsSource` reads CloudWatch metric data (and widget images)

They return plain Python values (DynamoDB numbers become int/float); the routes validate
them into the API's models.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ghela.core.awsclient import without_pyopenssl

from ghela_cloud import names

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer


@cache
def deserializer() -> TypeDeserializer:
    """boto3's, imported on first use: a handler's cold import does not pay for boto3."""
    without_pyopenssl()
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


@cache
def _serializer() -> TypeSerializer:
    without_pyopenssl()
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def plain(value: Any) -> Any:
    """DynamoDB's Decimals as int/float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [plain(v) for v in value]
    return value


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    decode = deserializer().deserialize
    item: dict[str, Any] = plain({k: decode(v) for k, v in raw.items()})
    return item


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    encode = _serializer().serialize
    return {k: encode(v) for k, v in item.items() if v is not None}


class EventStore:
    """The events table: one partition per device, event items and one status item."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._ddb = dynamodb
        self._table = table

    def list_events(self, device: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#d = :d AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#d": names.EVENTS_PARTITION_KEY, "#sk": names.EVENTS_SORT_KEY},
            "ExpressionAttributeValues": {":d": {"S": device}, ":prefix": {"S": names.EVENT_SK_PREFIX}},
        }
        while True:
            page = self._ddb.query(**kwargs)
            items.extend(_item(raw) for raw in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_event(self, device: str, event_id: int) -> dict[str, Any] | None:
        return self._get(device, names.event_sk(event_id))

    def get_status(self, device: str) -> dict[str, Any] | None:
        return self._get(device, names.STATUS_SK)

    def _get(self, device: str, sk: str) -> dict[str, Any] | None:
        found = self._ddb.get_item(
            TableName=self._table,
            Key={names.EVENTS_PARTITION_KEY: {"S": device}, names.EVENTS_SORT_KEY: {"S": sk}},
        )
        return _item(found["Item"]) if "Item" in found else None


class JobStore:
    """The jobs table: one item per job in its device's partition, listed through by-created."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._ddb = dynamodb
        self._table = table

    def record(self, item: dict[str, Any]) -> None:
        """Store a new job; an existing job id is never overwritten."""
        self._ddb.put_item(
            TableName=self._table,
            Item=_marshal(item),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": names.JOBS_SORT_KEY},
        )

    def mark_failed(self, device: str, job_id: str, reason: str, at: datetime, expires_at: int) -> None:
        self._ddb.update_item(
            TableName=self._table,
            Key={names.JOBS_PARTITION_KEY: {"S": device}, names.JOBS_SORT_KEY: {"S": job_id}},
            UpdateExpression="SET #s = :s, reason = :r, updated_at = :u, #ttl = :e",
            ExpressionAttributeNames={"#s": "status", "#ttl": names.JOBS_TTL_ATTRIBUTE},
            ExpressionAttributeValues={
                ":s": {"S": "FAILED"},
                ":r": {"S": reason},
                ":u": {"S": at.isoformat()},
                ":e": {"N": str(expires_at)},
            },
        )

    def list_for_device(self, device: str, limit: int = 500) -> list[dict[str, Any]]:
        """The device's jobs, newest first (at most ``limit``)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": names.JOBS_BY_CREATED_INDEX,
            "KeyConditionExpression": "#d = :d",
            "ExpressionAttributeNames": {"#d": names.JOBS_PARTITION_KEY},
            "ExpressionAttributeValues": {":d": {"S": device}},
            "ScanIndexForward": False,
        }
        while len(items) < limit:
            page = self._ddb.query(**kwargs)
            items.extend(_item(raw) for raw in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items[:limit]


class JobQueue:
    """IoT Jobs: one job per command, targeting one device's thing ARN."""

    def __init__(self, iot: Any) -> None:
        self._iot = iot

    def create(self, job_id: str, thing_arn: str, document: dict[str, Any], description: str) -> None:
        self._iot.create_job(
            jobId=job_id,
            targets=[thing_arn],
            document=json.dumps(document, separators=(",", ":")),
            description=description[:2000],
            targetSelection="SNAPSHOT",
        )


class MetricsSource:
    """CloudWatch metric data for one device's dimension in the project's namespace."""

    def __init__(self, cloudwatch: Any) -> None:
        self._cw = cloudwatch

    def series(
        self, device: str, metrics: tuple[str, ...], start: datetime, end: datetime, period: int
    ) -> dict[str, list[tuple[datetime, float]]]:
        """Sum per period of each metric, oldest point first."""
        queries: list[dict[str, Any]] = [
            {
                "Id": f"m{i}",
                "Label": metric,
                "MetricStat": {
                    "Metric": {
                        "Namespace": names.METRICS_NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": names.METRICS_DIMENSION, "Value": device}],
                    },
                    "Period": period,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for i, metric in enumerate(metrics)
        ]
        by_id = {q["Id"]: q["Label"] for q in queries}
        out: dict[str, list[tuple[datetime, float]]] = {metric: [] for metric in metrics}
        kwargs: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        while True:
            page = self._cw.get_metric_data(**kwargs)
            for result in page.get("MetricDataResults", []):
                points = zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
                out[by_id[result["Id"]]].extend((ts, float(v)) for ts, v in points)
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
        for series in out.values():
            series.sort(key=lambda point: point[0])
        return out

    def widget_image(
        self, device: str, metrics: tuple[str, ...], start: datetime, end: datetime, period: int
    ) -> bytes:
        widget = {
            "view": "timeSeries",
            "stat": "Sum",
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "title": f"Ghelamco Alert — {device}",
            "metrics": [
                [names.METRICS_NAMESPACE, metric, names.METRICS_DIMENSION, device] for metric in metrics
            ],
        }
        answer = self._cw.get_metric_widget_image(MetricWidget=json.dumps(widget), OutputFormat="png")
        image: bytes = answer["MetricWidgetImage"]
        return image
