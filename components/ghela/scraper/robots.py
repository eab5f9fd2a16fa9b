"""robots.txt, as RFC 9309 says a crawler should treat it.

- 2xx: obey the rules (for our User-Agent's product token, else ``*``);
- 4xx (there is none): everything is allowed;
- 5xx or no answer: the site is unreachable, so nothing is allowed until it answers.

Answers are cached per origin for a day (an unreachable site is asked again next time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from ghela.scraper.http import HttpRequest, Transport

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(hours=24)
MAX_ROBOTS_BYTES = 500_000


class RobotsRules:
    """Whether a URL may be fetched, per the site's robots.txt."""

    def __init__(self, transport: Transport, user_agent: str, timeout: float) -> None:
        self._transport = transport
        self._user_agent = user_agent
        self._timeout = timeout
        self._cache: dict[str, tuple[datetime, RobotFileParser | bool]] = {}

    def allowed(self, url: str, now: datetime) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._cache.get(origin)
        if cached is None or cached[0] <= now:
            rules = self._load(origin)
            expires = now + CACHE_FOR if rules is not False else now
            cached = (expires, rules)
            self._cache[origin] = cached
        rules = cached[1]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self._user_agent, url)

    def _load(self, origin: str) -> RobotFileParser | bool:
        request = HttpRequest(
            f"{origin}/robots.txt",
            {"User-Agent": self._user_agent},
            timeout=self._timeout,
            max_bytes=MAX_ROBOTS_BYTES,
        )
        try:
            response = self._transport(request)
        except OSError as exc:
            log.warning("robots.txt of %s unreachable (%s): not fetching", origin, exc)
            return False
        if 400 <= response.status < 500:
            return True
        if response.status >= 300:
            log.warning("robots.txt of %s answered %d: not fetching", origin, response.status)
            return False
        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return parser
