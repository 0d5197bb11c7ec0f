"""Turning form fields into service request bodies, and calling a service for a form:
a refusal comes back as the problem to show next to the form, the typed values kept."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.portal.adapters.platform import ServiceName, ServiceProblem
from services.portal.adapters.problems import Problem
from services.portal.web.base import bearer_of, portal_of


def words(text: str | None) -> list[str]:
    """ "math, science; art" → ["math", "science", "art"]."""
    if not text:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def integer(text: str | None) -> int | str | None:
    """A number if it is one; otherwise what was typed, so the service names the field."""
    if text is None or text.strip() == "":
        return None
    try:
        return int(text.strip())
    except ValueError:
        return text


def without_empty(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value not in (None, "", [])}


async def attempt(
    request: Request, service: ServiceName, method: str, path: str, body: Any = None
) -> tuple[Any, Problem | None]:
    try:
        answer = await portal_of(request).platform.send(
            service, method, path, bearer=bearer_of(request), json=body
        )
    except ServiceProblem as refused:
        return None, refused.problem
    return answer, None


async def read(request: Request, service: ServiceName, path: str, **params: Any) -> Any:
    return await portal_of(request).platform.get(service, path, bearer=bearer_of(request), **params)


async def read_or_none(request: Request, service: ServiceName, path: str, **params: Any) -> Any:
    try:
        return await read(request, service, path, **params)
    except ServiceProblem:
        return None
