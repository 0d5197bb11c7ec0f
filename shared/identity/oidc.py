"""Access tokens of one OpenID Connect issuer, verified as a resource server does.

Discovery (`<issuer>/.well-known/openid-configuration`) gives the `jwks_uri`; PyJWT's
PyJWKClient fetches and caches the key set and refetches it when a token names an unknown
`kid`, at most once per cooldown, so a rotated key is picked up without a restart and a flood
of made-up `kid`s cannot hammer the provider. Checked: the signature with a configured
(asymmetric) algorithm, `iss`, `aud`, `exp`, `nbf` with leeway.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import jwt

from shared.errors import TransientError

SYMMETRIC = {"HS256", "HS384", "HS512", "none"}


class RejectedToken(Exception):
    """The token is not one this service accepts; the message says why (answered as 401)."""


class IssuerTokens:
    def __init__(
        self,
        issuer: str,
        *,
        audience: str,
        algorithms: Sequence[str],
        leeway_seconds: float,
        jwks_refresh_seconds: float,
        discovery_url: str | None = None,
        http_timeout: float = 5.0,
    ) -> None:
        refused = SYMMETRIC.intersection(algorithms)
        if refused or not algorithms:
            raise ValueError(f"OIDC_ALGORITHMS must be asymmetric; refused: {sorted(refused)}")
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.algorithms = list(algorithms)
        self._leeway = leeway_seconds
        self._refresh = jwks_refresh_seconds
        self._discovery_url = discovery_url or f"{self.issuer}/.well-known/openid-configuration"
        self._timeout = http_timeout
        self._keys: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def claims(self, token: str) -> Mapping[str, Any]:
        """The verified claims, or RejectedToken; TransientError when the provider is away."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise RejectedToken(f"not a JWT: {error}") from error
        if header.get("alg") not in self.algorithms:
            raise RejectedToken(
                f"alg {header.get('alg')!r} is not accepted (accepted: {self.algorithms})"
            )
        key = self._signing_key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise RejectedToken(str(error)) from error
        return claims

    def _signing_key(self, kid: object) -> Any:
        if not isinstance(kid, str) or not kid:
            raise RejectedToken("the token names no signing key (kid)")
        try:
            return self._key_set().get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError as error:
            raise TransientError(f"the issuer's keys are unreachable: {error}") from error
        except jwt.PyJWKClientError as error:
            raise RejectedToken(f"signing key {kid!r} is not among the issuer's keys") from error

    def _key_set(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._keys is None:
                self._keys = jwt.PyJWKClient(
                    self._jwks_uri(),
                    cache_jwk_set=True,
                    lifespan=300,
                    timeout=self._timeout,
                    cooldown_duration=self._refresh,
                )
            return self._keys

    def _jwks_uri(self) -> str:
        try:
            response = httpx.get(self._discovery_url, timeout=self._timeout)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            failure = f"OIDC discovery failed at {self._discovery_url}: {error}"
            raise TransientError(failure) from error
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise TransientError(
                f"the discovery document names issuer {document.get('issuer')!r}, "
                f"this service is configured for {self.issuer!r} (OIDC_ISSUER)"
            )
        jwks_uri: str = document["jwks_uri"]
        return jwks_uri
