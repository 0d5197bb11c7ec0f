"""Who may read what: the access policy as data, and the one dependency that enforces it.

Each service lists every one of its routes in a `Policy` (`services/<svc>/entrypoints/access.py`)
and every route takes `grant: Annotated[Grant, POLICY.grant("<key>")]`. The guard checks the
caller's role against the entry and hands the route a `Grant`; the route applies the grant's
scope to the rows it reads (an NSO sees its own country's, a teacher their own records or their
projects'). The README's "Access policy" table is rendered from these entries
(`tools/access_table.py`) and a test keeps the two equal; another fails when a route has none.

Private by default: an entry without "public" needs a bearer token, a role it does not name is
refused, and public entries show only what a certificate shows through its verification code,
aggregate counts and the platform's own documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import Depends

from shared.http.auth import ROLES, Principal, authenticated
from shared.http.problems import HttpProblem

Audience = Literal["public", "applicant", "teacher", "nso", "css", "operator"]
AUDIENCES: tuple[Audience, ...] = ("public", *ROLES)


class Scope(StrEnum):
    """Which rows of a route an audience sees."""

    ALL = "all"
    OWN = "own"  # rows that name the caller: a teacher's own records, a staff member's inbox
    MEMBER = "member"  # rows of the projects the teacher is a member of
    COUNTRY = "own country"  # rows of the NSO's own country


@dataclass(frozen=True)
class Rule:
    """One row of the table: a route, what it shows, and who sees which of its rows."""

    key: str
    method: str
    path: str
    shows: str
    who: Mapping[Audience, Scope] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return "public" in self.who


def rule(key: str, route: str, shows: str, **who: Scope) -> Rule:
    """`rule("projects.read", "GET /projects/{project_id}", "...", teacher=Scope.MEMBER)`."""
    method, path = route.split(" ", 1)
    unknown = set(who) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"{key}: unknown audiences {sorted(unknown)}")
    return Rule(key, method, path, shows, who)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Grant:
    """What the guard let through: the caller (None on a public route) and their scope."""

    rule: Rule
    principal: Principal | None
    scope: Scope

    @property
    def teacher(self) -> str | None:
        """The teacher whose rows this caller is limited to; None when not limited that way."""
        if self.scope in (Scope.OWN, Scope.MEMBER) and self.principal is not None:
            return self.principal.teacher_id
        return None

    @property
    def country(self) -> str | None:
        """The country this caller's rows are limited to; None when not limited that way."""
        if self.scope is Scope.COUNTRY and self.principal is not None:
            return self.principal.country
        return None

    def check(self, *, teacher_ids: Iterable[str] = (), countries: Iterable[str] = ()) -> None:
        """Refuse a row outside the scope: `teacher_ids` are the teachers the row belongs to
        (its owner, or its project's members), `countries` the countries it concerns."""
        if self.scope in (Scope.OWN, Scope.MEMBER) and self.teacher not in set(teacher_ids):
            raise HttpProblem(403, "not_your_record", f"{self._who()} may not read this record")
        if self.scope is Scope.COUNTRY and self.country not in set(countries):
            raise HttpProblem(403, "wrong_nso", "an NSO reads the records of its own country only")

    def narrow_teacher(self, asked: str | None) -> str | None:
        """The teacher filter of a listing: the one asked for, limited to the caller's own."""
        if self.teacher is None:
            return asked
        if asked is not None and asked != self.teacher:
            raise HttpProblem(403, "not_your_record", f"{self._who()} lists only their own")
        return self.teacher

    def narrow_country(self, asked: str | None) -> str | None:
        """The country filter of a listing: the one asked for, limited to the NSO's own."""
        if self.country is None:
            return asked
        if asked is not None and asked != self.country:
            raise HttpProblem(403, "wrong_nso", "an NSO lists the records of its own country only")
        return self.country

    def _who(self) -> str:
        return "a teacher" if self.principal and self.principal.role == "teacher" else "you"


