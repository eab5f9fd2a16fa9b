"""/calendar/{device}/{token}: the device's events as iCalendar, for calendar apps.

The one route with no Cognito user (calendar apps cannot sign in): the token in the URL is
the key, checked by :class:`ghela_cloud.api.feedtokens.FeedTokenStore` in constant time. A
wrong, old or malformed token, or an unknown device, is the same 404, so the answer never
says which part was wrong. It only reads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path
from ghela.core.clock import venue_zone

from ghela_cloud.api.feed import build_feed
from ghela_cloud.api.params import ServicesDep
from ghela_cloud.api.views import event_view, relevant_until, sort_key

router = Router()

FEED_HISTORY = timedelta(days=30)
"""Past events stay this long, so calendars keep last month's games instead of dropping them."""
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


@router.get(
    "/calendar/<device>/<token>",
    summary="The device's events as an iCalendar feed (no sign-in: the token is the key)",
    responses={200: {"description": "An iCalendar (RFC 5545) document", "content": {"text/calendar": {}}}},
)
def calendar_feed(
    device: Annotated[str, Path(max_length=128, description="The device's thing name")],
    token: Annotated[str, Path(max_length=128, description="The feed's secret token")],
    services: ServicesDep,
) -> Response[str]:
    if device not in services.settings.devices or not services.feed_tokens.matches(device, token):
        raise NotFoundError("no calendar feed at this address (the token may have been rotated)")
    now = services.clock.now()
    views = [v for v in map(event_view, services.events.list_events(device)) if v is not None]
    zone = venue_zone(services.settings.venue_zone)
    kept = [v for v in views if (until := relevant_until(v, zone)) is None or until >= now - FEED_HISTORY]
    body = build_feed(device, sorted(kept, key=sort_key), zone, now)
    return Response(
        status_code=200,
        content_type=CALENDAR_CONTENT_TYPE,
        body=body.decode("utf-8"),
        headers={"Cache-Control": "private, max-age=300"},
    )
