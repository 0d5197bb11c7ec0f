"""The access policy covers every route of every service, each route enforces its own entry, and
the README's table is the one the code holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from services.awards.access import POLICY as AWARDS
from services.awards.bootstrap import build_app as awards_app
from services.notifications.bootstrap import build_app as notifications_app
from services.notifications.entrypoints.access import POLICY as NOTIFICATIONS
from services.projects.bootstrap import build_app as projects_app
from services.projects.entrypoints.access import POLICY as PROJECTS
from services.registration.bootstrap import build_app as registration_app
from services.registration.entrypoints.access import POLICY as REGISTRATION
from shared.http.access import SHARED, Policy, Scope, rule
from tests.support.routes import served_routes
from tools import access_table

SERVICES: dict[str, tuple[Callable[[], FastAPI], Policy]] = {
    "registration": (registration_app, REGISTRATION),
    "projects": (projects_app, PROJECTS),
    "awards": (awards_app, AWARDS),
    "notifications": (notifications_app, NOTIFICATIONS),
}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_route_enforces_exactly_its_own_entry(service: str) -> None:
    build, policy = SERVICES[service]
    app = build()
    for route in served_routes(app):
        where = f"{service}: {route.method} {route.path}"
        if route.api:
            guards = route.guards()
            assert len(guards) == 1, f"{where} has guards {guards}"
            [entry] = guards
            assert (entry.method, entry.path) == (route.method, route.path), where
            assert entry in (*policy.rules.values(), *SHARED.rules.values()), where
        else:  # FastAPI's own pages: public, and listed
            entry = SHARED.find(route.method, route.path)
            assert entry is not None and entry.public, f"{where} has no entry"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_entry_belongs_to_a_route(service: str) -> None:
    build, policy = SERVICES[service]
    served = {(route.method, route.path) for route in served_routes(build())}
    for entry in (*policy.rules.values(), *SHARED.rules.values()):
        assert (entry.method, entry.path) in served, f"{service}: stale entry {entry.key}"


def test_nothing_personal_is_public() -> None:
    """Public entries are the shared documentation and health routes and the certificates'
    verification by code: a new public entry elsewhere is a decision to look at."""
    public = {
        e.key
        for p in (REGISTRATION, PROJECTS, AWARDS, NOTIFICATIONS)
        for e in p.rules.values()
        if e.public
    }
    assert public == {"certificates.verify", "eql.verify", "prizes.categories"}


def test_the_readme_table_is_the_code() -> None:
    readme = access_table.README.read_text()
    assert access_table.readme_with_table(readme, access_table.render()) == readme, (
        "README.md's access policy is stale: run `python -m tools.access_table --write`"
    )


def test_an_entry_names_known_audiences_and_a_route_only_once() -> None:
    with pytest.raises(ValueError, match="unknown audiences"):
        rule("x", "GET /x", "x", teachers=Scope.ALL)
    with pytest.raises(ValueError, match="two entries"):
        Policy("s", [rule("a", "GET /x", "x"), rule("a", "GET /y", "y")])
    with pytest.raises(ValueError, match="a route has two entries"):
        Policy("s", [rule("a", "GET /x", "x"), rule("b", "GET /x", "y")])
