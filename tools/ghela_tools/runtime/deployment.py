"""A deployment, read the way the nucleus reads one.

The document is what ``aws greengrassv2 create-deployment --cli-input-json`` takes (and what
``ghela gdk deployment`` writes)::

    {"targetArn": "...", "deploymentName": "...",
     "components": {"com.ghelamco.alert.Scraper": {"componentVersion": "0.1.0",
                        "configurationUpdate": {"merge": "{\\"intervalMinutes\\": 5}",
                                                "reset": ["/sources"]}},
                    "aws.greengrass.Nucleus": {"componentVersion": "2.13.0",
                        "configurationUpdate": {"merge": "{\\"interpolateComponentConfiguration\\": true}"}}}}

Two rules of the real nucleus that a component can tell apart, both in
``KernelConfigResolver.java`` (aws-greengrass-nucleus, ``componentmanager/``):

- ``getServiceConfig`` takes a ``configurationUpdate`` only from the deployment's *root*
  components (``.filter(DeploymentPackageConfiguration::isRootComponent)``), the ones the
  deployment names. A component pulled in only as a dependency keeps its defaults, so a
  deployment naming only the Suite cannot configure the five.
- ``shouldInterpolateConfiguration`` fills recipe variables (``{iot:thingName}`` and the
  other system parameters) into component *configuration* only when the Nucleus's
  ``interpolateComponentConfiguration`` is true: the value in this deployment's
  ``aws.greengrass.Nucleus`` configuration if it has one, else the device's current one,
  whose default is false (``DeviceConfiguration.getInterpolateComponentConfiguration``:
  ``.dflt(false)``).

Which components run: the roots and, transitively, their dependencies (the nucleus resolves
the same closure). ``aws.greengrass.*`` components the local runtime neither runs nor
stands in for (LogManager) are accepted and skipped with a log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError
from ghela.core.nucleus import INTERPOLATE_FLAG, NUCLEUS, coerce_boolean

from ghela_tools.runtime.configmerge import merge_document

log = logging.getLogger(__name__)

AWS_COMPONENT_PREFIX = "aws.greengrass."


@dataclass(frozen=True)
class Deployment:
    """The components a deployment names (its roots) and configuration updates.

    A CreateDeployment document gives each root its own update. ``updates`` may also name
    components that are not roots, as a local deployment's ``--update-config`` can
    (greengrass-cli); those are ignored, as the nucleus ignores them.
    """

    roots: tuple[str, ...]
    updates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    versions: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(
        cls, roots: Iterable[str], updates: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Deployment:
        return cls(tuple(roots), {name: dict(update) for name, update in (updates or {}).items()})

    def update_for(self, name: str) -> Mapping[str, Any] | None:
        """``name``'s configurationUpdate; None for a component the deployment does not name."""
        return self.updates.get(name) if name in self.roots else None

    def ignored_updates(self) -> list[str]:
        """Components with an update that the deployment does not name (so it is not applied)."""
        return sorted(name for name, update in self.updates.items() if update and name not in self.roots)

    def interpolates_configuration(self, device_default: bool = False) -> bool:
        """The Nucleus's ``interpolateComponentConfiguration`` after this deployment."""
        merged = merge_document(self.update_for(NUCLEUS) or {}, f"{NUCLEUS}: configurationUpdate")
        if INTERPOLATE_FLAG in merged:
            return coerce_boolean(merged[INTERPOLATE_FLAG])
        return device_default


def parse_deployment(document: Any, where: str) -> Deployment:
    """A deployment from a CreateDeployment-shaped document; ConfigurationError naming the field."""
    components = document.get("components") if isinstance(document, dict) else None
    if not isinstance(components, dict):
        raise ConfigurationError(f'{where}: expected {{"components": {{name: {{"componentVersion": ...}}}}}}')
    updates: dict[str, Mapping[str, Any]] = {}
    versions: dict[str, str | None] = {}
    for name, spec in components.items():
        if not isinstance(spec, dict):
            raise ConfigurationError(f"{where}: components.{name} must be an object")
        update = spec.get("configurationUpdate")
        if update is not None and not isinstance(update, dict):
            raise ConfigurationError(f"{where}: components.{name}.configurationUpdate must be an object")
        version = spec.get("componentVersion")
        if version is not None and not isinstance(version, str):
            raise ConfigurationError(f"{where}: components.{name}.componentVersion must be a string")
        updates[name] = update or {}
        versions[name] = version
    return Deployment(tuple(updates), updates, versions)


def read_deployment(path: Path) -> Deployment:
    """The deployment document at ``path`` (``ghela runtime run --deployment``)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{path}: cannot read the deployment document: {exc}") from None
    return parse_deployment(document, str(path))
