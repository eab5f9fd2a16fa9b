"""Ghelamco Alert: the device side of the stadium-event warning light.

Subpackages, one per Greengrass component, plus the shared core they all stand on:

- ``core``       topic names and message models, the IPC seam, configuration, clock, errors
- ``scraper``    finds KAA Gent home fixtures and publishes scrape results
- ``scheduler``  the SQLite source of truth: events, alerts, commands, the light decision
- ``light``      drives the relay on a GPIO pin (gpiozero)
- ``cloudsync``  IoT Jobs in, DynamoDB read copy out, offline outbox
- ``metrics``    counters and heartbeat to CloudWatch, log shipping
- ``runtime``    the local Greengrass runtime that runs all of the above off the Pi
"""

from ghela.core.pydanticplugins import search_no_plugins

__version__ = "0.1.0"

search_no_plugins()
