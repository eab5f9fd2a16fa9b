"""Check a Cognito JWT the way the HTTP API's JWT authorizer does, for the local server.

The checks are PyJWT's (``PyJWKClient`` for the pool's JWKS, ``jwt.decode``), set to API
Gateway's rules (docs: apigateway/latest/developerguide/http-api-jwt-authorizer.html,
"Validating JWTs"):

- ``kid`` must name a key of the issuer's JWKS (here moto's
  ``/<pool>/.well-known/jwks.json``), and the signature must be that key's; only RSA
  algorithms are supported there, and Cognito signs with RS256, so RS256 alone is accepted;
- ``iss`` must equal the configured issuer;
- ``aud`` must be one of the configured audiences; a token without ``aud`` is checked on
  ``client_id`` instead (API Gateway "validates client_id only if aud is not present").
  ``aud`` may be a list: one of its items must match;
- ``exp`` after now, ``nbf`` and ``iat`` before now (a few seconds of leeway);
- and, Cognito's own rule, ``token_use`` is ``id`` or ``access``.

The JWKS is fetched once and cached (``lifespan``); a token naming an unknown ``kid``
refreshes it at most once per ``cooldown`` seconds, so a stream of forged kids cannot make
every request fetch the JWKS again. Whatever the token holds, the answer is the claims or
:class:`InvalidToken`, never another exception.

The claims then go into the event exactly as API Gateway puts them: every value a string,
lists as ``"[a b]"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jwt
from ghela.core.errors import GhelaError

LEEWAY_SECONDS = 5
ALGORITHMS = ["RS256"]
JWKS_LIFESPAN_SECONDS = 300
JWKS_COOLDOWN_SECONDS = 30


class InvalidToken(GhelaError):
    """The token is missing, malformed, badly signed, expired or for someone else."""


class JwtVerifier:
    def __init__(
        self,
        issuer: str,
        audiences: Iterable[str],
        jwks_url: str,
        *,
        timeout: float = 5.0,
        cooldown: float = JWKS_COOLDOWN_SECONDS,
    ) -> None:
        self._issuer = issuer
        self._audiences = sorted(set(audiences))
        self._jwks = jwt.PyJWKClient(
            jwks_url,
            cache_jwk_set=True,
            lifespan=JWKS_LIFESPAN_SECONDS,
            timeout=timeout,
            cooldown_duration=cooldown,
        )

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken naming what was wrong."""
        try:
            return self._verify(token)
        except InvalidToken:
            raise
        except jwt.PyJWKClientConnectionError as exc:
            raise InvalidToken(f"the pool's JWKS could not be fetched: {exc}") from None
        except jwt.PyJWKClientError:
            raise InvalidToken("the token's key is not in the pool's JWKS") from None
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token is from another issuer") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token is for another client") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature is wrong") from None
        except jwt.InvalidAlgorithmError:
            raise InvalidToken(f"the token is not signed with {' or '.join(ALGORITHMS)}") from None
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the token is not valid: {exc}"[:300]) from None
        except Exception as exc:  # a token too deep or too odd for the parser is still just a bad token
            raise InvalidToken(f"the token could not be read: {type(exc).__name__}") from None

    def _verify(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"the token is not signed with {' or '.join(ALGORITHMS)}")
        unverified = jwt.decode(token, options={"verify_signature": False})
        has_aud = "aud" in unverified
        key = self._jwks.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            issuer=self._issuer,
            audience=self._audiences if has_aud else None,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss"], "verify_aud": has_aud},
        )
        if not has_aud and claims.get("client_id") not in self._audiences:
            raise InvalidToken("the token is for another client")
        if claims.get("token_use") not in ("id", "access"):
            raise InvalidToken("the token is neither an ID nor an access token")
        return claims


def authorizer_context(claims: dict[str, Any]) -> dict[str, Any]:
    """``requestContext.authorizer`` as the HTTP API's JWT authorizer builds it."""
    scope = claims.get("scope")
    return {
        "jwt": {
            "claims": {k: _claim_string(v) for k, v in claims.items()},
            "scopes": scope.split() if isinstance(scope, str) else None,
        }
    }


def _claim_string(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
