"""Who is calling, read only from the authorizer context of the API Gateway event.

In AWS the HTTP API's JWT authorizer has already checked the Cognito token (issuer,
audience, expiry) and put its claims in ``requestContext.authorizer.jwt.claims``; locally
:mod:`ghela_cloud.local.jwt` applies the same rules and fills in the same place. A request
with no claims there is answered 401 (a route reached without the authorizer is a
misconfiguration, never an anonymous caller).

Admin-only operations (document: README, "Who may do what"): changing, cancelling or
re-timing a *game* (games come from the official fixture lists; a wrong change costs a
fine per car), and asking the device to scrape now. Everything else needs any signed-in
user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Request
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.exceptions import ForbiddenError, UnauthorizedError

from ghela_cloud.api.services import Services, get_services


@dataclass(frozen=True)
class Caller:
    subject: str
    name: str
    groups: frozenset[str]
    is_admin: bool


def parse_groups(raw: Any) -> frozenset[str]:
    r"""``cognito:groups`` as the list it is, never split anywhere else.

    The HTTP API's JWT authorizer passes every claim as a string, an array as its items
    inside brackets separated by one space: ``["staff", "admins"]`` arrives as
    ``"[staff admins]"`` (measured on API Gateway: aws-solutions-library-samples/
    guidance-for-claude-code-with-amazon-bedrock#802, floci-io/floci#2011). Cognito group
    names cannot hold whitespace (GroupName pattern ``[\p{L}\p{M}\p{S}\p{N}\p{P}]+``), so
    whitespace is the only separator: a group named ``staff,admins`` is that one group, not
    two. A string without brackets is a single value; a JSON list (a direct invocation) is
    taken as it is.
    """
    if isinstance(raw, list):
        return frozenset(g for g in raw if isinstance(g, str) and g)
    if not isinstance(raw, str):
        return frozenset()
    if raw.startswith("[") and raw.endswith("]"):
        return frozenset(raw[1:-1].split())
    return frozenset([raw]) if raw else frozenset()


def current_caller(request: Request, services: Annotated[Services, Depends(get_services)]) -> Caller:
    authorizer = (request.resolved_event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise UnauthorizedError("a valid Cognito token is required (Authorization: Bearer <token>)")
    name = claims.get("email") or claims.get("cognito:username") or claims.get("username") or subject
    groups = parse_groups(claims.get("cognito:groups"))
    return Caller(
        subject=subject,
        name=str(name),
        groups=groups,
        is_admin=services.settings.admin_group in groups,
    )


def require_admin_for_games(caller: Caller, event_kind: str) -> None:
    if event_kind == "game":
        require_admin(caller, "change or cancel a game")


def require_admin(caller: Caller, what: str) -> None:
    if not caller.is_admin:
        raise ForbiddenError(f"only administrators may {what}")


CallerDep = Annotated[Caller, Depends(current_caller)]
