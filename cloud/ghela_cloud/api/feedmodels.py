"""Bodies of the calendar feed's management routes (``/calendar-feed``)."""

from __future__ import annotations

from ghela.core.wiretypes import UtcDatetime

from ghela_cloud.api.models import ApiModel


class CalendarFeedView(ApiModel):
    """Whether the device has a feed, and who last made its URL.

    The token is kept only as a hash, so the URL is in the answer to a rotation and nowhere
    else: the admin who rotates passes it on to staff.
    """

    device: str
    active: bool
    rotated_at: UtcDatetime | None = None
    rotated_by: str = ""
    can_rotate: bool = False
    """Whether the caller (an administrator) may make a new URL."""


class RotatedCalendarFeed(CalendarFeedView):
    path: str
    """The feed's path under the API's URL (``/calendar/<device>/<token>``); shown once."""
