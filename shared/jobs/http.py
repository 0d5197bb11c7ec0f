"""HTTP of jobs, the same in every service that runs them: `GET /jobs`, `GET /jobs/{id}`,
`POST /jobs/{id}/cancellation`, and `accepted(...)`, the 202 answer of a route that started
one (`Location: /jobs/{id}`). The service's access policy names who may call them (entries
`jobs.list`, `jobs.show`, `jobs.cancel`); the app state holds `clock` (shared/clock.py)
and `job_finished_event`, and `job_worker` once the worker runs (woken on submission)."""

# No `from __future__ import annotations`: the routes are defined inside jobs_router, and
# FastAPI must see `policy.grant(...)` evaluated, not as a string naming a local variable.
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shared.errors import NotFound
from shared.http.access import Grant, Policy
from shared.http.auth import Principal
from shared.http.dependencies import UoW
from shared.jobs import runner, store
from shared.storage.mongo import Document
from shared.storage.unit_of_work import UnitOfWork


class ProgressOut(BaseModel):
    done: int = Field(description="Units of work done (projects, schools).")
    total: int | None = Field(default=None, description="Units in all, once known.")
    step: str = Field(description="What the job is doing now.")


class JobOut(BaseModel):
    job_id: str
    kind: str
    params: dict[str, Any]
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    progress: ProgressOut
    requested_by: str
    cancel_requested: bool = False
    attempts: int = Field(default=0, description="Claims by a worker (more after a crash).")
    created_at: datetime
    started_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None


def job_out(document: Document) -> JobOut:
    progress = document.get("progress") or {}
    return JobOut(
        job_id=document["_id"],
        kind=document["kind"],
        params=document.get("params") or {},
        status=document["status"],
        progress=ProgressOut(
            done=int(progress.get("done") or 0),
            total=progress.get("total"),
            step=str(progress.get("step") or ""),
        ),
        requested_by=str((document.get("requested_by") or {}).get("subject", "")),
        cancel_requested=bool(document.get("cancel_requested")),
        attempts=int(document.get("attempts") or 0),
        created_at=document["created_at"],
        started_at=document.get("started_at"),
        updated_at=document.get("updated_at"),
        finished_at=document.get("finished_at"),
        result=document.get("result"),
        error=document.get("error"),
    )


def accepted(document: Document) -> JSONResponse:
    """202 with the job and where to follow it."""
    return JSONResponse(
        job_out(document).model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": f"/jobs/{document['_id']}"},
    )


ACCEPTED_RESPONSE: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobOut,
        "description": "The work runs as a job: follow it at the `Location` (`/jobs/{id}`). "
        "The same operation started again while its job runs answers that job.",
        "headers": {"Location": {"schema": {"type": "string"}, "description": "/jobs/{id}"}},
    }
}


def now_of(request: Request) -> datetime:
    """The service's clock (shared/clock.py, set by its composition root), else the system's."""
    clock = getattr(request.app.state, "clock", None)
    return clock.now() if clock is not None else datetime.now(UTC)


async def start_job(
    request: Request,
    uow: UnitOfWork,
    kind: str,
    params: dict[str, Any],
    principal: Principal,
) -> JSONResponse:
    """Submit the operation (or find its running job) and answer 202; the worker of this
    process is woken so the job starts at once rather than at the next poll."""
    job, _ = await store.submit(
        uow, kind, params, {"subject": principal.subject, "role": principal.role}, now_of(request)
    )
    worker: runner.JobWorker | None = getattr(request.app.state, "job_worker", None)
    if worker is not None:
        worker.wake()
    return accepted(job)


def jobs_router(policy: Policy) -> APIRouter:
    router = APIRouter(prefix="/jobs", tags=["jobs"])

    @router.get("")
    async def list_jobs(
        uow: UoW,
        _: Annotated[Grant, policy.grant("jobs.list")],
        status: str | None = None,
        kind: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[JobOut]:
        """The newest jobs first."""
        found = await store.recent(uow.database, status=status, kind=kind, limit=limit)
        return [job_out(document) for document in found]

    @router.get("/{job_id}")
    async def get_job(
        job_id: str, uow: UoW, _: Annotated[Grant, policy.grant("jobs.show")]
    ) -> JobOut:
        """Status and progress of a job; its result or error once finished."""
        found = await store.job(uow.database, job_id)
        if found is None:
            raise NotFound(f"no job {job_id}")
        return job_out(found)

    @router.post("/{job_id}/cancellation", status_code=status.HTTP_202_ACCEPTED)
    async def cancel_job(
        job_id: str,
        request: Request,
        uow: UoW,
        _: Annotated[Grant, policy.grant("jobs.cancel")],
    ) -> JobOut:
        """A queued job is cancelled now; a running one stops at its next step that allows
        it (`cancel_requested` until then); a finished one is answered as it is."""
        event = request.app.state.job_finished_event
        found = await runner.cancel(uow, job_id, event, now_of(request))
        if found is None:
            raise NotFound(f"no job {job_id}")
        return job_out(found)

    return router