class Policy:
    """The entries of one service, by key; `guard(key)` is the dependency a route declares."""

    def __init__(self, service: str, rules: Iterable[Rule]) -> None:
        self.service = service
        self.rules: dict[str, Rule] = {}
        for entry in rules:
            if entry.key in self.rules:
                raise ValueError(f"{service}: two entries named {entry.key}")
            self.rules[entry.key] = entry
        routes = [(r.method, r.path) for r in self.rules.values()]
        if len(set(routes)) != len(routes):
            raise ValueError(f"{service}: a route has two entries")

    def guard(self, key: str) -> Callable[..., Grant]:
        entry = self.rules[key]  # a KeyError here means a route names no entry
        if entry.public:

            def public() -> Grant:
                return Grant(entry, None, Scope.ALL)

            public.access_rule = entry  # type: ignore[attr-defined]
            return public

        def guarded(principal: Annotated[Principal, Depends(authenticated)]) -> Grant:
            scope = entry.who.get(principal.role)
            if scope is None:
                allowed = tuple(a for a in entry.who)
                raise HttpProblem(
                    403,
                    "forbidden_role",
                    f"role {principal.role!r} may not do this; needs {allowed}",
                )
            return Grant(entry, principal, scope)

        guarded.access_rule = entry  # type: ignore[attr-defined]
        return guarded

    def grant(self, key: str) -> Any:
        """A route's parameter: `grant: Annotated[Grant, POLICY.grant("projects.read")]`."""
        return Depends(self.guard(key))

    def find(self, method: str, path: str) -> Rule | None:
        for entry in self.rules.values():
            if (entry.method, entry.path) == (method, path):
                return entry
        return None


def guarded_rule(route_dependencies: Iterable[Callable[..., object]]) -> list[Rule]:
    """The entries behind a route's guards (tests check there is exactly one, and the right)."""
    return [d.access_rule for d in route_dependencies if hasattr(d, "access_rule")]


# Routes every service serves (shared/http, FastAPI's own documentation pages).
SHARED = Policy(
    "every service",
    [
        rule("health.live", "GET /health/live", "that the process runs", public=Scope.ALL),
        rule("health.ready", "GET /health/ready", "whether the service is ready, and why not",
             public=Scope.ALL),
        rule("metrics", "GET /metrics", "aggregate counts (Prometheus)", public=Scope.ALL),
        rule("contract.asyncapi_json", "GET /asyncapi.json", "the event contract",
             public=Scope.ALL),
        rule("contract.asyncapi", "GET /asyncapi", "the event contract as a page",
             public=Scope.ALL),
        rule("contract.events", "GET /events", "the events published and consumed",
             public=Scope.ALL),
        rule("contract.schema", "GET /events/{event_type}/v{version}/schema",
             "one event's JSON Schema", public=Scope.ALL),
        rule("docs.openapi", "GET /openapi.json", "the HTTP API's description", public=Scope.ALL),
        rule("docs.swagger", "GET /docs", "the API docs page", public=Scope.ALL),
        rule("docs.oauth2_redirect", "GET /docs/oauth2-redirect", "the API docs' sign-in",
             public=Scope.ALL),
        rule("docs.redoc", "GET /redoc", "the API docs page (ReDoc)", public=Scope.ALL),
        rule("dead_letters.list", "GET /dead-letters", "the service's dead-lettered messages: "
             "reason, headers, body (peeked, left in place)", operator=Scope.ALL),
        rule("dead_letters.redrive", "POST /dead-letters/redrive", "sends chosen dead letters "
             "back to the service's queue", operator=Scope.ALL),
        rule("identity.me", "GET /me", "the caller as this service sees them: role, country, "
             "linked teacher", applicant=Scope.OWN, teacher=Scope.OWN, nso=Scope.OWN,
             css=Scope.OWN, operator=Scope.OWN),
    ],
)  # fmt: skip
