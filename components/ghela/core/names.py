"""Team names compared as people read them, and when two sources list the same game.

Shared by the Scraper (``ghela scrape --compare``) and the Scheduler (the merge of sources),
so both decide "same game" by one rule:

- :func:`normalise`: accents, case, punctuation and spacing do not matter ("K.A.A. Gent",
  "kaa gent" and "KAA  Gent" are one name);
- :func:`same_opponent`: also the club-form words do not ("Club Brugge" and "Club Brugge
  KV", "Standard Liège" and "Standard de Liège"), and a name may be a shortening of the
  other ("Union Saint-Gilloise" and "Royale Union Saint-Gilloise");
- :func:`same_game`: the same opponent within :data:`MATCH_DAYS` days. Sources key their
  games differently (a match link, competition tags that differ), and a feed that is a
  day late must still be recognised as the same game, not as a second one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
FORM_WORDS = frozenset(
    {
        "fc",
        "kv",
        "kvc",
        "krc",
        "rsc",
        "rfc",
        "kaa",
        "aa",
        "k",
        "r",
        "royal",
        "royale",
        "sv",
        "vv",
        "de",
        "sk",
        "ac",
        "afc",
        "cf",
        "sc",
    }
)
"""Words of a club's legal form or article, which sources write or leave out at will."""
MATCH_DAYS = 10
"""Two listings of the same opponent this many days apart or less are one game (a league
plays the same home opponent twice a season months apart, never within ten days)."""


def normalise(name: str) -> str:
    """``"K.A.A. Gent"`` → ``"kaa-gent"``: lower case, no accents, words joined by ``-``."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_only = ascii_only.replace(".", "")
    return _NON_ALNUM.sub("-", ascii_only).strip("-")


def _words(name: str) -> frozenset[str]:
    words = frozenset(normalise(name).split("-")) - {""}
    return (words - FORM_WORDS) or words


def same_opponent(a: str, b: str) -> bool:
    first, second = _words(a), _words(b)
    if not first or not second:
        return False
    return first <= second or second <= first


def same_game(opponent_a: str, day_a: date, opponent_b: str, day_b: date) -> bool:
    return abs((day_a - day_b).days) <= MATCH_DAYS and same_opponent(opponent_a, opponent_b)
