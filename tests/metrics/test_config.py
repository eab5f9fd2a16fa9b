"""MetricsConfig validation and the Device dimension's fallback to the thing name."""

from __future__ import annotations

import pytest
from ghela.core.config import load_config
from ghela.core.errors import ConfigurationError
from ghela.metrics.config import MetricsConfig


def test_defaults_and_nested_log_shipping_keys() -> None:
    config = load_config(MetricsConfig, {"logShipping": {"maxQueuedRecords": 500}})
    assert (config.namespace, config.interval_seconds, config.log_group) == ("GhelamcoAlert", 300, "")
    assert config.log_shipping.max_queued_records == 500


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"namespace": "AWS/EC2"}, "AWS/"),
        ({"intervalSeconds": 1}, "intervalSeconds"),
        ({"maxBufferedDatapoints": 5}, "maxBufferedDatapoints"),
        ({"logShipping": {"level": "LOUD"}}, "level"),
        ({"logShipping": {"queue": 1}}, "queue"),
    ],
)
def test_bad_values_are_refused_naming_the_key(raw: dict, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load_config(MetricsConfig, raw)


def test_device_falls_back_to_the_thing_name() -> None:
    assert MetricsConfig(device="pi-7").device_name({}) == "pi-7"
    assert MetricsConfig().device_name({"AWS_IOT_THING_NAME": "ghela-local-pi"}) == "ghela-local-pi"
    with pytest.raises(ConfigurationError, match="AWS_IOT_THING_NAME"):
        MetricsConfig().device_name({})
