"""The Keycloak realm compose imports (deploy/keycloak/) gives the services what their
configuration expects: the audience, the groups claim, a group for every role the mapping
knows, the issuer compose configures; and the demo story's people, only behind the switch.
Checked on the committed JSON, without Keycloak."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.registration.domain.countries import PARTICIPATING_COUNTRIES
from shared.identity.roles import GroupRoles, StaffGrant
from shared.settings import ServiceSettings
from tools import keycloak_realm
from tools import rabbitmq_definitions as rd
from tools.demo_story import demo_people

ROOT = Path(__file__).resolve().parents[2]
KEYCLOAK = ROOT / "deploy" / "keycloak"
APPS = ("registration", "projects", "awards", "notifications")


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((KEYCLOAK / name).read_text())
    return document


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    return load("etwinning-realm.json")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


@pytest.fixture(scope="module")
def settings() -> ServiceSettings:
    return ServiceSettings(service_name="realm-test", auth_dev_mode=True)


def client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    [found] = [c for c in realm["clients"] if c["clientId"] == client_id]
    result: dict[str, Any] = found
    return result


def mapper(client: dict[str, Any], kind: str) -> dict[str, str]:
    [found] = [m for m in client["protocolMappers"] if m["protocolMapper"] == kind]
    config: dict[str, str] = found["config"]
    return config


def test_the_committed_files_are_what_the_generator_writes() -> None:
    assert keycloak_realm.main(["--check"]) == 0


def test_services_are_configured_with_the_realms_issuer_and_audience(
    realm: dict[str, Any], compose: dict[str, Any]
) -> None:
    keycloak = compose["services"]["keycloak"]
    for name in APPS:
        env = compose["services"][name]["environment"]
        assert (
            env["OIDC_ISSUER"]
            == f"{keycloak['environment']['KC_HOSTNAME']}/realms/{realm['realm']}"
        )
        assert env["OIDC_DISCOVERY_URL"] == (
            f"http://keycloak:8080/realms/{realm['realm']}/.well-known/openid-configuration"
        )
        assert client(realm, env["OIDC_AUDIENCE"])["bearerOnly"] is True
        assert "keycloak" in compose["services"][name]["depends_on"]
    # The discovery document names keys at the address the services use, not the browsers'.
    assert keycloak["environment"]["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"
    assert "--import-realm" in keycloak["command"]


@pytest.mark.parametrize("client_id", [keycloak_realm.PORTAL_CLIENT, keycloak_realm.CLI_CLIENT])
def test_login_clients_put_the_audience_and_the_groups_in_access_tokens(
    realm: dict[str, Any], settings: ServiceSettings, client_id: str
) -> None:
    login = client(realm, client_id)
    audience = mapper(login, "oidc-audience-mapper")
    assert audience["included.client.audience"] == settings.oidc_audience
    assert audience["access.token.claim"] == "true"
    groups = mapper(login, "oidc-group-membership-mapper")
    assert groups["claim.name"] == settings.oidc_groups_claim
    assert groups["access.token.claim"] == "true"
    assert groups["full.path"] == "false"  # `nso-ES`; /nso-ES would map too (roles.py)
    assert login["standardFlowEnabled"] is True
    assert login["attributes"]["pkce.code.challenge.method"] == "S256"


def test_the_portal_signs_in_at_the_realm_with_its_client(
    realm: dict[str, Any], compose: dict[str, Any]
) -> None:
    env = rd.read_env_file(ROOT / ".env.example")
    issuer = f"{env['KEYCLOAK_URL']}/realms/{realm['realm']}"
    portal = compose["services"]["portal"]["environment"]
    assert env["OIDC_ISSUER"] == issuer
    assert portal["OIDC_ISSUER"].endswith(f":-{issuer}}}")
    assert env["PORTAL_OIDC_CLIENT_ID"] == keycloak_realm.PORTAL_CLIENT
    assert compose["services"]["keycloak"]["environment"]["KEYCLOAK_PORTAL_SECRET"] == (
        "${PORTAL_OIDC_CLIENT_SECRET:?set it in .env}"
    )
    assert (
        f"{env['PORTAL_BASE_URL']}/*" in client(realm, keycloak_realm.PORTAL_CLIENT)["redirectUris"]
    )
    assert env["PORTAL_SERVICE_TOKENS"] == "provider"  # the services verify Keycloak's tokens


def test_the_portal_is_confidential_and_the_cli_public(realm: dict[str, Any]) -> None:
    portal = client(realm, keycloak_realm.PORTAL_CLIENT)
    cli = client(realm, keycloak_realm.CLI_CLIENT)
    assert portal["publicClient"] is False and portal["secret"] == "${KEYCLOAK_PORTAL_SECRET}"
    assert portal["directAccessGrantsEnabled"] is False
    assert cli["publicClient"] is True and cli["directAccessGrantsEnabled"] is True


def test_the_realm_signs_with_an_algorithm_the_services_accept(
    realm: dict[str, Any], settings: ServiceSettings
) -> None:
    assert realm["defaultSignatureAlgorithm"] in settings.oidc_algorithms


def test_every_group_maps_to_a_role_and_every_role_has_its_groups(
    realm: dict[str, Any], settings: ServiceSettings
) -> None:
    roles = GroupRoles(settings.oidc_group_roles)
    grants = {group["name"]: roles.grant([group["path"]]) for group in realm["groups"]}
    assert None not in grants.values(), [g for g, grant in grants.items() if grant is None]
    nso_countries = {grant.country for grant in grants.values() if grant and grant.role == "nso"}
    assert nso_countries == set(PARTICIPATING_COUNTRIES)
    assert StaffGrant("css") in grants.values()
    assert StaffGrant("operator") in grants.values()


def test_demo_users_are_the_story_s_people_behind_the_switch(
    realm: dict[str, Any], compose: dict[str, Any]
) -> None:
    users = load("demo-users.json")["users"]
    people = demo_people()
    assert {user["username"] for user in users} == set(people)
    groups = {group["path"] for group in realm["groups"]}
    for user in users:
        assert {f"/{g}" for g in people[user["username"]]["groups"]} == set(user["groups"])  # type: ignore[attr-defined]
        assert set(user["groups"]) <= groups
        assert user["credentials"][0]["value"] == "${KEYCLOAK_DEMO_PASSWORD}"
    assert load("no-users.json")["users"] == []
    mounts = compose["services"]["keycloak"]["volumes"]
    users_mount = next(m for m in mounts if m.endswith("etwinning-users-0.json:ro"))
    assert users_mount.startswith("${KEYCLOAK_DEMO_USERS:-./deploy/keycloak/no-users.json}")
