"""/metrics: the device's counters over 1 hour, 24 hours or 7 days, as series for the page to plot.

The hour has 5-minute points too: the device sends one datapoint per metric per counting
interval (Metrics ``intervalSeconds``, 300 by default), so finer points would be empty.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ghela_cloud import names
from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.metricmodels import MetricsPeriod, MetricsView, Series
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device

router = Router()

PERIODS = {
    MetricsPeriod.HOUR: (timedelta(hours=1), 300),
    MetricsPeriod.DAY: (timedelta(hours=24), 300),
    MetricsPeriod.WEEK: (timedelta(days=7), 3600),
}


@router.get("/metrics", summary="Counters and heartbeat as data series")
def get_metrics(
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
    period: Annotated[
        MetricsPeriod, Query(description="1h or 24h (5-minute points), or 7d (hourly)")
    ] = MetricsPeriod.DAY,
    image: Annotated[bool, Query(description="Also return the CloudWatch widget image (AWS only)")] = False,
) -> MetricsView:
    thing = pick_device(device, services)
    span, step = PERIODS[period]
    end = services.clock.now().replace(second=0, microsecond=0)
    start = end - span
    data = services.metrics.series(thing, names.METRIC_NAMES, start, end, step)
    series = [
        Series(metric=metric, timestamps=[ts for ts, _ in points], values=[v for _, v in points])
        for metric, points in data.items()
    ]
    widget = None
    if image and services.settings.widget_images:
        png = services.metrics.widget_image(thing, names.METRIC_NAMES, start, end, step)
        widget = base64.b64encode(png).decode("ascii")
    return MetricsView(
        device=thing,
        period=period,
        period_seconds=step,
        start=start,
        end=end,
        series=series,
        widget_image=widget,
    )
