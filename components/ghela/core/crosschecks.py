"""Rules that span two components' configuration, checked before a deployment and on the Pi.

Each component validates its own configuration when it starts; what one component's
setting means for another's cannot be seen there. These rules are checked by the
deployment document builder (``ghela gdk deployment``) and by ``ghela doctor``, from the
configurations the components will run with (recipe defaults plus the deployment's
updates, or the nucleus's effective configuration on the Pi).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from ghela.core.componentnames import ALERT_LIGHT, SCHEDULER


def light_outlasts_refresh(configurations: Mapping[str, Mapping[str, Any]]) -> str | None:
    """A problem when AlertLight's fail-safe fires before the Scheduler's next refresh.

    The Scheduler re-sends the light command every ``refreshMinutes`` while an alert is on;
    AlertLight turns itself off ``maxOnMinutes`` after the last command it got. With
    ``maxOnMinutes`` not greater than ``refreshMinutes`` the light goes dark mid-alert with
    a perfectly healthy Scheduler.
    """
    light, scheduler = configurations.get(ALERT_LIGHT), configurations.get(SCHEDULER)
    if light is None or scheduler is None:
        return None
    max_on, refresh = light.get("maxOnMinutes"), scheduler.get("refreshMinutes")
    if not _number(max_on) or not _number(refresh) or max_on > refresh:
        return None
    return (
        f"{ALERT_LIGHT} maxOnMinutes ({max_on}) must be greater than {SCHEDULER} refreshMinutes "
        f"({refresh}): the light would switch itself off before the Scheduler re-sends it; raise "
        f"maxOnMinutes or lower refreshMinutes"
    )


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


CROSS_CHECKS = (light_outlasts_refresh,)


def cross_check(configurations: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every cross-component problem of these configurations (empty when all is well)."""
    return [problem for check in CROSS_CHECKS if (problem := check(configurations)) is not None]
