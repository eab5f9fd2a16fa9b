"""Render the CloudFormation intrinsics of cloud/template.yaml to plain values, for tests.

Parameters and pseudo parameters get fixed values; ``Ref``/``GetAtt`` of a resource become
recognisable ARNs or names (``arn:aws:dynamodb:eu-west-1:123456789012:table/<EventsTable>``),
so a test can reason about policy resources without deploying anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

TEMPLATE = Path(__file__).resolve().parents[2] / "cloud" / "template.yaml"
ACCOUNT = "123456789012"
REGION = "eu-west-1"

ARN_OF = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/<{name}>",
    "AWS::S3::Bucket": "arn:aws:s3:::<{name}>",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/<{name}>",
    "AWS::IoT::ThingGroup": "arn:aws:iot:{region}:{account}:thinggroup/<{name}>",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:<{name}>:*",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:<{name}>",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:<{name}>",
}


def load_template() -> dict[str, Any]:
    template, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return template


class Renderer:
    def __init__(self, template: dict[str, Any], parameters: dict[str, Any]) -> None:
        self.resources = template["Resources"]
        self.values: dict[str, Any] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            **parameters,
        }

    def render(self, node: Any, local: dict[str, Any] | None = None) -> Any:
        values = {**self.values, **(local or {})}
        if isinstance(node, list):
            return [self.render(item, local) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return values.get(arg, f"<{arg}>")
            if key == "Fn::GetAtt":
                resource, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._attribute(resource, attribute)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                extra = {k: self.render(v, local) for k, v in extra.items()}
                return self._sub(text, {**values, **extra})
            if key == "Fn::Join":
                separator, items = self.render(arg[0], local), self.render(arg[1], local)
                return separator.join(items)
            if key == "Fn::Split":
                separator, text = self.render(arg[0], local), self.render(arg[1], local)
                return text.split(separator)
            if key == "Fn::Select":
                return self.render(arg[1], local)[int(arg[0])]
        return {k: self.render(v, local) for k, v in node.items()}

    def _attribute(self, resource: str, attribute: str) -> str:
        kind = self.resources[resource]["Type"]
        if attribute == "Arn" and kind in ARN_OF:
            return ARN_OF[kind].format(region=REGION, account=ACCOUNT, name=resource)
        if attribute == "StreamArn" and kind == "AWS::DynamoDB::Table":
            table = ARN_OF[kind].format(region=REGION, account=ACCOUNT, name=resource)
            return f"{table}/stream/<{resource}.StreamLabel>"
        return f"<{resource}.{attribute}>"

    def _sub(self, text: str, values: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if "." in name:
                resource, attribute = name.split(".", 1)
                return self._attribute(resource, attribute)
            return str(values[name]) if name in values else f"<{name}>"

        return re.sub(r"\$\{([^}]+)\}", replace, text)


def policy_documents(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The IAM and IoT policy documents a resource holds (SAM's and CloudFormation's shapes)."""
    kind, props = resource["Type"], resource.get("Properties", {})
    if kind == "AWS::Serverless::Function":
        return [p for p in props.get("Policies", []) if isinstance(p, dict) and "Statement" in p]
    if kind == "AWS::IAM::Role":
        return [props["AssumeRolePolicyDocument"], *(p["PolicyDocument"] for p in props.get("Policies", []))]
    if kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        return [props["PolicyDocument"]]
    if kind in ("AWS::IoT::Policy", "AWS::S3::BucketPolicy"):
        return [props["PolicyDocument"]]
    return []


def policy_statements(template: dict[str, Any], renderer: Renderer) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM and IoT policy statement in the template, rendered, with where it is."""
    found = []
    for name, resource in template["Resources"].items():
        if not isinstance(resource, dict) or "Type" not in resource:
            continue
        for document in policy_documents(resource):
            for statement in document["Statement"]:
                found.append((name, renderer.render(statement)))
    return found
