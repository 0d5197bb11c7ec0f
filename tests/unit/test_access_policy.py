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
from shared.http.access import SHARED, Grant, Policy, Scope, rule
from shared.http.auth import Principal
from shared.http.problems import HttpProblem
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


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_route_is_served_twice(service: str) -> None:
    """A second route on a shared path (two merged branches both adding `GET /me`) is never
    reached: the first one included answers."""
    build, policy = SERVICES[service]
    served = [(route.method, route.path) for route in served_routes(build())]
    assert sorted({r for r in served if served.count(r) > 1}) == [], service
    shared = {(entry.method, entry.path) for entry in SHARED.rules.values()}
    assert [e.key for e in policy.rules.values() if (e.method, e.path) in shared] == []


def test_nothing_personal_is_public() -> None:
    """Public entries are the shared documentation and health routes, the certificates'
    verification by code and the school head's confirmation link (R-REG-3: the head holds no
    account, the link's unguessable secret is the authority; it shows only who was confirmed):
    a new public entry elsewhere is a decision to look at."""
    public = {
        e.key
        for p in (REGISTRATION, PROJECTS, AWARDS, NOTIFICATIONS)
        for e in p.rules.values()
        if e.public
    }
    # the school heads' confirmation links: no account, the link's secret token is the grant
    head_links = {
        "school_label.head_confirmation",
        "school_label.head_confirm",
        "teachers.head_confirmation",
    }
    assert public == {"certificates.verify", "eql.verify", "prizes.categories", *head_links}


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


ENTRY = rule("x.read", "GET /x/{x_id}", "x", teacher=Scope.MEMBER, nso=Scope.COUNTRY, css=Scope.ALL)


def _grant(role: str, scope: Scope, **fields: str) -> Grant:
    return Grant(ENTRY, Principal(subject=f"{role}:1", role=role, **fields), scope)  # type: ignore[arg-type]


def test_a_grant_lets_through_only_the_rows_of_its_scope() -> None:
    member = _grant("teacher", Scope.MEMBER, teacher_id="t-1")
    member.check(teacher_ids=["t-2", "t-1"], countries=["ES"])
    with pytest.raises(HttpProblem) as refused:
        member.check(teacher_ids=["t-2"], countries=["ES"])
    assert (refused.value.status_code, refused.value.code) == (403, "not_your_record")
    nso = _grant("nso", Scope.COUNTRY, country="ES")
    nso.check(teacher_ids=[], countries=["PT", "ES"])
    with pytest.raises(HttpProblem) as foreign:
        nso.check(teacher_ids=["t-1"], countries=["PT"])
    assert (foreign.value.status_code, foreign.value.code) == (403, "wrong_nso")
    _grant("css", Scope.ALL).check(teacher_ids=[], countries=[])


def test_a_grant_narrows_a_listing_to_its_scope_and_refuses_to_widen_it() -> None:
    teacher = _grant("teacher", Scope.OWN, teacher_id="t-1")
    assert (teacher.narrow_teacher(None), teacher.narrow_teacher("t-1")) == ("t-1", "t-1")
    assert teacher.narrow_country("FR") == "FR"  # a teacher's rows are narrowed by teacher
    with pytest.raises(HttpProblem):
        teacher.narrow_teacher("t-2")
    nso = _grant("nso", Scope.COUNTRY, country="ES")
    assert (nso.narrow_country(None), nso.narrow_teacher("t-9")) == ("ES", "t-9")
    with pytest.raises(HttpProblem):
        nso.narrow_country("PT")
    css = _grant("css", Scope.ALL)
    assert (css.narrow_country(None), css.narrow_teacher("t-9")) == (None, "t-9")
