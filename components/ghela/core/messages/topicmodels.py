"""The model of each topic in :mod:`ghela.core.topics` (the bus validates every message by it)."""

from ghela.core import topics
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CommandResult
from ghela.core.messages.counted import Activity, Counted, JobOutcome
from ghela.core.messages.health import ComponentHealth, HealthRequest
from ghela.core.messages.light import LightCommand, LightCommandRequest, LightState, LightStateRequest
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import ChangesRequest, ChangesResponse, RevisionChanged

TOPIC_MODELS: dict[str, type[Message]] = {
    topics.SCRAPE_REQUEST: ScrapeRequest,
    topics.SCRAPE_RESULT: ScrapeResult,
    topics.COMMAND: CommandRequest,
    topics.COMMAND_RESULT: CommandResult,
    topics.STATE_CHANGED: RevisionChanged,
    topics.CHANGES_REQUEST: ChangesRequest,
    topics.CHANGES: ChangesResponse,
    topics.ACTIVITY: Activity,
    topics.LIGHT_SET: LightCommand,
    topics.LIGHT_STATE: LightState,
    topics.LIGHT_STATE_REQUEST: LightStateRequest,
    topics.LIGHT_SET_REQUEST: LightCommandRequest,
    topics.JOB_OUTCOME: JobOutcome,
    topics.COMPONENT_HEALTH: ComponentHealth,
    topics.HEALTH_REQUEST: HealthRequest,
    topics.COUNTED: Counted,
}
