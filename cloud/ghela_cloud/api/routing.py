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
CALENDAR_FEED = Function("CalendarFeedFunction", "ghela_cloud.api.handlers.calendar_feed.handler")
CALENDAR = Function("CalendarFunction", "ghela_cloud.api.handlers.calendar.handler")
NOTIFY = Function("NotifyFunction", "ghela_cloud.api.handlers.notify.handler")
FUNCTIONS = (EVENTS, JOBS, DEVICE, METRICS, CALENDAR_FEED, CALENDAR, NOTIFY)

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
    ("POST", "/scrape", EVENTS),
    ("GET", "/jobs", JOBS),
    ("GET", "/device", DEVICE),
    ("GET", "/devices", DEVICE),
    ("GET", "/metrics", METRICS),
    ("GET", "/calendar/{device}/{token}", CALENDAR_FEED),
    ("GET", "/calendar-feed", CALENDAR),
    ("POST", "/calendar-feed/rotate", CALENDAR),
    ("GET", "/notify/preferences", NOTIFY),
    ("PUT", "/notify/preferences", NOTIFY),
    ("POST", "/notify/push-subscriptions", NOTIFY),
    ("PUT", "/notify/webhook", NOTIFY),
)

WITHOUT_COGNITO: frozenset[tuple[str, str]] = frozenset({("GET", "/calendar/{device}/{token}")})
"""Routes with no JWT authorizer: calendar apps cannot sign in, so the feed's own token in
the URL is its key (:mod:`ghela_cloud.api.feedtokens`). Every other route needs a user."""
