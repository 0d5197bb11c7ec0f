"""Walk every GET route of a running service as every kind of caller and check what each sees
against the access policy (shared/http/access.py).

A test seeds a real flow, then gives, for each route path of the app, probes: the path with its
parameters filled with real ids, the text the answer holds when the row is visible (its id,
usually) and whose row it is. The walk fails when a GET route has no probe, and for each probe
asks with no token, an applicant's, another teacher's, a foreign NSO's, the right teacher's and
NSO's, the CSS's and an operator's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from shared.http.access import SHARED, Rule, Scope
from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from tests.support.problems import problem_code
from tests.support.routes import served_routes

ISSUER = "etwinning-platform"
FOREIGN_COUNTRIES = ("FI", "SE", "IS")


@dataclass(frozen=True)
class Row:
    """Whose row an answer shows: the teachers it belongs to (its owner, or its project's
    members), the countries it concerns, and the login of the staff member it belongs to."""

    teachers: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    staff: str | None = None
    caller: bool = False  # the caller's own record (GET /me): the body names their subject

    @classmethod
    def of(
        cls, teachers: Sequence[str] = (), countries: Sequence[str] = (), staff: str | None = None
    ) -> Row:
        return cls(frozenset(teachers), frozenset(countries), staff)


CALLER = Row(caller=True)


@dataclass(frozen=True)
class Probe:
    path: str
    marker: str | None = None  # in the body when the row is visible; None: a 200 is enough
    row: Row = Row()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Caller:
    name: str
    principal: Principal | None

    @property
    def headers(self) -> dict[str, str]:
        if self.principal is None:
            return {}
        token = mint_token(self.principal, secret=DEV_JWT_SECRET, issuer=ISSUER)
        return {"Authorization": f"Bearer {token}"}


def callers(row: Row) -> list[Caller]:
    foreign = next(c for c in FOREIGN_COUNTRIES if c not in row.countries)
    found = [
        Caller("no token", None),
        Caller("an applicant", Principal(subject="esep:walk", role="applicant")),
        Caller("another teacher", _teacher("tch_walk_other")),
        Caller(f"a foreign NSO ({foreign})", _nso(foreign, f"nso:{foreign.lower()}:walk")),
        Caller("the CSS", Principal(subject="css:walk", role="css")),
        Caller("an operator", Principal(subject="operator:walk", role="operator")),
    ]
    found += [Caller(f"teacher {t}", _teacher(t)) for t in sorted(row.teachers)]
    for country in sorted(row.countries):
        subject = row.staff or f"nso:{country.lower()}:walk"
        found.append(Caller(f"the NSO of {country}", _nso(country, subject)))
    return found


def sees(entry: Rule, caller: Caller, row: Row) -> bool | int:
    """True: the caller sees the row; False: it is hidden (403, 404 or absent from a listing);
    401 or 403: the guard refuses before any row is read."""
    if entry.public:
        return True
    principal = caller.principal
    if principal is None:
        return 401
    scope = entry.who.get(principal.role)
    if scope is None:
        return 403
    if scope is Scope.ALL or row.caller:
        return True
    if scope is Scope.COUNTRY:
        return principal.country in row.countries
    if principal.role == "teacher":
        return principal.teacher_id in row.teachers
    return principal.subject == row.staff


@dataclass
class WalkReport:
    requests: int = 0
    failures: list[str] = field(default_factory=list)


async def walk(
    app: FastAPI, http: httpx.AsyncClient, probes: Mapping[str, Sequence[Probe]]
) -> WalkReport:
    report = WalkReport()
    for route in served_routes(app):
        if route.method != "GET":
            continue
        guards = route.guards()
        entry = guards[0] if guards else SHARED.find(route.method, route.path)
        assert entry is not None, f"GET {route.path} has no entry"
        if route.path not in probes:
            report.failures.append(f"GET {route.path}: no probe (give it one)")
            continue
        for probe in probes[route.path]:
            for caller in callers(probe.row):
                response = await http.get(probe.path, params=probe.params, headers=caller.headers)
                report.requests += 1
                expected = sees(entry, caller, probe.row)
                problem = _mismatch(expected, _for(probe, caller), response)
                if problem:
                    report.failures.append(f"GET {probe.path} {dict(probe.params)} as "
                                           f"{caller.name} ({entry.key}): {problem}")  # fmt: skip
    return report


def _for(probe: Probe, caller: Caller) -> Probe:
    """The probe with the caller's own subject as its marker when the row is the caller."""
    if not probe.row.caller or caller.principal is None:
        return probe
    return Probe(probe.path, f'"{caller.principal.subject}"', probe.row, probe.params)


def _mismatch(expected: bool | int, probe: Probe, response: httpx.Response) -> str | None:
    status, body = response.status_code, response.text
    visible = status == 200 and (probe.marker is None or probe.marker in body)
    if expected is True:
        return None if visible else f"should see it, got {status} {body[:200]}"
    if expected is False:
        hidden = status in (403, 404) or (
            status == 200 and probe.marker is not None and probe.marker not in body
        )
        return None if hidden else f"should not see it, got {status} {body[:200]}"
    code = "missing_token" if expected == 401 else "forbidden_role"
    if status != expected or problem_code(response) != code:
        return f"should be {expected} {code}, got {status} {body[:200]}"
    return None


def _teacher(teacher_id: str) -> Principal:
    return Principal(subject=f"teacher:{teacher_id}", role="teacher", teacher_id=teacher_id)


def _nso(country: str, subject: str) -> Principal:
    return Principal(subject=subject, role="nso", country=country)


def shared_probes(event_type: str, version: int = 1) -> dict[str, list[Probe]]:
    """The routes every service serves (public, and the operator's dead letters)."""
    return {
        "/dead-letters": [Probe("/dead-letters", '"items"')],
        "/health/live": [Probe("/health/live", "alive")],
        "/health/ready": [Probe("/health/ready", "ready")],
        "/metrics": [Probe("/metrics", "etwinning_")],
        "/asyncapi.json": [Probe("/asyncapi.json", event_type)],
        "/asyncapi": [Probe("/asyncapi", event_type)],
        "/events": [Probe("/events", event_type)],
        "/events/{event_type}/v{version}/schema": [
            Probe(f"/events/{event_type}/v{version}/schema", event_type)
        ],
        "/openapi.json": [Probe("/openapi.json", "openapi")],
        "/docs": [Probe("/docs")],
        "/docs/oauth2-redirect": [Probe("/docs/oauth2-redirect")],
        "/redoc": [Probe("/redoc")],
        "/me": [Probe("/me", row=CALLER)],
    }
