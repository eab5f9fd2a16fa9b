"""What the real nucleus calls things and how it reads a setting, for the device side.

``ghela doctor`` reads the nucleus's effective configuration on a Pi with these; the local
runtime (``ghela_tools.runtime``) mirrors the nucleus with the same names and rules.
"""

from __future__ import annotations

from typing import Any

NUCLEUS = "aws.greengrass.Nucleus"
INTERPOLATE_FLAG = "interpolateComponentConfiguration"
"""``DeviceConfiguration.DEVICE_PARAM_INTERPOLATE_COMPONENT_CONFIGURATION``."""


def coerce_boolean(value: Any) -> bool:
    """As the nucleus's ``Coerce.toBoolean``: true, "true", "yes", "on", "1" or a non-zero number."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1")
