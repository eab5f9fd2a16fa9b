"""The Scheduler's configuration: sensible defaults, every bad value names its key."""

from __future__ import annotations

from datetime import time

import pytest
from ghela.core.config import load_config
from ghela.core.errors import ConfigurationError
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.config import OfficePolicy, SchedulerConfig


def test_the_default_plan_ends_its_final_call_at_the_deadline() -> None:
    config = load_config(SchedulerConfig, {})
    final = [rule for rule in config.alert_plan if rule.pattern is LightPattern.STEADY]
    early = [rule for rule in config.alert_plan if rule.pattern is LightPattern.BLINK]
    assert len(final) == 1 and early
    assert final[0].offset_minutes + final[0].duration_minutes == -180  # lot empty 3 h before
    assert all(rule.offset_minutes + rule.duration_minutes <= final[0].offset_minutes for rule in early)
    assert config.db_path == "ghela.db"
    assert config.refresh_minutes == 10
    assert config.office_hours is None
    assert config.tbd_rule.local_time == time(8, 30)


def test_camel_case_keys_as_in_the_recipe() -> None:
    config = load_config(
        SchedulerConfig,
        {
            "dbPath": "/var/lib/ghela.db",
            "alertPlan": [
                {"label": "only", "offsetMinutes": -200, "durationMinutes": 20, "pattern": "steady"}
            ],
            "tbdRule": {"localTime": "07:45", "durationMinutes": 30},
            "officeHours": {"days": [1, 2, 3], "start": "09:00", "end": "17:30", "policy": "skip"},
            "refreshMinutes": 5,
            "accessControl": {"aws.greengrass.ipc.pubsub": {}},
        },
    )
    assert config.db_path == "/var/lib/ghela.db"
    assert config.alert_plan[0].label == "only"
    assert config.tbd_rule.local_time == time(7, 45)
    assert config.office_hours is not None and config.office_hours.policy is OfficePolicy.SKIP


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (
            {"alertPlan": [{"label": "a", "offsetMinutes": -10, "durationMinutes": 5, "pattern": "off"}]},
            "alertPlan.0.pattern",
        ),
        (
            {"alertPlan": [{"label": "a", "offsetMinutes": -10, "durationMinutes": 0, "pattern": "blink"}]},
            "durationMinutes",
        ),
        ({"refreshMinutes": 0}, "refreshMinutes"),
        ({"refreshMinutes": 60}, "refreshMinutes"),
        ({"officeHours": {"start": "18:00", "end": "08:00"}}, "officeHours"),
        ({"officeHours": {"days": [8]}}, "officeHours.days.0"),
        ({"officeHours": {"policy": "ignore"}}, "officeHours.policy"),
        ({"tbdRule": {"localTime": "25:00"}}, "tbdRule.localTime"),
        ({"zone": "Europe/Gent"}, "zone"),
        ({"dbPath": ""}, "dbPath"),
        ({"databasePath": "x.db"}, "databasePath"),
    ],
)
def test_bad_values_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(ConfigurationError, match=key.replace(".", r"\.")):
        load_config(SchedulerConfig, raw)


def test_plan_labels_must_be_unique() -> None:
    rule = {"label": "same", "offsetMinutes": -300, "durationMinutes": 30, "pattern": "blink"}
    with pytest.raises(ConfigurationError, match="unique"):
        load_config(SchedulerConfig, {"alertPlan": [rule, rule]})
