"""When an alert lights: the Scheduler's rule, in core so the cloud's read of the copy uses it too.

An alert lights during ``[lit_from, ends_at)``; :mod:`ghela.scheduler.light` combines the
lit alerts, :mod:`ghela.core.nextup` says which lights next.
"""

from __future__ import annotations

from datetime import datetime


def lit_from(
    starts_at: datetime,
    ends_at: datetime,
    snoozed_until: datetime | None,
    silenced: bool,
    event_live: bool,
) -> datetime | None:
    """From when an alert lights: its start, or the end of its snooze; None if never.

    ``event_live`` is False when the alert's event is cancelled.
    """
    if silenced or not event_live:
        return None
    if snoozed_until is None or snoozed_until <= starts_at:
        return starts_at
    if snoozed_until >= ends_at:
        return None
    return snoozed_until
