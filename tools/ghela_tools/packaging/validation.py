"""Recipes and gdk-config.json files checked against GDK's JSON schemas, the way GDK does.

GDK lower-cases every key of a recipe and substitutes its placeholders
(``{COMPONENT_NAME}``, ``{COMPONENT_VERSION}``, ``{COMPONENT_AUTHOR}``, ``{BUCKET_NAME}``,
``{REGION}``) before validating, so the schema's keys are all lower case. Errors name the
file and the path inside it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError

PLACEHOLDERS = (
    "COMPONENT_NAME",
    "COMPONENT_VERSION",
    "COMPONENT_AUTHOR",
    "BUCKET_NAME",
    "REGION",
    "PYTHON_ENV_KEY",  # ours, filled by ghela gdk build (ghela_tools.packaging.build)
)


class PackagingError(ConfigurationError):
    """A recipe, gdk-config.json or build input that is wrong; the message names it."""


@cache
def schema(name: str) -> dict[str, Any]:
    """One of the bundled schemas: ``greengrass-recipe`` or ``gdk-config``."""
    folder = resources.files("ghela_tools.packaging").joinpath("schemas")
    return json.loads(folder.joinpath(f"{name}.schema.json").read_text("utf-8"))


def lower_keys(value: Any) -> Any:
    """``value`` with every mapping key lower-cased, recursively (GDK's first step)."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def fill_placeholders(value: Any, values: dict[str, str]) -> Any:
    """Every ``{PLACEHOLDER}`` in the strings of ``value`` replaced by ``values``."""
    if isinstance(value, str):
        for key, replacement in values.items():
            value = value.replace("{" + key + "}", replacement)
        return value
    if isinstance(value, dict):
        return {k: fill_placeholders(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_placeholders(v, values) for v in value]
    return value


def validate(document: Any, schema_name: str, where: str) -> None:
    """Raise PackagingError listing every schema violation of ``document``."""
    import jsonschema  # a developer tool (dev extra); not needed on the Pi

    validator = jsonschema.Draft7Validator(schema(schema_name))
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in problems]
        raise PackagingError(f"{where} is not a valid {schema_name}: " + "; ".join(lines))


def validate_recipe(recipe: dict[str, Any], where: str, values: dict[str, str] | None = None) -> None:
    """Validate a recipe as GDK does (keys lower-cased, placeholders filled)."""
    filled = fill_placeholders(recipe, values or {key: "placeholder" for key in PLACEHOLDERS})
    validate(lower_keys(filled), "greengrass-recipe", where)


def read_gdk_config(path: Path) -> dict[str, Any]:
    """A gdk-config.json, validated against GDK's schema."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackagingError(f"{path}: cannot read: {exc}") from exc
    validate(document, "gdk-config", str(path))
    return document
