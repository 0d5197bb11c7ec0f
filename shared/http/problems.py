"""Errors as HTTP answers: a status and a machine-readable reason, never a bare 500 for bad
input. Body: {"error": {"code": ..., "message": ..., "rule": ..., "fields": [...]}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure

from shared.errors import DomainRuleViolation, NotFound, PermanentError, TransientError


class HttpProblem(Exception):
    def __init__(
        self, status_code: int, code: str, message: str, rule: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.rule = rule
        self.extra = extra


def problem_response(
    status_code: int, code: str, message: str, rule: str | None = None, **extra: Any
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message, **extra}
    if rule:
        error["rule"] = rule
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    return JSONResponse({"error": error}, status_code=status_code, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
            for error in exc.errors()
        ]
        return problem_response(422, "invalid_request", "the request is not valid", fields=fields)

    @app.exception_handler(HttpProblem)
    async def on_problem(_: Request, exc: HttpProblem) -> JSONResponse:
        return problem_response(exc.status_code, exc.code, exc.message, exc.rule, **exc.extra)

    @app.exception_handler(DomainRuleViolation)
    async def on_rule(_: Request, exc: DomainRuleViolation) -> JSONResponse:
        return problem_response(exc.status_code, exc.reason, exc.detail, exc.rule)

    @app.exception_handler(NotFound)
    async def on_not_found(_: Request, exc: NotFound) -> JSONResponse:
        return problem_response(404, exc.reason, str(exc))

    @app.exception_handler(PermanentError)
    async def on_permanent(_: Request, exc: PermanentError) -> JSONResponse:
        return problem_response(400, exc.reason, str(exc))

    @app.exception_handler(TransientError)
    @app.exception_handler(ConnectionFailure)
    async def on_unavailable(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(503, "unavailable", f"try again later: {type(exc).__name__}")
