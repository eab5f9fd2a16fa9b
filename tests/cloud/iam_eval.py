"""A small IAM policy evaluator for rendered statements: moto's IAM does not evaluate
conditions, so the tests ask this whether a request would be allowed.

It knows what the project's policies use (Allow/Deny, wildcards in Action and Resource,
policy variables, the operators StringEquals, ForAllValues:StringEquals, ArnEquals, Bool)
and refuses anything else rather than guess. An explicit Deny wins; otherwise a request is
allowed only if some Allow statement matches (IAM's default deny).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any


@dataclass
class Request:
    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    """Condition keys as the service sets them (lists for multivalued keys)."""
    variables: dict[str, str] = field(default_factory=dict)
    """Policy variables, e.g. ``credentials-iot:ThingName``."""


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _substitute(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise KeyError(f"policy variable {name} has no value in this request")
        return variables[name]

    return re.sub(r"\$\{([^}]+)\}", replace, text)


def _condition_holds(operator: str, key: str, expected: Any, request: Request) -> bool:
    wanted = [_substitute(str(v), request.variables) for v in _listed(expected)]
    present = key in request.context
    actual = _listed(request.context.get(key, []))
    if operator == "ForAllValues:StringEquals":
        return all(str(value) in wanted for value in actual)  # vacuously true when absent, as in IAM
    if not present:
        return False
    if operator in ("StringEquals", "ArnEquals"):
        return any(str(value) in wanted for value in actual)
    if operator == "Bool":
        return any(str(value).lower() in [w.lower() for w in wanted] for value in actual)
    raise NotImplementedError(f"condition operator {operator} is not modelled")


def _matches(statement: dict[str, Any], request: Request) -> bool:
    if not any(fnmatchcase(request.action, a) for a in _listed(statement.get("Action", []))):
        return False
    resources = [_substitute(r, request.variables) for r in _listed(statement.get("Resource", []))]
    if not any(fnmatchcase(request.resource, r) for r in resources):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, request):
                return False
    return True


def allowed(statements: list[dict[str, Any]], request: Request) -> bool:
    matching = [s for s in statements if _matches(s, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)
