"""Configuration: typed, validated when a component starts, errors that name the key.

Each component defines a pydantic model of its configuration (in its own package) whose
defaults match its recipe's ``DefaultConfiguration``. :func:`load_config` turns the raw
configuration (from IPC GetConfiguration on a Pi, a dict in tests) into that model.
Recipe keys are camelCase (Greengrass's habit); models use snake_case with camelCase aliases.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ghela.core.clock import DEFAULT_ZONE, venue_zone
from ghela.core.decoding import validate
from ghela.core.errors import ConfigurationError, InvalidInput

C = TypeVar("C", bound=BaseModel)


class ComponentConfig(BaseModel):
    """Base of every component's configuration model: camelCase keys, no unknown keys.

    ``accessControl`` is the nucleus's business, so it is accepted and ignored here.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, allow_inf_nan=False
    )

    zone: str = DEFAULT_ZONE
    log_level: Annotated[str, Field(pattern=r"^(?i:DEBUG|INFO|WARNING|ERROR|CRITICAL)$")] = "INFO"
    """Lowest level logged to stdout (any case); a name logging does not know would crash start-up."""

    def model_post_init(self, __context: Any) -> None:
        venue_zone(self.zone)


def load_config(model: type[C], raw: dict[str, Any] | None) -> C:
    """Validate ``raw`` into ``model``; a ConfigurationError names the wrong keys.

    Whatever the values are (huge numbers, deep nesting, NaN), nothing else is raised.
    """
    if raw is not None and not isinstance(raw, dict):
        raise ConfigurationError(f"invalid {model.__name__} configuration: not a mapping of keys")
    values = {k: v for k, v in (raw or {}).items() if k != "accessControl"}
    try:
        return validate(model, values, f"{model.__name__} configuration")
    except InvalidInput as exc:
        raise ConfigurationError(str(exc)) from None
