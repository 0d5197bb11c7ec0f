"""An app's routes as served (FastAPI's included routers flattened): method, path, the route
and the dependencies it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from shared.http.access import Rule


@dataclass(frozen=True)
class ServedRoute:
    method: str
    path: str
    api: bool  # an APIRoute (a service's or shared/http's), not one of FastAPI's own pages
    context: Any

    def guards(self) -> list[Rule]:
        """The access-policy entries this route's dependencies enforce."""
        return list(_guards(self.context.dependant)) if self.api else []


def served_routes(app: FastAPI) -> Iterator[ServedRoute]:
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            continue  # static assets of the docs pages, which are routes with entries
        # The docs pages (FastAPI's own, or fastapi-offline's APIRoutes kept out of the
        # schema) are listed in the shared policy rather than guarded; /metrics, also out of
        # the schema, is guarded like the rest.
        route = context.original_route
        api = isinstance(route, APIRoute) and (route.include_in_schema or _has_guard(context))
        for method in sorted(set(context.methods or ()) - {"HEAD"}):
            yield ServedRoute(method, str(context.path), api, context)


def _has_guard(context: Any) -> bool:
    return any(True for _ in _guards(context.dependant))


def _guards(dependant: Any) -> Iterator[Rule]:
    for dependency in dependant.dependencies:
        entry = getattr(dependency.call, "access_rule", None)
        if entry is not None:
            yield entry
        yield from _guards(dependency)
