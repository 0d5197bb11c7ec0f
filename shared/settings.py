"""Settings shared by every service, read from environment variables (see README)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = Field(description="Name used in logs, AMQP app_id and queue names.")
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/",
        description="RabbitMQ URL; add ?heartbeat=15 in production.",
    )
    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27017/?replicaSet=rs0",
        description="MongoDB URL; must reach a replica set (transactions).",
    )
    mongodb_database: str | None = Field(
        default=None, description="Database of this service; defaults to `etw_<service>`."
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is a 413 before it is parsed.",
    )
    public_base_url: str | None = Field(
        default=None, description="How others reach this service's HTTP API (links in mails)."
    )
    log_json: bool | None = Field(default=None, description="JSON logs; default: when not a TTY.")
    log_level: str = "INFO"
    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` refuses development-mode authentication (AUTH_DEV_MODE).",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="The OpenID Connect issuer whose access tokens this service accepts, "
        "exactly as in the tokens' `iss` (e.g. https://idp.example/realms/etwinning).",
    )
    oidc_discovery_url: str | None = Field(
        default=None,
        description="Where this service reads the issuer's discovery document, when it "
        "reaches the provider by another address than the issuer's (inside a cluster).",
    )
    oidc_audience: str = Field(
        default="etwinning-services", description="The `aud` access tokens must carry."
    )
    oidc_algorithms: tuple[str, ...] = Field(
        default=("RS256",), description="Signature algorithms accepted (asymmetric only)."
    )
    oidc_leeway_seconds: float = Field(default=30.0, ge=0, description="Clock skew allowed.")
    oidc_jwks_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="At most one JWKS refetch this often when a token names an unknown key.",
    )
    oidc_groups_claim: str = Field(
        default="groups",
        description="Claim holding the person's groups or roles; dots walk into objects "
        "(Keycloak realm roles: `realm_access.roles`).",
    )
    oidc_group_roles: dict[str, str] = Field(
        default={"nso-{country}": "nso", "css": "css", "operator": "operator"},
        description="Group name -> platform role; `{country}` in a name matches an ISO code "
        "and makes the person staff of that country's NSO. JSON in the environment.",
    )
    auth_dev_mode: bool = Field(
        default=False,
        description="Accept HS256 tokens signed with JWT_SECRET (tools/mint_token.py): for "
        "tests and local use only; refused when ENVIRONMENT=production.",
    )
    jwt_secret: SecretStr = Field(default=SecretStr(DEV_JWT_SECRET), min_length=32)
    jwt_issuer: str = "etwinning-platform"
    amqp_prefetch: int = Field(default=10, ge=1, description="Unacked deliveries per consumer.")
    consumer_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Attempts for a transient failure before the message is dead-lettered. "
        "Below the queue's x-delivery-limit, which stays the backstop for crash loops.",
    )
    consumer_stall_seconds: float = Field(
        default=180.0,
        gt=0,
        description="A consumer that holds deliveries and settles none for longer than this "
        "reports not ready. Above RETRY_MAX_SECONDS (a retry holds its delivery that long).",
    )
    startup_database_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How long one start-up attempt waits for the database to answer before "
        "serving HTTP, not ready, and trying again in the background.",
    )
    retry_base_seconds: float = Field(default=1.0, ge=0)
    retry_max_seconds: float = Field(default=30.0, ge=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    jobs_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often a job worker looks for a job to claim."
    )
    jobs_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A job's lease: renewed while its worker lives; once it runs out (the "
        "worker died), another worker resumes the job from its last checkpoint.",
    )
    jobs_max_attempts: int = Field(
        default=5, ge=1, description="Claims of a job that keeps failing before it is failed."
    )
    outbox_lease_seconds: float = Field(default=30.0, gt=0)
    outbox_mark_delay_seconds: float = Field(
        default=0.5,
        ge=0,
        description="Published outbox entries are marked together at most this late: fewer "
        "round trips; a relay that crashes publishes up to this much again (deduplicated).",
    )
    outbox_max_attempts: int = Field(
        default=50, ge=1, description="Publish attempts before an outbox entry is marked failed."
    )
    publish_timeout_seconds: float = Field(default=10.0, gt=0)
    graceful_timeout_seconds: float = Field(default=15.0, gt=0)
    transaction_timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Bound on one unit of work, the driver's own retries included (PyMongo "
        "retries a transaction for up to 120 s); past it the consumer's retry policy decides.",
    )

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"etw_{self.service_name}"

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.http_host}:{self.http_port}"

    @model_validator(mode="after")
    def _stall_bound_above_a_retry_delay(self) -> Self:
        if self.consumer_stall_seconds <= self.retry_max_seconds:
            raise ValueError(
                "CONSUMER_STALL_SECONDS must exceed RETRY_MAX_SECONDS: a delivery waiting for "
                "its retry would read as a stalled consumer"
            )
        return self

    @model_validator(mode="after")
    def _marks_before_the_lease_ends(self) -> Self:
        if self.outbox_mark_delay_seconds * 2 > self.outbox_lease_seconds:
            raise ValueError(
                "OUTBOX_MARK_DELAY_SECONDS must be at most half of OUTBOX_LEASE_SECONDS: an "
                "entry published but not marked would be claimed and published again"
            )
        return self
