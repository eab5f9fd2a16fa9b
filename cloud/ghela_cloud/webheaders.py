"""The web page's security headers, defined once: the CloudFront response-headers policy in
``cloud/template.yaml`` sends them in AWS (``tests/cloud/test_template.py`` checks that it
writes this CSP) and the local server sends them locally, so the browser tests run the page
under the same policy.

Only ``connect-src`` differs: in AWS the page calls Cognito and the API on their own hosts;
locally both are under the page's own origin (``/cognito``, ``/api``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence

# The install manifest's type (W3C Web App Manifest); Python's table does not know it.
mimetypes.add_type("application/manifest+json", ".webmanifest")


def content_security_policy(connect_sources: Sequence[str]) -> str:
    """No inline script or style, nothing from elsewhere, never framed."""
    directives = [
        ("default-src", ["'none'"]),
        ("script-src", ["'self'"]),
        ("style-src", ["'self'"]),
        ("img-src", ["'self'", "data:"]),  # data: only for the empty favicon
        ("connect-src", ["'self'", *connect_sources]),
        ("manifest-src", ["'self'"]),  # the install manifest (default-src would refuse it)
        ("worker-src", ["'self'"]),  # sw.js, which receives Web Push
        ("base-uri", ["'none'"]),
        ("form-action", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
        ("object-src", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives)


def aws_connect_sources(region: str, url_suffix: str) -> list[str]:
    """Cognito's endpoint and any HTTP API of the region (see the template for why any)."""
    return [f"https://cognito-idp.{region}.{url_suffix}", f"https://*.execute-api.{region}.{url_suffix}"]


def security_headers(connect_sources: Sequence[str] = ()) -> dict[str, str]:
    """The headers as the local server sends them (HSTS only means something over HTTPS)."""
    return {
        "Content-Security-Policy": content_security_policy(connect_sources),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
