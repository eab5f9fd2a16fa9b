"""A downloader middleware that notes the status the site really sent.

Scrapy's HTTP cache (RFC 2616 policy) answers a revalidated request with the stored page,
status and all: a 304 and a 5xx served from the cache both reach the spider as the old 200.
This middleware sits between the cache and the network (below the retry middleware), so
``request.meta[SITE_STATUS]`` holds what the last try really got; the spider then tells
"not modified" (304) from "the site fails and the cache covered for it" (an error).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

SITE_STATUS = "ghela_site_status"


class RecordSiteStatus:
    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[SITE_STATUS] = response.status
        return response
