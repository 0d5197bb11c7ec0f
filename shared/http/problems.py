"""Errors as HTTP answers: every error body, FastAPI's and Starlette's own included, is an RFC
9457 problem (`application/problem+json`):

    {"type": "urn:etwinning:problem:quota_exceeded", "title": "EQL quota reached",
     "status": 409, "detail": "...", "instance": "/eql/...", "code": "quota_exceeded",
     "rule": "R-EQL-4", "quota": 3, "used": 3}

`code` is stable and specific (docs/errors.md lists every one), `rule` the R-id where one
applies, and the figures of the refusal are extension members beside them. A validation
failure carries `errors`, one entry per field."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import (
    ERROR_CODES,
    ErrorCode,
    NotFound,
    PermanentError,
    Refused,
    TransientError,
    error_code,
    problem_type,
)
from shared.logging import get_logger

log = get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# --- the codes of the HTTP layer itself (the services declare theirs in their domains) -------
INVALID_JSON = error_code(
    "invalid_json", 400, "Body is not JSON", "The request body could not be parsed as JSON."
)
BAD_REQUEST = error_code(
    "bad_request", 400, "Bad request", "The request is malformed (for example its headers)."
)
INVALID_REQUEST = error_code(
    "invalid_request",
    422,
    "Request not valid",
    "A parameter or body field is missing, of the wrong type or out of bounds; `errors` "
    "lists each field (`field` is the path, e.g. `body.name`, and `message` says why).",
)
PAYLOAD_TOO_LARGE = error_code(
    "payload_too_large",
    413,
    "Request body too large",
    "The body is larger than the service accepts (`HTTP_MAX_BODY_BYTES`, default 1 MiB); "
    "`limit` gives the bound in bytes. Refused before it is parsed.",
)
ROUTE_NOT_FOUND = error_code(
    "route_not_found", 404, "No such route", "No operation is served at this path."
)
METHOD_NOT_ALLOWED = error_code(
    "method_not_allowed",
    405,
    "Method not allowed",
    "The path exists but not with this method; the `Allow` header lists the methods it takes.",
)
NOT_FOUND = error_code("not_found", 404, "Not found", "The resource does not exist.")
MISSING_TOKEN = error_code(
    "missing_token", 401, "Token required", "This operation needs a bearer token."
)
INVALID_TOKEN = error_code(
    "invalid_token",
    401,
    "Token rejected",
    "The bearer token is expired or not yet valid, not signed by a key of the configured "
    "identity provider with an accepted algorithm (or, in development mode only, with "
    "JWT_SECRET), for another issuer or audience, or lacks a claim its role needs.",
)
FORBIDDEN_ROLE = error_code(
    "forbidden_role", 403, "Role not allowed", "The token's role may not do this."
)
NOT_YOUR_RECORD = error_code(
    "not_your_record", 403, "Another person's record",
    "A teacher reads only their own records (and their projects'); see the access policy.",
)  # fmt: skip
UNAVAILABLE = error_code(
    "unavailable",
    503,
    "Temporarily unavailable",
    "The database or the broker does not answer; try again later.",
)
INTERNAL_ERROR = error_code(
    "internal_error", 500, "Internal error", "A bug; the log has the details (by correlation id)."
)
PERMANENT_ERROR = error_code(
    "permanent_error", 400, "Request refused", "A refusal without a more specific code."
)


class FieldProblem(BaseModel):
    field: str = Field(description="Where: `body.name`, `query.year`, `path.teacher_id`.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem. Refusals add the figures involved as further members (`quota`,
    `used`, `average`, `threshold`, ...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A stable URI per code.", examples=[problem_type("not_found")])
    title: str = Field(description="Short, the same for every problem of this type.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="This occurrence, for people.")
    instance: str | None = Field(default=None, description="The request's path.")
    code: str = Field(description="Stable, specific, for machines: see docs/errors.md.")
    rule: str | None = Field(default=None, description="The rule id (R-...) where one applies.")
    errors: list[FieldProblem] | None = Field(default=None, description="Validation failures.")


class HttpProblem(Refused):
    """A refusal raised by name where no ErrorCode object is at hand (prefer a registered
    ErrorCode: `raise NOT_YOUR_PROFILE("...")`). An unregistered code gets its status's title."""

    def __init__(
        self, status_code: int, code: str, message: str, rule: str | None = None, **extra: Any
    ) -> None:
        known = ERROR_CODES.get(code)
        if known is None or known.status != status_code or rule not in (None, known.rule):
            known = ErrorCode(code, status_code, _phrase(status_code), message, rule)
        super().__init__(known, message, **extra)
        self.message = message
        self.extra = extra


def problem_body(
    kind: ErrorCode,
    detail: str,
    *,
    instance: str | None = None,
    figures: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind.type_uri,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body["code"] = kind.code
    if kind.rule:
        body["rule"] = kind.rule
    for name, value in (figures or {}).items():
        body.setdefault(name, value)  # a figure never overwrites a member of the problem
    return body


def problem_response(
    kind: ErrorCode,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **figures: Any,
) -> JSONResponse:
    if kind.status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(
        problem_body(kind, detail, instance=instance, figures=figures),
        status_code=kind.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return problem_response(
                INVALID_JSON, "the body is not valid JSON", instance=request.url.path
            )
        fields = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
            for error in errors
        ]
        return problem_response(
            INVALID_REQUEST, "the request is not valid", instance=request.url.path, errors=fields
        )

    @app.exception_handler(Refused)
    async def on_refused(request: Request, exc: Refused) -> JSONResponse:
        return problem_response(exc.kind, exc.detail, instance=request.url.path, **exc.figures)

    @app.exception_handler(NotFound)
    async def on_not_found(request: Request, exc: NotFound) -> JSONResponse:
        kind = ERROR_CODES.get(exc.reason, NOT_FOUND)
        return problem_response(kind, str(exc), instance=request.url.path)

    @app.exception_handler(PermanentError)
    async def on_permanent(request: Request, exc: PermanentError) -> JSONResponse:
        kind = ERROR_CODES.get(exc.reason, PERMANENT_ERROR)
        return problem_response(kind, str(exc), instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = _kind_of_http_status(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else _phrase(exc.status_code)
        return problem_response(
            kind, detail, instance=request.url.path, headers=dict(exc.headers or {})
        )

    @app.exception_handler(TransientError)
    @app.exception_handler(ConnectionFailure)
    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            UNAVAILABLE, f"try again later: {type(exc).__name__}", instance=request.url.path
        )

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> JSONResponse:
        # Starlette still re-raises after answering, so the traceback is logged as before.
        return problem_response(
            INTERNAL_ERROR, f"unexpected {type(exc).__name__}", instance=request.url.path
        )


def _kind_of_http_status(status: int) -> ErrorCode:
    """Starlette's own HTTP errors (routing, FastAPI internals) under one code per status."""
    known = {
        404: ROUTE_NOT_FOUND,
        405: METHOD_NOT_ALLOWED,
        400: BAD_REQUEST,
        413: PAYLOAD_TOO_LARGE,
    }
    if status in known:
        return known[status]
    name = HTTPStatus(status).name.lower() if status in HTTPStatus._value2member_map_ else "error"
    return ErrorCode(name, status, _phrase(status), _phrase(status))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
