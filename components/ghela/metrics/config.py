"""The Metrics component's configuration (its recipe's DefaultConfiguration mirrors these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, field_validator

from ghela.core import metricnames
from ghela.core.config import ComponentConfig
from ghela.core.logship import LogShippingSettings
from ghela.core.nucleus import thing_name


class MetricsConfig(ComponentConfig):
    """What to count into, where to send it, and how much to keep while offline."""

    namespace: Annotated[str, Field(min_length=1, max_length=255)] = metricnames.NAMESPACE
    """CloudWatch namespace of every metric."""
    device: Annotated[str, Field(max_length=255)] = ""
    """Value of the ``Device`` dimension; "" = the core device's thing name (AWS_IOT_THING_NAME)."""
    interval_seconds: Annotated[int, Field(ge=10, le=3600)] = 300
    """Length of one counting interval; one datapoint per metric is sent per interval."""
    buffer_path: Annotated[str, Field(min_length=1)] = "metrics-buffer.sqlite3"
    """The offline buffer (SQLite); a relative path is inside the component's work directory."""
    max_buffered_datapoints: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    """Bound of the offline buffer; when full the oldest datapoints are dropped (and counted)."""
    aws_endpoint_url: str = ""
    """CloudWatch endpoint; "" = the real AWS endpoint of AWS_REGION (the local system: moto)."""
    retry_max_seconds: Annotated[int, Field(ge=1, le=3600)] = 300
    """Cap of the back-off between attempts to send the buffer while AWS is unreachable."""
    log_group: Annotated[str, Field(max_length=512)] = ""
    """CloudWatch Logs group to ship this component's logs to ("" = don't ship); ``{component}``
    and ``{thing}`` are replaced, e.g. ``/ghela/{thing}/{component}``."""
    log_shipping: LogShippingSettings = LogShippingSettings()
    """How logs are shipped when ``logGroup`` is set."""

    @field_validator("namespace")
    @classmethod
    def _not_aws(cls, value: str) -> str:
        if value.startswith("AWS/"):
            raise ValueError("namespace must not start with 'AWS/' (reserved for AWS services)")
        return value

    def device_name(self, environ: Mapping[str, str] | None = None) -> str:
        """The Device dimension: configured, else the thing name the nucleus gives us."""
        return thing_name(self.device, environ, setting="device")
