"""Team names: normalising, recognising the club, splitting titles, stable fixture keys.

Names are compared after :func:`normalise` (accents, case, punctuation and spacing do not
matter), so "K.A.A. Gent", "kaa gent" and "KAA  Gent" are one club and "La Louviére" and
"La Louvière" one opponent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ghela.core.names import normalise

_TITLE = re.compile(r"^\s*(?P<home>.+?)\s+(?:-|–|—|vs\.?|v)\s+(?P<away>.+?)\s*(?:\[(?P<tag>[^\]]+)\])?\s*$")


class Club:
    """The club whose home games we want, known by its name and aliases."""

    def __init__(self, name: str, aliases: Iterable[str] = ()) -> None:
        self.name = name
        self._names = {normalise(name)} | {normalise(alias) for alias in aliases}
        self._names.discard("")

    def is_club(self, team: str) -> bool:
        return normalise(team) in self._names


@dataclass(frozen=True)
class Title:
    """``"KAA Gent - Club Brugge [CL]"`` as home, away and the competition tag (or None)."""

    home: str
    away: str
    competition: str | None


def split_title(text: str) -> Title | None:
    """Home, away and competition tag of an event title; None when it names no two teams."""
    match = _TITLE.match(" ".join(text.split()))
    if match is None:
        return None
    tag = match["tag"].strip() if match["tag"] else None
    return Title(match["home"].strip(), match["away"].strip(), tag or None)


def fixture_key(competition: str, home: str, away: str, season: str) -> str:
    """The stable key of a game: it survives a change of date or kick-off time."""
    return ":".join(normalise(part) or "-" for part in (competition, home, away, season))


def source_key(source_id: str) -> str:
    """The key of a game the source identifies itself (an ICS UID, a match link)."""
    return "id:" + " ".join(source_id.split())[:190]
