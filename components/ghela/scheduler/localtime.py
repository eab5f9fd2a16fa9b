"""Wall-clock times in the venue's zone that the clock change skips or repeats.

Once a year a local time does not exist (spring: in Brussels the clocks jump from 02:00 to
03:00, so 02:30 never happens) and once a year a local time happens twice (autumn: 02:30
CEST, then 02:30 CET an hour later). Python silently turns the first into an instant an
hour later on the wall clock and the second into its first occurrence; these helpers make
both cases visible so each caller can choose: the CLI refuses them, the planning rules
resolve them to one documented instant (:func:`lenient_instant`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class LocalKind(StrEnum):
    """What a naive wall-clock time is in a zone."""

    NORMAL = "normal"  # happens exactly once
    GAP = "gap"  # never happens: the clocks go forward over it
    TWICE = "twice"  # happens twice: the clocks go back over it


def classify(naive: datetime, zone: ZoneInfo) -> LocalKind:
    """Whether ``naive`` (no tzinfo) happens once, never or twice in ``zone``."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return LocalKind.NORMAL
    # In a gap, fold=0 uses the offset from before the change, which lands past the gap:
    # the instant does not read back as the same wall-clock time.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return LocalKind.GAP
    return LocalKind.TWICE


def utc_offsets(naive: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The zone's UTC offsets for the first and the second reading of ``naive``.

    They differ only around a clock change: for a time that happens twice, the offset of
    its first occurrence, then of its second.
    """
    # A ZoneInfo always has an offset; ``or`` only narrows the type (a zero offset stays zero).
    first = naive.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
    second = naive.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
    return first, second


def gap_end(naive: datetime, zone: ZoneInfo) -> datetime:
    """For a ``naive`` time in a gap: the instant (UTC) the clocks jump, i.e. the first
    instant after the gap (03:00 CEST on a spring Sunday in Brussels)."""
    # fold=1 reads the time with the offset from after the change: an instant before the
    # jump; fold=0 with the offset from before it: an instant after the jump. The jump is
    # found between them to the second (zone transitions fall on whole seconds).
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    new_offset = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def lenient_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """A configured wall-clock time as one instant (UTC); never fails.

    A time in the spring-forward gap becomes the instant right after the gap (02:30 on a
    spring Sunday in Brussels → 03:00 CEST); a time that happens twice becomes its first
    occurrence (02:30 CEST on an autumn Sunday).
    """
    if classify(naive, zone) is LocalKind.GAP:
        return gap_end(naive, zone)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
