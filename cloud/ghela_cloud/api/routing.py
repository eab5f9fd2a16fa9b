"""Which Lambda function serves which route: the one table the template, the local server
and the tests agree on (``tests/cloud/test_template.py`` checks the template's events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    name: str
    """The template's logical id."""
    handler: str
    """``module.attribute`` of the Lambda entry point."""


EVENTS = Function("EventsFunction", "ghela_cloud.api.handlers.events.handler")
JOBS = Function("JobsFunction", "ghela_cloud.api.handlers.jobs.handler")
DEVICE = Function("DeviceFunction", "ghela_cloud.api.handlers.device.handler")
METRICS = Function("MetricsFunction", "ghela_cloud.api.handlers.metrics.handler")
FUNCTIONS = (EVENTS, JOBS, DEVICE, METRICS)

ROUTES: tuple[tuple[str, str, Function], ...] = (
    ("GET", "/events", EVENTS),
    ("POST", "/events", EVENTS),
    ("GET", "/events/{event_id}", EVENTS),
    ("PATCH", "/events/{event_id}", EVENTS),
    ("DELETE", "/events/{event_id}", EVENTS),
    ("POST", "/events/{event_id}/alerts", EVENTS),
    ("PATCH", "/alerts/{alert_id}", EVENTS),
    ("POST", "/alerts/{alert_id}/snooze", EVENTS),
    ("DELETE", "/alerts/{alert_id}/snooze", EVENTS),
    ("GET", "/next", EVENTS),
    ("GET", "/jobs", JOBS),
    ("GET", "/device", DEVICE),
    ("GET", "/metrics", METRICS),
)
