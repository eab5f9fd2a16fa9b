"""The local system's configuration updates, put into the deployment document it runs.

Each is a Greengrass ``configurationUpdate`` (see :mod:`ghela.runtime.configmerge`): every
AWS-calling component points at moto's server, the light uses gpiozero's mock pins, and
with ``--demo`` the Scraper reads the demo feed. ``ghela up`` passes them to
:func:`ghela.packaging.deployment.deployment_document`, so the demo runs what admins deploy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ghela.core.componentnames import ALERT_LIGHT, CLOUD_SYNC, METRICS, SCRAPER

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
