"""Write the Keycloak realm docker compose imports: `python -m tools.keycloak_realm [--check]`.

deploy/keycloak/etwinning-realm.json: the realm `etwinning` with
- the client `etwinning-services`, the audience every service checks (OIDC_AUDIENCE), which
  signs nobody in;
- `etwinning-portal` (confidential, authorization code + PKCE S256) and `etwinning-cli`
  (public, PKCE; direct access grants for `etwinning token --provider --password`), whose
  tokens carry that audience (oidc-audience-mapper) and the person's groups in `groups`
  (oidc-group-membership-mapper, names without the path);
- the groups the services map to roles: `nso-XX` for every participating country, `css`,
  `operator` (shared/settings.py's OIDC_GROUP_ROLES).

deploy/keycloak/demo-users.json: the demo story's people (tools/demo_story.py), mounted only
when KEYCLOAK_DEMO_USERS points at it (.env.example does, for a local stack);
deploy/keycloak/no-users.json is mounted otherwise. `--check` exits 1 when a committed file
differs from what this generates (tests/unit/test_keycloak_realm.py checks the contents).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from shared.settings import ServiceSettings
from tools.demo_story import demo_people

REALM = "etwinning"
KEYCLOAK = Path(__file__).resolve().parent.parent / "deploy" / "keycloak"
SERVICES_CLIENT = "etwinning-services"
PORTAL_CLIENT = "etwinning-portal"
CLI_CLIENT = "etwinning-cli"
PORTAL_URLS = ("http://localhost:8000", "http://127.0.0.1:8000")
# Keycloak replaces ${ENV} placeholders when it imports: the values stay in .env.
DEMO_PASSWORD = "${KEYCLOAK_DEMO_PASSWORD}"
PORTAL_SECRET = "${KEYCLOAK_PORTAL_SECRET}"


def _defaults() -> ServiceSettings:
    return ServiceSettings(service_name="keycloak-realm", auth_dev_mode=True)


def group_names() -> list[str]:
    """Every group OIDC_GROUP_ROLES maps, with `{country}` spelled out per country."""
    names: list[str] = []
    for pattern in _defaults().oidc_group_roles:
        if "{country}" in pattern:
            names += [pattern.replace("{country}", code) for code in PARTICIPATING_COUNTRIES]
        else:
            names.append(pattern)
    return names


def _mappers(settings: ServiceSettings) -> list[dict[str, Any]]:
    return [
        {
            "name": "groups",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-group-membership-mapper",
            "config": {
                "claim.name": settings.oidc_groups_claim,
                "full.path": "false",
                "access.token.claim": "true",
                "id.token.claim": "true",
                "userinfo.token.claim": "true",
            },
        },
        {
            "name": "audience: services",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-audience-mapper",
            "config": {
                "included.client.audience": settings.oidc_audience,
                "access.token.claim": "true",
                "id.token.claim": "false",
            },
        },
    ]


def realm() -> dict[str, Any]:
    settings = _defaults()
    assert settings.oidc_audience == SERVICES_CLIENT
    pkce = {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"}
    return {
        "realm": REALM,
        "enabled": True,
        "sslRequired": "external",
        "registrationAllowed": False,
        "loginWithEmailAllowed": True,
        "bruteForceProtected": True,
        "accessTokenLifespan": 300,
        "defaultSignatureAlgorithm": settings.oidc_algorithms[0],
        "groups": [{"name": name, "path": f"/{name}"} for name in group_names()],
        "clients": [
            {
                "clientId": SERVICES_CLIENT,
                "name": "eTwinning services (the audience of access tokens)",
                "enabled": True,
                "publicClient": False,
                "bearerOnly": True,
                "standardFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "serviceAccountsEnabled": False,
            },
            {
                "clientId": PORTAL_CLIENT,
                "name": "eTwinning portal",
                "enabled": True,
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": PORTAL_SECRET,
                "standardFlowEnabled": True,
                "directAccessGrantsEnabled": False,
                "redirectUris": [f"{url}/*" for url in PORTAL_URLS],
                "webOrigins": ["+"],
                "attributes": pkce,
                "protocolMappers": _mappers(settings),
            },
            {
                "clientId": CLI_CLIENT,
                "name": "etwinning command line",
                "enabled": True,
                "publicClient": True,
                "standardFlowEnabled": True,
                "directAccessGrantsEnabled": True,
                "redirectUris": ["http://127.0.0.1/*", "http://localhost/*"],
                "attributes": pkce,
                "protocolMappers": _mappers(settings),
            },
        ],
    }


def demo_users() -> dict[str, Any]:
    users = []
    for subject, claims in demo_people().items():
        name = str(claims.get("name", subject))
        first, _, last = name.partition(" ")
        user: dict[str, Any] = {
            "username": subject,
            "enabled": True,
            "firstName": first,
            "lastName": last or first,
            "emailVerified": True,
            "credentials": [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}],
            "groups": [f"/{group}" for group in _groups(claims)],
        }
        if "email" in claims:
            user["email"] = claims["email"]
        users.append(user)
    return {"realm": REALM, "users": users}


def _groups(claims: dict[str, object]) -> list[str]:
    groups = claims.get("groups", [])
    return [str(group) for group in groups] if isinstance(groups, list) else []


def files() -> dict[Path, dict[str, Any]]:
    return {
        KEYCLOAK / "etwinning-realm.json": realm(),
        KEYCLOAK / "demo-users.json": demo_users(),
        KEYCLOAK / "no-users.json": {"realm": REALM, "users": []},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, document in files().items():
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in stale:
        print(f"stale: {path} (python -m tools.keycloak_realm)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
