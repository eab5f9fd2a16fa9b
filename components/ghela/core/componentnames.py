"""The project's Greengrass component names, in one place.

Each is a recipe's ``ComponentName`` in ``recipes/`` (a test keeps the two the same); the
deployment document, ``ghela up``'s configuration updates, ``ghela doctor`` and the
running-system locator name components through these.
"""

from __future__ import annotations

PREFIX = "com.ghelamco.alert."
"""Every project component's name starts so (the IAM policies name ``com.ghelamco.alert.*``)."""

SCRAPER = PREFIX + "Scraper"
SCHEDULER = PREFIX + "Scheduler"
ALERT_LIGHT = PREFIX + "AlertLight"
CLOUD_SYNC = PREFIX + "CloudSync"
METRICS = PREFIX + "Metrics"
PYTHON_ENV = PREFIX + "PythonEnv"
SUITE = PREFIX + "Suite"

RUNNING = (SCRAPER, SCHEDULER, ALERT_LIGHT, CLOUD_SYNC, METRICS)
"""The five components that run as processes (PythonEnv only installs, the Suite only depends)."""
ALL = (*RUNNING, PYTHON_ENV, SUITE)
