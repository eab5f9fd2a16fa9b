"""/calendar-feed: see whether a device has a calendar feed; an admin makes a new URL."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ForbiddenError

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.feedmodels import CalendarFeedView, RotatedCalendarFeed
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device

router = Router()


@router.get("/calendar-feed", summary="Whether the device has a calendar feed, and who made its URL")
def get_calendar_feed(
    caller: CallerDep, services: ServicesDep, device: DeviceQuery = None
) -> CalendarFeedView:
    thing = pick_device(device, services)
    stored = services.feed_tokens.get(thing)
    if stored is None:
        return CalendarFeedView(device=thing, active=False, can_rotate=caller.is_admin)
    return CalendarFeedView(
        device=thing,
        active=True,
        rotated_at=stored.rotated_at or None,
        rotated_by=stored.rotated_by,
        can_rotate=caller.is_admin,
    )


@router.post(
    "/calendar-feed/rotate",
    summary="A new calendar feed URL (admins only); the old one answers 404 from now on",
)
def rotate_calendar_feed(
    caller: CallerDep, services: ServicesDep, device: DeviceQuery = None
) -> RotatedCalendarFeed:
    if not caller.is_admin:
        raise ForbiddenError("only administrators may make a new calendar feed URL")
    thing = pick_device(device, services)
    now = services.clock.now()
    token = services.feed_tokens.rotate(thing, caller.name, now)
    return RotatedCalendarFeed(
        device=thing,
        active=True,
        rotated_at=now,
        rotated_by=caller.name[:200],
        can_rotate=True,
        path=f"/calendar/{thing}/{token}",
    )
