"""Every operation's OpenAPI declares the error answers it can give, all with one `Problem`
schema: applied once to the whole document (not by hand per route), from what the operation
has: a token (401, 403), path or query parameters (404, 422), a body (400, 413, 422), a
state change (409), and the database behind it (503)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.http.problems import PROBLEM_MEDIA_TYPE, Problem

PROBLEM_REF = "#/components/schemas/Problem"
STATE_CHANGING = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    400: "Malformed request (the body is not JSON, a header is wrong)",
    401: "No bearer token, or the token is not valid",
    403: "The token's role, teacher or country may not do this",
    404: "No such resource",
    409: "A rule refuses the change in the resource's current state (see `code` and `rule`)",
    413: "The body is larger than the service accepts",
    422: "A parameter or field is not valid (see `errors`), or a rule refuses its value",
    503: "The database or the broker does not answer; try again",
}
UNDOCUMENTED_PREFIXES = ("/health/",)  # readiness answers 503 with its own body


def install_problem_responses(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = with_problem_responses(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas["Problem"] = problem_schema
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in STATE_CHANGING | {"get", "head", "options"}:
                continue
            operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                operation["responses"][str(status)] = _problem_response(status)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    statuses: set[int] = set()
    if operation.get("security"):
        statuses |= {401, 403}
    if parameters:
        statuses |= {400, 404, 422}
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if method in STATE_CHANGING:
        statuses |= {404, 409}
    if not path.startswith(UNDOCUMENTED_PREFIXES):
        statuses.add(503)
    return statuses


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }
