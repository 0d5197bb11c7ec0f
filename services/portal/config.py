"""Settings of the portal, read from environment variables (see README, "The portal")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DEV_JWT_SECRET


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = "portal"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    portal_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="How browsers reach the portal: the OIDC redirect URI is built from it.",
    )
    registration_url: str = "http://127.0.0.1:8001"
    projects_url: str = "http://127.0.0.1:8002"
    awards_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    oidc_issuer: str = Field(
        default="http://127.0.0.1:8090",
        description="The OpenID provider; its discovery document is read at sign-in.",
    )
    oidc_discovery_url: str | None = Field(
        default=None,
        description="Where the portal itself reads the provider's discovery document (a "
        "back-channel URL inside compose: http://keycloak:8080/...); the browser is still "
        "sent to the public issuer's endpoints it names. Default: the issuer's.",
    )
    oidc_client_id: str = "etwinning-portal"
    oidc_client_secret: SecretStr = SecretStr("dev-portal-secret")
    oidc_scope: str = "openid profile email"
    service_tokens: Literal["provider", "dev-hs256"] = Field(
        default="dev-hs256",
        description="`provider`: the services get the provider's access token as it is. "
        "`dev-hs256`: the portal mints the services' development HS256 token from the signed-in "
        "person's ID-token claims (only while services verify HS256 tokens).",
    )
    jwt_secret: SecretStr = Field(default=SecretStr(DEV_JWT_SECRET), min_length=32)
    jwt_issuer: str = "etwinning-platform"
    session_secret: SecretStr = Field(
        default=SecretStr("dev-only-portal-session-secret-0123456789abcdef"), min_length=32
    )
    session_store: Literal["mongodb", "memory"] = Field(
        default="mongodb",
        description="`mongodb`: sessions in the portal's own database (survive a restart, "
        "shared by replicas). `memory`: in the process (one replica; unit tests).",
    )
    mongodb_url: str = "mongodb://127.0.0.1:27017/?replicaSet=rs0"
    mongodb_database: str = Field(
        default="etw_portal", description="The portal's own database: sessions only."
    )
    session_hours: float = Field(default=8.0, gt=0)
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set in production)."
    )
    service_timeout_seconds: float = Field(default=10.0, gt=0)
    log_json: bool | None = None
    log_level: str = "INFO"
    graceful_timeout_seconds: float = 10.0
