"""Following a job from the 202 that started it: the contract (Location, status, progress)
and its end, as a client of any service that runs jobs would (shared/jobs)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

FINISHED = {"succeeded", "failed", "cancelled"}


def started_job(response: httpx.Response) -> dict[str, Any]:
    """The job a 202 answered, after checking the answer's contract."""
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/jobs/{job['job_id']}"
    assert job["status"] in {"queued", "running", *FINISHED}
    assert set(job["progress"]) == {"done", "total", "step"}
    return job


async def job_outcome(
    http: httpx.AsyncClient,
    response: httpx.Response,
    headers: dict[str, str],
    seconds: float = 30.0,
) -> dict[str, Any]:
    """Polls the job's Location until it has finished; returns the job as then shown."""
    location = f"/jobs/{started_job(response)['job_id']}"
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        shown = await http.get(location, headers=headers)
        assert shown.status_code == 200, shown.text
        job: dict[str, Any] = shown.json()
        if job["status"] in FINISHED:
            return job
        assert asyncio.get_running_loop().time() < deadline, f"job still {job['status']}: {job}"
        await asyncio.sleep(0.05)


async def job_result(
    http: httpx.AsyncClient, response: httpx.Response, headers: dict[str, str]
) -> dict[str, Any]:
    """The result of a job that must succeed."""
    job = await job_outcome(http, response, headers)
    assert job["status"] == "succeeded", job
    result: dict[str, Any] = job["result"]
    return result
