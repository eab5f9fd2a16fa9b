"""Bodies of the metrics route: the device's counters as series.

Without ``from __future__ import annotations``: :mod:`ghela_cloud.api.models` says why.
"""

from datetime import datetime
from enum import StrEnum

from ghela.core.wiretypes import UtcDatetime

from ghela_cloud.api.models import ApiModel


class MetricsPeriod(StrEnum):
    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"


class Series(ApiModel):
    metric: str
    timestamps: list[datetime]
    values: list[float]


class MetricsView(ApiModel):
    device: str
    period: MetricsPeriod
    period_seconds: int
    start: UtcDatetime
    end: UtcDatetime
    series: list[Series]
    widget_image: str | None = None
    """A PNG of the same metrics (base64), only where the real CloudWatch is used."""
