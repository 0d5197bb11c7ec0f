"""Fetch a real access token from the configured OpenID Connect provider:
`etwinning token --provider --user lucia.martinez`.

The grant depends on what the provider allows:
- `--password` (or $OIDC_PASSWORD): the resource-owner password grant, which Keycloak offers
  to clients with "direct access grants" (the realm's `etwinning-cli` client, dev realms only);
- `--client-secret` without `--user`: client credentials, a service account's token;
- otherwise the local development provider (tools/oidc_provider.py): authorization code + PKCE,
  its login form filled in with the subject.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import httpx

from tools.oidc_provider import DEFAULT_CLIENT_ID, login


def token_endpoint(issuer: str) -> str:
    response = httpx.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    endpoint: str = response.json()["token_endpoint"]
    return endpoint


def fetch(
    issuer: str,
    *,
    user: str | None,
    password: str | None,
    client_id: str,
    client_secret: str | None,
) -> str:
    if user is not None and password is None:
        return login(issuer, user, client_id=client_id).access_token
    form = {"client_id": client_id, "scope": "openid"}
    if client_secret:
        form["client_secret"] = client_secret
    if user is not None:
        form |= {"grant_type": "password", "username": user, "password": password or ""}
    else:
        form["grant_type"] = "client_credentials"
    response = httpx.post(token_endpoint(issuer), data=form, timeout=10)
    if response.status_code != 200:
        raise SystemExit(f"the provider refused: {response.status_code} {response.text[:300]}")
    token: str = response.json()["access_token"]
    return token


def password_login(issuer: str) -> Callable[[str], str]:
    """Log people in by username with $OIDC_PASSWORD through the CLI client."""

    def login(username: str) -> str:
        return fetch(
            issuer,
            user=username,
            password=os.environ.get("OIDC_PASSWORD", ""),
            client_id=os.environ.get("OIDC_CLIENT_ID", DEFAULT_CLIENT_ID),
            client_secret=os.environ.get("OIDC_CLIENT_SECRET"),
        )

    return login


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="etwinning token --provider", description=__doc__)
    parser.add_argument("--provider", action="store_true", help="(selects this command)")
    parser.add_argument(
        "--issuer", default=os.environ.get("OIDC_ISSUER"), help="default: $OIDC_ISSUER"
    )
    parser.add_argument("--user", help="the person's username (Keycloak) or subject (local)")
    parser.add_argument("--password", default=os.environ.get("OIDC_PASSWORD"))
    parser.add_argument("--client-id", default=os.environ.get("OIDC_CLIENT_ID", DEFAULT_CLIENT_ID))
    parser.add_argument("--client-secret", default=os.environ.get("OIDC_CLIENT_SECRET"))
    args = parser.parse_args(argv)
    if not args.issuer:
        parser.error("--issuer or $OIDC_ISSUER is needed")
    if args.user is None and not args.client_secret:
        parser.error("--user, or --client-secret for a client-credentials token")
    return fetch(
        args.issuer,
        user=args.user,
        password=args.password,
        client_id=args.client_id,
        client_secret=args.client_secret,
    )
