"""`etwinning jobs list|show|watch <id>`: the jobs of a service (shared/jobs) over its HTTP API.

`list` prints one line per job (newest first), `show` the whole job as JSON, `watch` follows
a job until it ends, with a progress bar, its rate and the time left (tools/progress.py), and
exits 0 if it succeeded, 1 otherwise. The token is `$ETWINNING_TOKEN` (a bearer token of a CSS
or operator account), or else a development-mode operator token minted with `$JWT_SECRET`.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from typing import Any

import httpx

from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET
from tools.progress import Progress

DEFAULT_BASE_URL = "http://127.0.0.1:8003"  # awards: the service that runs jobs
FINISHED = {"succeeded", "failed", "cancelled"}


def auth_header() -> dict[str, str]:
    token = os.environ.get("ETWINNING_TOKEN") or mint_token(
        Principal(subject="operator:cli", role="operator"),
        secret=os.environ.get("JWT_SECRET", DEV_JWT_SECRET),
        issuer=os.environ.get("JWT_ISSUER", "etwinning-platform"),
    )
    return {"Authorization": f"Bearer {token}"}


def line(job: dict[str, Any]) -> str:
    progress = job["progress"]
    total = progress.get("total")
    done = f"{progress['done']}/{total}" if total is not None else str(progress["done"])
    params = ",".join(f"{k}={v}" for k, v in sorted(job["params"].items()))
    return (
        f"{job['job_id']}  {job['kind']}({params})  {job['status']}  {done}  "
        f"{progress['step']}  {job['created_at']}  {job['requested_by']}"
    )


async def list_jobs(client: httpx.AsyncClient, status: str | None, limit: int) -> list[Any]:
    params: dict[str, Any] = {"limit": limit, **({"status": status} if status else {})}
    answer = await client.get("/jobs", params=params, headers=auth_header())
    answer.raise_for_status()
    jobs: list[Any] = answer.json()
    return jobs


async def show_job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    answer = await client.get(f"/jobs/{job_id}", headers=auth_header())
    answer.raise_for_status()
    job: dict[str, Any] = answer.json()
    return job


async def watch_job(
    client: httpx.AsyncClient,
    job_id: str,
    progress: Progress,
    interval: float = 1.0,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> dict[str, Any]:
    """Polls the job until it ends, updating `progress` with done/total."""
    while True:
        job = await show_job(client, job_id)
        state = job["progress"]
        progress.label = f"{job['kind']} {state['step']}"
        progress.update(int(state["done"]), state.get("total"))
        if job["status"] in FINISHED:
            return job
        await sleep(interval)


def dumps(job: dict[str, Any]) -> str:
    return json.dumps(job, indent=2, ensure_ascii=False)
