"""Which tokens a service accepts is decided at start from its settings, and some settings are
refused outright: no identity at all, development mode in production, symmetric algorithms,
a group mapping that would make the provider name teachers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.registration.bootstrap import build_app
from services.registration.config import RegistrationSettings
from shared.identity.roles import GroupRoles, StaffGrant, claim_values
from shared.identity.verifier import AuthConfigurationError, token_verifier_for
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://idp.example/realms/etwinning"


def settings(**fields: object) -> ServiceSettings:
    return ServiceSettings(service_name="registration", **fields)  # type: ignore[arg-type]


def refusal(**fields: object) -> str:
    with pytest.raises(AuthConfigurationError) as raised:
        token_verifier_for(settings(**fields))
    return str(raised.value)


def test_without_an_issuer_and_without_development_mode_a_service_does_not_start() -> None:
    message = refusal(auth_dev_mode=False)

    assert "no identity provider configured" in message
    assert "OIDC_ISSUER" in message and "AUTH_DEV_MODE=true" in message
    with pytest.raises(AuthConfigurationError):
        build_app(RegistrationSettings(auth_dev_mode=False))


def test_the_service_process_refuses_to_start_and_says_why() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "OIDC_"))}
    started = subprocess.run(
        [sys.executable, "-m", "services.registration"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert started.returncode != 0
    assert "no identity provider configured. Set OIDC_ISSUER" in started.stderr


def test_development_mode_is_refused_in_production() -> None:
    message = refusal(auth_dev_mode=True, environment="production", oidc_issuer=ISSUER)

    assert "AUTH_DEV_MODE=true is refused with ENVIRONMENT=production" in message


def test_production_with_an_issuer_starts_without_development_mode() -> None:
    verifier = token_verifier_for(
        settings(auth_dev_mode=False, environment="production", oidc_issuer=ISSUER)
    )

    assert not verifier.dev_mode
    assert verifier.provider is not None and verifier.provider.issuer == ISSUER


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "none"), ()])
def test_only_asymmetric_algorithms_may_be_configured(algorithms: tuple[str, ...]) -> None:
    message = refusal(auth_dev_mode=False, oidc_issuer=ISSUER, oidc_algorithms=algorithms)

    assert "OIDC_ALGORITHMS must be asymmetric" in message


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"teachers": "teacher"}, "a teacher is a subject linked"),
        ({"nso": "nso"}, "exactly the nso groups name a {country}"),
        ({"css-{country}": "css"}, "exactly the nso groups name a {country}"),
    ],
)
def test_a_group_mapping_that_cannot_work_is_refused(mapping: dict[str, str], words: str) -> None:
    message = refusal(auth_dev_mode=False, oidc_issuer=ISSUER, oidc_group_roles=mapping)

    assert words in message


def test_group_roles_default_mapping() -> None:
    roles = GroupRoles(settings(auth_dev_mode=True).oidc_group_roles)

    assert roles.grant(["nso-ES"]) == StaffGrant("nso", "ES")
    assert roles.grant(["/etwinning/nso-PT"]) == StaffGrant("nso", "PT")  # a nested path
    assert roles.grant(["css", "nso-ES"]) == StaffGrant("css")
    assert roles.grant(["nso-es", "xnso-ES", "nso-ES-old", "operators"]) is None


def test_the_groups_claim_may_be_a_path_into_the_token() -> None:
    claims = {"realm_access": {"roles": ["operator", 7]}, "groups": "css"}

    assert claim_values(claims, "realm_access.roles") == ["operator"]
    assert claim_values(claims, "groups") == ["css"]
    assert claim_values(claims, "resource_access.etwinning.roles") == []
