"""The Cognito user pool's and web client's settings, shared by the template and moto.

``cloud/template.yaml`` declares the same (``tests/cloud/test_template.py`` checks), and
:mod:`ghela_cloud.local.provision` creates the local pool with them. Sign-in is SRP only
in AWS: the password never leaves the browser. Locally the client also allows
``USER_PASSWORD_AUTH``, which only the local SRP front (:mod:`ghela_cloud.local.cognito`)
and test fixtures use, because moto's SRP does not check the password.
"""

from __future__ import annotations

PASSWORD_POLICY = {
    "MinimumLength": 14,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}

MFA_CONFIGURATION = "OPTIONAL"
"""Each user may add an authenticator app (TOTP); nobody has to."""

WEB_CLIENT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
LOCAL_ONLY_AUTH_FLOWS = ("ALLOW_USER_PASSWORD_AUTH",)

REFRESH_TOKEN_HOURS = 12
"""The page keeps the refresh token in sessionStorage (gone with the tab): a work day."""
ACCESS_TOKEN_MINUTES = 60
ID_TOKEN_MINUTES = 60
