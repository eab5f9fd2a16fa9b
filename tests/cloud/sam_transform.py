"""cloud/template.yaml as CloudFormation will run it: the language extensions expanded
(cfn-lint's implementation of ``AWS::LanguageExtensions``), then aws-sam-translator's
``AWS::Serverless-2016-10-31`` transform, in that order, as CloudFormation applies them.

``sam validate --lint`` and cfn-lint check the SAM template; only this shows what the
generated resources hold (the Lambda roles, the API, the expanded ``Fn::ForEach``).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from cfnlint.template import Template
from cfnlint.template.transforms._language_extensions import language_extension
from samtranslator.translator.transform import transform

from tests.cloud.template_render import REGION, TEMPLATE, load_template

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
PACKAGED_CODE = "s3://ghela-sam-check/api.zip"
"""What ``sam deploy`` puts in CodeUri after uploading the built code (the translator needs an S3 URI)."""


class _NoManagedPolicyLookups:
    """The translator looks up managed policy names only for names in Policies; there are none."""

    def load(self) -> dict[str, str]:
        return {}


def transformed_template(devices: list[str]) -> dict[str, Any]:
    """The CloudFormation the stack deploys for ``devices`` (the DeviceThingNames value)."""
    template = copy.deepcopy(load_template())
    template["Parameters"]["DeviceThingNames"]["Default"] = ",".join(devices)
    matches, expanded = language_extension(Template(str(TEMPLATE), template, [REGION]))
    assert not matches, [str(m) for m in matches]
    sam = json.loads(json.dumps(expanded))  # plain dicts and strings, as the translator expects
    sam["Transform"] = [name for name in sam["Transform"] if name != LANGUAGE_EXTENSIONS]
    sam["Globals"]["Function"]["CodeUri"] = PACKAGED_CODE
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # the translator's pseudo parameters
    return transform(sam, {"DeviceThingNames": ",".join(devices)}, _NoManagedPolicyLookups())
