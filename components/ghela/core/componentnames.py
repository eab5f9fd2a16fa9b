"""The Greengrass names of the project's components, written once.

The recipes in ``recipes/`` carry the same names (``ComponentName``); the device side uses
them to find a component's work folder (:mod:`ghela.locator`) and configuration
(``ghela doctor``, :mod:`ghela.core.crosschecks`), the tools to build deployments.
"""

from __future__ import annotations

PREFIX = "com.ghelamco.alert."
SCRAPER = PREFIX + "Scraper"
SCHEDULER = PREFIX + "Scheduler"
ALERT_LIGHT = PREFIX + "AlertLight"
CLOUD_SYNC = PREFIX + "CloudSync"
METRICS = PREFIX + "Metrics"
PYTHON_ENV = PREFIX + "PythonEnv"
SUITE = PREFIX + "Suite"
