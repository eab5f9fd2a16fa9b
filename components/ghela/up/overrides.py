"""The runtime's deployment-style configuration override for the local system.

The same shape a Greengrass deployment's ``configurationUpdate`` has (see
:mod:`ghela.runtime.configmerge`): every AWS-calling component points at moto's server, the
light uses gpiozero's mock pins, and with ``--demo`` the Scraper reads the demo feed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PREFIX = "com.ghelamco.alert."
SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS = (
    PREFIX + name for name in ("Scraper", "Scheduler", "AlertLight", "CloudSync", "Metrics")
)

DEMO_METRICS_INTERVAL_SECONDS = 60
"""With --demo the counters reach the page every minute instead of every five."""


def local_overrides(
    endpoint_url: str,
    thing_name: str,
    events_table: str,
    jobs_table: str,
    demo_feed: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Each component's ``configurationUpdate`` ({"merge": ...}) for the local system."""
    updates: dict[str, dict[str, Any]] = {
        CLOUD_SYNC: {
            "merge": {
                "awsEndpointUrl": endpoint_url,
                "thingName": thing_name,
                "eventsTable": events_table,
                "jobsTable": jobs_table,
            }
        },
        METRICS: {"merge": {"awsEndpointUrl": endpoint_url, "device": thing_name}},
        ALERT_LIGHT: {"merge": {"pinFactory": "mock"}},
    }
    if demo_feed is not None:
        updates[SCRAPER] = {
            "merge": {
                "sources": [{"name": "demo", "kind": "ics", "url": demo_feed.resolve().as_uri()}],
                "respectRobotsTxt": False,
            },
            "reset": ["/sources"],
        }
        updates[METRICS]["merge"]["intervalSeconds"] = DEMO_METRICS_INTERVAL_SECONDS
    return updates


def write_override_file(path: Path, updates: dict[str, dict[str, Any]]) -> Path:
    """Write ``updates`` as the file ``ghela runtime run --config`` reads (for the record)."""
    document = {"components": {name: {"configurationUpdate": update} for name, update in updates.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
