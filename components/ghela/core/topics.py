"""Every local pub/sub topic, in one place, beside the models in ``messages``.

Each topic carries exactly one message model (see :data:`ghela.core.messages.topicmodels.TOPIC_MODELS`).
Request/response pairs carry a ``request_id`` (or ``command_id``) so the asker can match
the answer. IoT Core (MQTT) topics for jobs are built by :func:`jobs_topic`.
"""

from __future__ import annotations

PREFIX = "ghela"

# Scraper
SCRAPE_REQUEST = f"{PREFIX}/scraper/request"  # ScrapeRequest: scrape now
SCRAPE_RESULT = f"{PREFIX}/scraper/result"  # ScrapeResult: one per scrape, healthy or not

# Scheduler
COMMAND = f"{PREFIX}/scheduler/command"  # CommandRequest: apply one command
COMMAND_RESULT = f"{PREFIX}/scheduler/command/result"  # CommandResult: answer, by command_id
STATE_CHANGED = f"{PREFIX}/scheduler/changed"  # RevisionChanged: the stored revision moved
CHANGES_REQUEST = f"{PREFIX}/scheduler/changes/request"  # ChangesRequest: what changed since N
CHANGES = f"{PREFIX}/scheduler/changes"  # ChangesResponse: answer, by request_id
ACTIVITY = f"{PREFIX}/scheduler/activity"  # Activity: counted by Metrics

# AlertLight
LIGHT_SET = f"{PREFIX}/light/set"  # LightCommand: what the light should do now
LIGHT_STATE = f"{PREFIX}/light/state"  # LightState: what the light actually does
LIGHT_STATE_REQUEST = f"{PREFIX}/light/state/request"  # LightStateRequest: report now
LIGHT_SET_REQUEST = f"{PREFIX}/light/set/request"  # LightCommandRequest: a starting light asks

# CloudSync
JOB_OUTCOME = f"{PREFIX}/cloudsync/job"  # JobOutcome: a job finished (counted by Metrics)

# Every component (ghela.core.selfreport)
COMPONENT_HEALTH = f"{PREFIX}/component/health"  # ComponentHealth: a component's own state and starts
HEALTH_REQUEST = f"{PREFIX}/component/health/request"  # HealthRequest: every component reports now

# Metrics
COUNTED = f"{PREFIX}/metrics/counted"  # Counted: what Metrics has stored, per sender (see countedbus)


def jobs_topic(thing_name: str, suffix: str) -> str:
    """An IoT Jobs MQTT topic for a thing, e.g. ``jobs_topic("pi-1", "notify-next")``."""
    return f"$aws/things/{thing_name}/jobs/{suffix}"
