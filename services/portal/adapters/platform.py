"""The four services' HTTP APIs, called with the signed-in person's bearer token.

Every call is counted per portal request (a context variable): the portal answers each page
with `X-Portal-Service-Calls` and a `Server-Timing` entry, which `bench/portal.py` reads."""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from services.portal.adapters.problems import Problem, problem_of

ServiceName = Literal["registration", "projects", "awards", "notifications"]


@dataclass
class CallTally:
    calls: int = 0
    seconds: float = 0.0
    paths: list[str] = field(default_factory=list)
    by_service: dict[str, float] = field(default_factory=dict)
    """Seconds spent waiting for each service (calls side by side overlap)."""


_tally: ContextVar[CallTally | None] = ContextVar("portal_call_tally", default=None)


def start_tally() -> CallTally:
    tally = CallTally()
    _tally.set(tally)
    return tally


class ServiceProblem(Exception):
    """A service said no (4xx/5xx) or could not be reached; carries the problem it gave."""

    def __init__(self, service: str, problem: Problem) -> None:
        super().__init__(f"{service}: {problem.status} {problem.code}: {problem.detail}")
        self.service = service
        self.problem = problem


class Platform:
    """One pooled HTTP client per service."""

    def __init__(self, base_urls: dict[ServiceName, str], timeout: float) -> None:
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout)
            for name, url in base_urls.items()
        }

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def call(
        self,
        service: ServiceName,
        method: str,
        path: str,
        *,
        bearer: str | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        started = time.perf_counter()
        try:
            response = await self._clients[service].request(
                method, path, json=json, params=clean, headers=headers
            )
        except httpx.HTTPError as error:
            problem = Problem(503, "service_unreachable", f"{service}: {type(error).__name__}")
            raise ServiceProblem(service, problem) from error
        finally:
            tally = _tally.get()
            if tally is not None:
                tally.calls += 1
                spent = time.perf_counter() - started
                tally.seconds += spent
                tally.by_service[service] = tally.by_service.get(service, 0.0) + spent
                tally.paths.append(f"{service} {method} {path}")
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            raise ServiceProblem(service, problem_of(response.status_code, body))
        return response

    async def get(
        self, service: ServiceName, path: str, *, bearer: str | None, **params: Any
    ) -> Any:
        return (await self.call(service, "GET", path, bearer=bearer, params=params)).json()

    async def send(
        self, service: ServiceName, method: str, path: str, *, bearer: str | None, json: Any = None
    ) -> Any:
        response = await self.call(service, method, path, bearer=bearer, json=json)
        return response.json() if response.content else None

    async def ready(self) -> dict[str, bool]:
        """Whether each service answers its own readiness probe (not counted)."""
        answers: dict[str, bool] = {}
        for name, client in self._clients.items():
            try:
                answers[name] = (await client.get("/health/ready", timeout=2.0)).status_code == 200
            except httpx.HTTPError:
                answers[name] = False
        return answers

    async def raw(self, service: ServiceName, path: str) -> httpx.Response:
        """An unauthenticated GET whose answer is used as it is (metrics text)."""
        return await self.call(service, "GET", path, bearer=None)
