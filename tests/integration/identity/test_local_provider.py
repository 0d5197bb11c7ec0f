"""The local provider issues what services will verify: RS256 JWT access tokens with the
configured audience and the person's groups, through authorization code + PKCE."""

from __future__ import annotations

import jwt
import pytest

from tests.support.oidc import DEFAULT_AUDIENCE, RunningProvider, new_subject
from tools import mint_token


def verified_claims(provider: RunningProvider, token: str) -> dict[str, object]:
    keys = jwt.PyJWKClient(f"{provider.issuer}/jwks")
    key = keys.get_signing_key_from_jwt(token)
    claims: dict[str, object] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=DEFAULT_AUDIENCE, issuer=provider.issuer
    )
    return claims


def test_login_gives_a_signed_access_token_with_groups(oidc_provider: RunningProvider) -> None:
    subject = new_subject("nso-es")
    oidc_provider.put_user(subject, {"groups": ["nso-ES"], "email": f"{subject}@example.org"})

    tokens = oidc_provider.login(subject)

    claims = verified_claims(oidc_provider, tokens.access_token)
    assert claims["sub"] == subject
    assert claims["groups"] == ["nso-ES"]
    assert tokens.id_token is not None


def test_a_wrong_pkce_verifier_is_refused(oidc_provider: RunningProvider) -> None:
    subject = new_subject("css")
    oidc_provider.put_user(subject, {"groups": ["css"]})

    with pytest.raises(RuntimeError, match="Code challenge failed"):
        oidc_provider.login(subject, code_verifier="x" * 50)


def test_a_rotated_key_signs_the_next_tokens(fresh_oidc_provider: RunningProvider) -> None:
    subject = new_subject("operator")
    fresh_oidc_provider.put_user(subject, {"groups": ["operator"]})
    before = jwt.get_unverified_header(fresh_oidc_provider.token(subject))["kid"]

    new_kid = fresh_oidc_provider.rotate_key()

    token = fresh_oidc_provider.token(subject)
    assert jwt.get_unverified_header(token)["kid"] == new_kid != before
    assert verified_claims(fresh_oidc_provider, token)["sub"] == subject


def test_etwinning_token_fetches_a_real_token_from_the_provider(
    oidc_provider: RunningProvider,
) -> None:
    subject = new_subject("lucia")
    oidc_provider.put_user(subject, {"groups": []})

    token = mint_token.main(["--provider", "--issuer", oidc_provider.issuer, "--user", subject])

    assert verified_claims(oidc_provider, token)["sub"] == subject


def test_etwinning_token_says_a_minted_token_is_for_development_mode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = mint_token.main(["--role", "css"])

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert "AUTH_DEV_MODE=true" in capsys.readouterr().err
