"""``ghela gdk deployment``: the one document admins deploy.

It writes the input of ``aws greengrassv2 create-deployment --cli-input-json`` (also what
the console's JSON editor takes) for a thing group: every project component with its
version and any ``configurationUpdate``, and the AWS components the system needs:

- ``aws.greengrass.Nucleus`` at a pinned version (≥ 2.6.0, which has the flag) with
  ``interpolateComponentConfiguration: true``, without which ``{iot:thingName}`` in
  CloudSync's ``accessControl`` stays literal and its IoT Jobs calls are refused (see
  :mod:`ghela_tools.runtime.deployment`);
- ``aws.greengrass.TokenExchangeService`` (AWS credentials for CloudSync and Metrics);
- ``aws.greengrass.LogManager`` uploading the five components' logs to CloudWatch Logs
  (``/aws/greengrass/UserComponent/<region>/<component>``).

Each component a ``configurationUpdate`` is meant for is named in the document, since the
nucleus applies updates only to the components a deployment names. Before anything is
written the document is checked against botocore's own greengrassv2 ``CreateDeployment``
input model, and the configurations the components would run with against the
cross-component rules (:mod:`ghela.core.crosschecks`). ``ghela runtime run --deployment``
and ``ghela up`` run the same document locally.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ghela.core.componentnames import SUITE
from ghela.core.crosschecks import cross_check
from ghela.core.errors import ConfigurationError
from ghela.core.nucleus import INTERPOLATE_FLAG, NUCLEUS

from ghela_tools.packaging.validation import PackagingError
from ghela_tools.runtime.configmerge import apply_update
from ghela_tools.runtime.environment import GGC_VERSION, TOKEN_EXCHANGE_SERVICE
from ghela_tools.runtime.recipes import Recipe

NUCLEUS_VERSION = GGC_VERSION
"""Pinned; ``interpolateComponentConfiguration`` needs 2.6.0 or later."""
TOKEN_EXCHANGE_SERVICE_VERSION = "2.0.3"
LOG_MANAGER = "aws.greengrass.LogManager"
LOG_MANAGER_VERSION = "2.3.7"
"""AWS recommends 2.3.5 or later (fewer configuration writes)."""
LOG_UPLOAD_SECONDS = 300

NUCLEUS_UPDATE: dict[str, Any] = {"merge": json.dumps({INTERPOLATE_FLAG: True})}
"""The Nucleus's configurationUpdate in every project deployment (the local runtime's too)."""



def thing_group_arn(region: str, account: str, thing_group: str) -> str:
    return f"arn:aws:iot:{region}:{account}:thinggroup/{thing_group}"


def deployment_document(
    recipes: Mapping[str, Recipe],
    target_arn: str,
    updates: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    deployment_name: str | None = None,
) -> dict[str, Any]:
    """The CreateDeployment input; PackagingError if it or its configurations are wrong."""
    updates = dict(updates or {})
    unknown = sorted(set(updates) - set(recipes))
    if unknown:
        raise PackagingError(f"configuration updates for components without a recipe: {', '.join(unknown)}")
    configurations = {}
    for name, recipe in recipes.items():
        try:
            configurations[name] = apply_update(recipe.default_configuration, updates.get(name))
        except ConfigurationError as exc:  # a merge that is not JSON, a reset that is no pointer
            raise PackagingError(f"{name}: {exc}") from None
    problems = cross_check(configurations)
    if problems:
        raise PackagingError("; ".join(problems))
    components: dict[str, Any] = {}
    for name in sorted(recipes):
        spec: dict[str, Any] = {"componentVersion": recipes[name].version}
        if updates.get(name):
            spec["configurationUpdate"] = _api_update(updates[name])
        components[name] = spec
    components[NUCLEUS] = {"componentVersion": NUCLEUS_VERSION, "configurationUpdate": dict(NUCLEUS_UPDATE)}
    components[TOKEN_EXCHANGE_SERVICE] = {"componentVersion": TOKEN_EXCHANGE_SERVICE_VERSION}
    components[LOG_MANAGER] = {
        "componentVersion": LOG_MANAGER_VERSION,
        "configurationUpdate": {"merge": json.dumps(_log_manager_configuration(recipes), sort_keys=True)},
    }
    version = recipes[SUITE].version if SUITE in recipes else "release"
    document = {
        "targetArn": target_arn,
        "deploymentName": deployment_name or f"ghela-{target_arn.rsplit('/', 1)[-1]}-{version}",
        "components": components,
        "deploymentPolicies": {
            "failureHandlingPolicy": "ROLLBACK",
            "componentUpdatePolicy": {"timeoutInSeconds": 60, "action": "NOTIFY_COMPONENTS"},
        },
    }
    validate_deployment(document)
    return document


def _api_update(update: Mapping[str, Any]) -> dict[str, Any]:
    """A configurationUpdate as the API carries it: ``merge`` is a JSON string."""
    result: dict[str, Any] = {}
    merge = update.get("merge")
    if merge:
        result["merge"] = merge if isinstance(merge, str) else json.dumps(merge, sort_keys=True)
    if update.get("reset"):
        result["reset"] = list(update["reset"])
    return result


def _log_manager_configuration(recipes: Mapping[str, Recipe]) -> dict[str, Any]:
    """Upload every project component that runs something (not the Suite or the environment)."""
    running = sorted(name for name, recipe in recipes.items() if "run" in recipe.steps)
    return {
        "logsUploaderConfiguration": {
            "systemLogsConfiguration": {"uploadToCloudWatch": "true", "minimumLogLevel": "INFO"},
            "componentLogsConfigurationMap": {name: {"minimumLogLevel": "INFO"} for name in running},
        },
        "periodicUploadIntervalSec": LOG_UPLOAD_SECONDS,
    }


def validate_deployment(document: Mapping[str, Any]) -> None:
    """PackagingError unless botocore's greengrassv2 CreateDeployment model accepts ``document``."""
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("greengrassv2")
    shape = model.operation_model("CreateDeployment").input_shape
    report = ParamValidator().validate(dict(document), shape)
    if report.has_errors():
        raise PackagingError(f"not a valid CreateDeployment input: {report.generate_report()}")
