"""The Scheduler's configuration (its recipe's DefaultConfiguration mirrors these defaults).

The alert plan encodes the rule "the office lot must be empty 3 hours before kick-off":
an early warning (blinking) some hours before, then a final call (steady) that lasts
until the deadline, kick-off minus 3 hours. Offsets are real durations before the
kick-off instant, so a DST change never moves an alert against the kick-off.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ghela.core.config import ComponentConfig
from ghela.core.eventtime import DEFAULT_EVENT_MINUTES
from ghela.core.rules import END_AFTER_START
from ghela.core.wiretypes import LightPattern, LitPattern

MAX_ALERT_MINUTES = 7 * 24 * 60
"""No alert lasts longer; the "active now" query relies on this bound."""

DurationMinutes = Annotated[int, Field(ge=1, le=MAX_ALERT_MINUTES)]
BlinkMs = Annotated[int, Field(ge=50, le=60_000)]


class _Section(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class AlertRule(_Section):
    """One alert of the standard plan, relative to kick-off (negative minutes = before)."""

    label: Annotated[str, Field(min_length=1, max_length=100)]
    offset_minutes: Annotated[int, Field(ge=-14 * 24 * 60, le=24 * 60)]
    duration_minutes: DurationMinutes
    pattern: LitPattern


class TbdRule(_Section):
    """The warning for a game whose kick-off time is not yet known: that date's morning."""

    enabled: bool = True
    label: Annotated[str, Field(min_length=1, max_length=100)] = "kick-off time not confirmed"
    local_time: time = time(8, 30)
    """Venue time on the game's date. On a DST Sunday a time the clocks skip (02:00-03:00
    in Brussels in spring) means the instant right after the gap (03:00), and a time that
    happens twice (autumn) its first occurrence; the rule never fails."""
    duration_minutes: DurationMinutes = 60
    pattern: LitPattern = LightPattern.BLINK


class OfficePolicy(StrEnum):
    SKIP = "skip"  # an alert entirely outside office hours is not planned
    MOVE = "move"  # ... is moved earlier, to end by the close of the previous office hours


class OfficeHours(_Section):
    """When someone is in the office to see the light, in the venue's zone.

    An alert that overlaps office hours, even partly, is left exactly as planned. With
    ``policy: skip`` an alert entirely outside them is not planned. With ``policy: move``
    an event's alerts outside office hours are moved earlier and stacked back to back, so
    the office sees each of them, in their planned order, and none overlaps another moved
    one (a Sunday game's early warning and final call both land on Friday afternoon):

    - the latest one keeps its duration and ends when the previous office-hours period
      closes (Friday 18:00 for a weekend game, with the default hours);
    - each earlier one keeps its duration and ends where the next moved one starts;
    - if that would make an alert start before the period opens, it is clipped to start at
      the opening, keeping at least 15 minutes (or its whole duration, if shorter); with
      less room than that left it goes to the period before, ending at that period's close;
    - an alert with no room in the 14 days before it is not planned.

    Alerts are never split, and one that overlaps office hours is never touched, so a moved
    alert can still overlap such an alert of the same event (only when the later alert
    falls outside office hours and the earlier inside, e.g. a kick-off after 22:00).
    Times the clocks skip on a DST Sunday mean the instant right after the gap, as for
    ``tbdRule.localTime``.
    """

    days: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7)] = [
        1,
        2,
        3,
        4,
        5,
    ]
    """ISO weekdays: 1 = Monday ... 7 = Sunday."""
    start: time = time(8, 0)
    end: time = time(18, 0)
    policy: OfficePolicy = OfficePolicy.MOVE

    @model_validator(mode="after")
    def _start_before_end(self) -> OfficeHours:
        if self.end <= self.start:
            raise ValueError(END_AFTER_START)
        if len(set(self.days)) != len(self.days):
            raise ValueError("days must not repeat")
        return self


def default_plan() -> list[AlertRule]:
    return [
        AlertRule(
            label="early warning", offset_minutes=-360, duration_minutes=60, pattern=LightPattern.BLINK
        ),
        AlertRule(label="final call", offset_minutes=-240, duration_minutes=60, pattern=LightPattern.STEADY),
    ]


class SchedulerConfig(ComponentConfig):
    """Configuration of ``com.ghelamco.alert.Scheduler`` (camelCase keys in the recipe)."""

    db_path: Annotated[str, Field(min_length=1, max_length=1000)] = "ghela.db"
    """Relative paths resolve against the working directory; the nucleus sets it to the
    component's work folder ({work:path}), so the default survives component updates."""
    alert_plan: Annotated[list[AlertRule], Field(max_length=20)] = Field(default_factory=default_plan)
    tbd_rule: TbdRule = TbdRule()
    office_hours: OfficeHours | None = None
    refresh_minutes: Annotated[int, Field(ge=1, le=55)] = 10
    """Re-send the light command this often while on (the light's fail-safe is 60 minutes)."""
    blink_on_ms: BlinkMs = 500
    blink_off_ms: BlinkMs = 500
    event_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = DEFAULT_EVENT_MINUTES
    """How long a game (or a custom event without an end) lasts; then it is finished."""
    max_cancel_fraction: Annotated[float, Field(gt=0, le=1)] = 0.5
    """A complete scrape may cancel at most this fraction of the stored games in its window;
    more looks like a broken source, so nothing is cancelled."""
    db_check_seconds: Annotated[float, Field(ge=0.1, le=600)] = 5.0
    """How often to look for changes made by other writers of the database (the CLI)."""

    @model_validator(mode="after")
    def _unique_labels(self) -> SchedulerConfig:
        labels = [rule.label for rule in self.alert_plan]
        if len(set(labels)) != len(labels):
            raise ValueError("alertPlan labels must be unique (re-planning matches alerts by label)")
        if self.tbd_rule.label in labels:
            raise ValueError("tbdRule.label must differ from every alertPlan label")
        return self
