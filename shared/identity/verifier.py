"""The one place a service decides which tokens it accepts, from its settings.

- OIDC mode (OIDC_ISSUER set): access tokens of that issuer, roles from their groups claim;
- development mode (AUTH_DEV_MODE=true, never with ENVIRONMENT=production): HS256 tokens
  signed with JWT_SECRET that carry the role themselves (tools/mint_token.py);
- both may be on together (`make run`); neither is a configuration error at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from shared.identity.oidc import IssuerTokens, RejectedToken
from shared.identity.roles import GroupRoles, StaffGrant, claim_values
from shared.settings import ServiceSettings

DEV_ALGORITHM = "HS256"


class AuthConfigurationError(ValueError):
    """The service cannot know who calls it; it refuses to start."""


@dataclass(frozen=True)
class ProviderIdentity:
    """A person the issuer vouches for: their subject and the staff role of their groups.
    Without one, they are a teacher if their subject is linked to a record, else an applicant."""

    subject: str
    staff: StaffGrant | None


@dataclass(frozen=True)
class DevClaims:
    """The claims of a development token, trusted as they are."""

    claims: dict[str, object]


class TokenVerifier:
    def __init__(
        self,
        provider: IssuerTokens | None,
        group_roles: GroupRoles,
        groups_claim: str,
        dev_secret: str | None,
        dev_issuer: str,
    ) -> None:
        self.provider = provider
        self._group_roles = group_roles
        self._groups_claim = groups_claim
        self._dev_secret = dev_secret
        self._dev_issuer = dev_issuer

    @property
    def dev_mode(self) -> bool:
        return self._dev_secret is not None

    def verify(self, token: str) -> ProviderIdentity | DevClaims:
        """Raises RejectedToken (401) or TransientError (503, the provider is away)."""
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as error:
            raise RejectedToken(f"not a JWT: {error}") from error
        if alg == DEV_ALGORITHM and self._dev_secret is not None:
            return DevClaims(self._dev_claims(token, self._dev_secret))
        if self.provider is None:
            raise RejectedToken(f"alg {alg!r} is not accepted: development mode takes HS256")
        if alg == DEV_ALGORITHM:
            raise RejectedToken(
                f"HS256 development tokens are not accepted; tokens of {self.provider.issuer} are"
            )
        claims = self.provider.claims(token)
        groups = claim_values(claims, self._groups_claim)
        return ProviderIdentity(str(claims["sub"]), self._group_roles.grant(groups))

    def _dev_claims(self, token: str, secret: str) -> dict[str, object]:
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                secret,
                algorithms=[DEV_ALGORITHM],
                issuer=self._dev_issuer,
                options={"require": ["exp"]},
            )
        except jwt.InvalidTokenError as error:
            raise RejectedToken(str(error)) from error
        return claims


def token_verifier_for(settings: ServiceSettings) -> TokenVerifier:
    """The verifier the settings ask for, or AuthConfigurationError with what to set."""
    if settings.auth_dev_mode and settings.environment == "production":
        raise AuthConfigurationError(
            "AUTH_DEV_MODE=true is refused with ENVIRONMENT=production: development tokens "
            "are signed with a shared secret any service could mint operators with"
        )
    if not settings.oidc_issuer and not settings.auth_dev_mode:
        raise AuthConfigurationError(
            f"{settings.service_name}: no identity provider configured. Set OIDC_ISSUER (and "
            "OIDC_AUDIENCE) to the OpenID Connect issuer whose access tokens to accept, or "
            "AUTH_DEV_MODE=true for tests and local use (HS256 tokens of tools/mint_token.py)"
        )
    try:
        group_roles = GroupRoles(settings.oidc_group_roles)
        provider = (
            IssuerTokens(
                settings.oidc_issuer,
                audience=settings.oidc_audience,
                algorithms=settings.oidc_algorithms,
                leeway_seconds=settings.oidc_leeway_seconds,
                jwks_refresh_seconds=settings.oidc_jwks_refresh_seconds,
                discovery_url=settings.oidc_discovery_url,
            )
            if settings.oidc_issuer
            else None
        )
    except ValueError as error:
        raise AuthConfigurationError(str(error)) from error
    dev_secret = settings.jwt_secret.get_secret_value() if settings.auth_dev_mode else None
    return TokenVerifier(
        provider, group_roles, settings.oidc_groups_claim, dev_secret, settings.jwt_issuer
    )
