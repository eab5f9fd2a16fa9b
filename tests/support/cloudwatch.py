"""Reading what the Metrics component sent to (moto's) CloudWatch, from a test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ghela.core.metricnames import DIMENSION, NAMESPACE

from tests.support.moto import MotoServer


def put_counts(cloudwatch: Any, device: str, points: Iterable[tuple[str, datetime, float]]) -> None:
    """Put ``(metric, timestamp, value)`` counts for ``device`` as the Metrics component does."""
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": DIMENSION, "Value": device}],
                "Timestamp": at,
                "Value": value,
                "Unit": "Count",
            }
            for name, at, value in points
        ],
    )


def metric_points(
    moto: MotoServer,
    device: str,
    name: str,
    start: datetime,
    end: datetime,
    *,
    period: int = 60,
    stat: str = "Sum",
) -> dict[datetime, float]:
    """``name``'s per-period statistic for ``device`` as moto's CloudWatch reports it, by period start."""
    result = moto.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{
            "Id": "q",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": name,
                    "Dimensions": [{"Name": DIMENSION, "Value": device}],
                },
                "Period": period,
                "Stat": stat,
            },
        }],
        StartTime=start,
        EndTime=end,
    )["MetricDataResults"][0]
    return {t.astimezone(UTC): v for t, v in zip(result["Timestamps"], result["Values"], strict=True)}


def metric_sum(moto: MotoServer, device: str, name: str, around: datetime) -> float:
    """The sum of ``name`` for ``device`` from five minutes before ``around`` to ten after."""
    points = metric_points(moto, device, name, around - timedelta(minutes=5), around + timedelta(minutes=10))
    return sum(points.values())


def wait_for_metric(
    moto: MotoServer,
    device: str,
    name: str,
    around: datetime,
    *,
    metrics_log: Callable[[], str],
    timeout: float = 40.0,
) -> None:
    """Wait until ``name`` has been counted at least once; fail showing the end of ``metrics_log()``.

    Metrics pushes on its own interval, so this polls CloudWatch (a quarter second apart).
    """
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while metric_sum(moto, device, name, around) < 1:
        assert datetime.now(UTC) < deadline, f"no {name}; Metrics log:\n{metrics_log()[-3000:]}"
        threading.Event().wait(0.25)


def metrics_overrides(moto: MotoServer, device: str, folder: Path) -> dict[str, object]:
    """The Metrics configuration for a runtime test: moto's CloudWatch, a 10 s push interval."""
    return {
        "awsEndpointUrl": moto.url,
        "device": device,
        "intervalSeconds": 10,
        "bufferPath": str(folder / "metrics.sqlite3"),
    }
