"""A service in OIDC mode against the real local provider: which tokens it accepts, which it
answers 401 with a problem body, and the roles it reads from the provider's groups.

The service here is the shared HTTP core alone (`GET /me` behind the real dependency); the
tests of tests/integration/identity/test_teacher_links.py run the four services."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from shared.http.auth import Principal, mint_token
from shared.http.me import me_router
from shared.http.problems import install_problem_handlers
from shared.settings import DEV_JWT_SECRET, ServiceSettings
from tests.support.oidc import RunningProvider, new_subject, provider_log
from tests.support.problems import problem_code
from tools.oidc_provider import login


def oidc_app(provider: RunningProvider, **settings: Any) -> FastAPI:
    app = FastAPI()
    app.state.settings = ServiceSettings(
        service_name="identity-tests",
        oidc_issuer=provider.issuer,
        auth_dev_mode=False,  # the suite's default is on (tests/conftest.py)
        **settings,
    )
    install_problem_handlers(app)
    app.include_router(me_router)
    return app


@pytest.fixture
async def service(oidc_provider: RunningProvider) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(oidc_app(oidc_provider)) as client:
        yield client


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def person(provider: RunningProvider, label: str, groups: list[str]) -> str:
    subject = new_subject(label)
    provider.put_user(subject, {"groups": groups, "email": f"{subject}@example.org"})
    return subject


async def me(service: httpx.AsyncClient, token: str) -> httpx.Response:
    return await service.get("/me", headers=bearer(token))


def assert_rejected(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 401, response.text
    assert problem_code(response) == "invalid_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    detail = response.text.lower()
    assert all(word.lower() in detail for word in words), response.text


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def b64(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


# --- accepted -------------------------------------------------------------------------------


async def test_a_provider_token_is_accepted_and_its_group_makes_the_role(
    oidc_provider: RunningProvider, service: httpx.AsyncClient
) -> None:
    subject = person(oidc_provider, "nso-es", ["nso-ES"])

    response = await me(service, oidc_provider.token(subject))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "subject": subject, "role": "nso", "teacher_id": None, "country": "ES",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("groups", "role", "country"),
    [
        (["nso-PT"], "nso", "PT"),
        (["/nso-TR"], "nso", "TR"),  # Keycloak's full group path
        (["css"], "css", None),
        (["operator"], "operator", None),
        (["nso-ES", "operator"], "operator", None),  # the strongest role wins
        (["teachers", "nso-es", "nso-ESP"], "applicant", None),  # not mapped: no staff role
        ([], "applicant", None),  # no teacher record linked either
    ],
)
async def test_groups_map_to_roles_per_country(
    oidc_provider: RunningProvider,
    service: httpx.AsyncClient,
    groups: list[str],
    role: str,
    country: str | None,
) -> None:
    subject = person(oidc_provider, "staff", groups)

    principal = (await me(service, oidc_provider.token(subject))).json()

    assert (principal["role"], principal["country"]) == (role, country)


async def test_the_group_claim_and_the_mapping_are_configuration(
    start_oidc_provider: Callable[..., RunningProvider],
) -> None:
    provider = start_oidc_provider()
    subject = person(provider, "nso-be", ["etw-staff-BE", "nso-ES"])
    app = oidc_app(provider, oidc_group_roles={"etw-staff-{country}": "nso"})

    async with client_of(app) as service:
        principal = (await me(service, provider.token(subject))).json()

    assert (principal["role"], principal["country"]) == ("nso", "BE")


# --- refused --------------------------------------------------------------------------------


async def test_a_token_for_another_issuer_is_401(
    oidc_provider: RunningProvider, service: httpx.AsyncClient
) -> None:
    # Same provider, same key, but reached as `localhost`: it signs `iss: http://localhost:…`.
    subject = person(oidc_provider, "css", ["css"])
    other_issuer = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    token = login(other_issuer, subject).access_token
    assert segments(token)[1]["iss"] == other_issuer

    assert_rejected(await me(service, token), "issuer")


async def test_a_token_for_another_audience_is_401(oidc_provider: RunningProvider) -> None:
    subject = person(oidc_provider, "css", ["css"])
    app = oidc_app(oidc_provider, oidc_audience="some-other-api")

    async with client_of(app) as service:
        assert_rejected(await me(service, oidc_provider.token(subject)), "audience")


async def test_a_token_signed_with_an_unknown_key_is_401(
    oidc_provider: RunningProvider, service: httpx.AsyncClient
) -> None:
    subject = person(oidc_provider, "operator", ["operator"])
    _, claims = segments(oidc_provider.token(subject))
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "forged-key"})

    assert_rejected(await me(service, forged), "forged-key", "not among the issuer's keys")


async def test_an_expired_token_is_401_past_the_leeway(
    start_oidc_provider: Callable[..., RunningProvider],
) -> None:
    provider = start_oidc_provider(token_seconds=1)
    subject = person(provider, "css", ["css"])
    token = provider.token(subject)
    await asyncio.sleep(2)

    async with client_of(oidc_app(provider, oidc_leeway_seconds=0)) as strict:
        assert_rejected(await me(strict, token), "expired")
    async with client_of(oidc_app(provider, oidc_leeway_seconds=30)) as tolerant:
        assert (await me(tolerant, token)).status_code == 200  # a little clock skew is fine


async def test_an_unsigned_token_alg_none_is_401(
    oidc_provider: RunningProvider, service: httpx.AsyncClient
) -> None:
    subject = person(oidc_provider, "operator", ["operator"])
    header, claims = segments(oidc_provider.token(subject))
    unsigned = f"{b64({**header, 'alg': 'none'})}.{b64(claims)}."

    assert_rejected(await me(service, unsigned), "'none'", "not accepted")


async def test_a_development_hs256_token_is_401_in_oidc_mode(
    service: httpx.AsyncClient,
) -> None:
    operator = Principal(subject="operator-1", role="operator")
    token = mint_token(operator, secret=DEV_JWT_SECRET, issuer="etwinning-platform")

    assert_rejected(await me(service, token), "HS256 development tokens are not accepted")


async def test_hs256_signed_with_the_providers_public_key_is_401(
    oidc_provider: RunningProvider, service: httpx.AsyncClient
) -> None:
    """The key-confusion attack: the public key used as an HMAC secret."""
    subject = person(oidc_provider, "css", ["css"])
    token = oidc_provider.token(subject)
    header, claims = segments(token)
    public = jwt.PyJWKClient(f"{oidc_provider.issuer}/jwks").get_signing_key(header["kid"])
    pem = public.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    escalated = {**claims, "groups": ["operator"]}
    confused = f"{b64({'alg': 'HS256', 'kid': header['kid']})}.{b64(escalated)}"
    signature = hmac.new(pem, confused.encode(), hashlib.sha256).digest()
    forged = f"{confused}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    assert_rejected(await me(service, forged), "HS256")


async def test_garbage_and_no_token_are_401(service: httpx.AsyncClient) -> None:
    assert_rejected(await me(service, "not.a.jwt"))
    response = await service.get("/me")
    assert (response.status_code, problem_code(response)) == (401, "missing_token")


# --- keys -----------------------------------------------------------------------------------


async def test_a_rotated_key_is_picked_up_without_a_restart(
    fresh_oidc_provider: RunningProvider, tmp_path: Path
) -> None:
    subject = person(fresh_oidc_provider, "operator", ["operator"])
    app = oidc_app(fresh_oidc_provider, oidc_jwks_refresh_seconds=0.5)
    async with client_of(app) as service:
        assert (await me(service, fresh_oidc_provider.token(subject))).status_code == 200

        new_kid = fresh_oidc_provider.rotate_key()
        token = fresh_oidc_provider.token(subject)
        assert segments(token)[0]["kid"] == new_kid
        await asyncio.sleep(0.6)  # the cooldown that started with the first fetch

        response = await me(service, token)

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "operator"


async def test_unknown_kids_refetch_the_keys_at_most_once_per_cooldown(
    fresh_oidc_provider: RunningProvider, tmp_path: Path
) -> None:
    subject = person(fresh_oidc_provider, "operator", ["operator"])
    token = fresh_oidc_provider.token(subject)
    _, claims = segments(token)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    app = oidc_app(fresh_oidc_provider, oidc_jwks_refresh_seconds=60)

    async with client_of(app) as service:
        assert (await me(service, token)).status_code == 200
        for n in range(20):
            forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": f"kid-{n}"})
            assert_rejected(await me(service, forged))

    assert provider_log(tmp_path).count("GET /jwks") == 1  # the first fetch started the cooldown
