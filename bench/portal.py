"""The portal's pages at the platform's size: 10,000 teachers and 2,000 projects loaded, the
four services and the portal as processes (the commands of docker-compose.yml), people signed
in through the real OIDC code flow (oidc-provider-mock); then ≥ 200 requests per main page.

Prints, per page, the portal's server time (its `Server-Timing: total`) p50/p95 and the
service calls the page made (`X-Portal-Service-Calls`), then ONE line of JSON.

    .venv/bin/python -m bench.portal                   # 10,000 teachers, 2,000 projects
    .venv/bin/python -m bench.portal --requests 300

Data is written straight into the services' databases through their own document functions
(registration's bulk load, projects' project_document): what the pages read is what the write
paths store. SecantusDB is embedded unless --mongodb-url is given; RabbitMQ must run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from oidc_provider_mock import run_server_in_thread
from pymongo import AsyncMongoClient

from bench._embedded import database_url, percentile
from bench._platform import rabbitmq_vhost
from bench.registration_scale import batched, schools, teachers
from services.projects.adapters.repository import PROJECTS, project_document
from services.projects.adapters.repository import TEACHERS as PROJECT_TEACHERS
from services.projects.domain.model import KnownTeacher, Project, ProjectDetails
from services.registration.adapters.bulk import load_schools, load_teachers
from services.registration.adapters.repository import ensure_indexes as registration_indexes
from services.registration.domain.model import Teacher
from shared.settings import DEV_JWT_SECRET
from tools.localrun import compose_services

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 15, tzinfo=UTC)
PORT_OFFSET = 300  # beside a `make run` on the compose ports


def _projects(count: int, validated: list[Teacher], rng: random.Random) -> list[Project]:
    made = []
    for i in range(count):
        founder = validated[0] if i % 50 == 0 else rng.choice(validated)  # ours: one in 50
        cofounder = rng.choice(validated)
        while cofounder.school_id == founder.school_id:  # R-PRJ-1: two schools
            cofounder = rng.choice(validated)
        known = [
            KnownTeacher(t.id, "VALIDATED", t.school_id, t.school_name, t.country)
            for t in (founder, cofounder)
        ]
        details = ProjectDetails(title=f"Project {i}", description="Pupils compare their towns.")
        project = Project.propose(f"prj_{i:07d}", details, known[0], known[1], NOW)
        if i % 3:  # two in three go on to be active
            project.respond(known[1], True, None, NOW)
            for country in project.founder_countries:
                project.decide_as_nso(country, True, None, NOW)
        made.append(project)
    return made


async def load(mongodb_url: str, prefix: str, teacher_count: int, project_count: int) -> Teacher:
    rng = random.Random(7)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    registration = client[f"{prefix}_registration"]
    await registration_indexes(registration)
    all_schools = list(schools(max(1, teacher_count // 4), rng))
    for batch in batched(iter(all_schools), 1000):
        await load_schools(registration, batch)
    loaded: list[Teacher] = []
    for batch in batched(teachers(teacher_count, all_schools, rng), 1000):
        await load_teachers(registration, batch)
        loaded.extend(batch)
    validated = [t for t in loaded if t.status.value == "VALIDATED"]
    projects_db = client[f"{prefix}_projects"]
    await projects_db[PROJECT_TEACHERS].insert_many(
        [
            {
                "_id": t.id,
                "status": "VALIDATED",
                "school_id": t.school_id,
                "school_name": t.school_name,
                "country": t.country,
            }
            for t in validated
        ]
    )
    for batch in batched(iter(_projects(project_count, validated, rng)), 500):
        await projects_db[PROJECTS].insert_many([project_document(p) for p in batch])
    await client.close()
    return validated[0]


def start_processes(
    env: dict[str, str], prefix: str, portal_port: int, provider_url: str, logs: Path
) -> list[subprocess.Popen[bytes]]:
    started, urls = [], {}
    for name, spec in compose_services().items():
        port = int(spec["environment"]["HTTP_PORT"]) + PORT_OFFSET
        urls[name] = f"http://127.0.0.1:{port}"
        service_env = {
            **env,
            "SERVICE_NAME": name,
            "HTTP_PORT": str(port),
            "MONGODB_DATABASE": f"{prefix}_{name}",
        }
        log = (logs / f"{name}.log").open("wb")
        started.append(
            subprocess.Popen(
                list(spec["command"]),
                cwd=ROOT,
                env=service_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    portal_env = {
        **env,
        "HTTP_PORT": str(portal_port),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{portal_port}",
        "MONGODB_DATABASE": f"{prefix}_portal",
        "OIDC_ISSUER": provider_url,
        "AUTHLIB_INSECURE_TRANSPORT": "1",
        **{f"{name.upper()}_URL": url for name, url in urls.items()},
    }
    log = (logs / "portal.log").open("wb")
    started.append(
        subprocess.Popen(
            [sys.executable, "-m", "services.portal"],
            cwd=ROOT,
            env=portal_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    return started


def wait_ready(url: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {seconds:.0f}s")


def signed_in(
    portal_url: str, provider_url: str, subject: str, claims: dict[str, Any]
) -> httpx.Client:
    """A browser's cookie jar after the authorization-code flow, as a person would sign in."""
    httpx.put(f"{provider_url}/users/{subject}", json=claims, timeout=5).raise_for_status()
    client = httpx.Client(base_url=portal_url, timeout=30)
    authorize = client.get("/login", follow_redirects=False).headers["location"]
    back = httpx.post(authorize, data={"sub": subject}, follow_redirects=False)
    client.get(back.headers["location"], follow_redirects=False)
    assert client.get("/", follow_redirects=False).status_code == 303, "sign-in failed"
    return client


def measure(client: httpx.Client, path: str, count: int) -> dict[str, Any]:
    server_ms, calls, client_ms = [], [], []
    waits: dict[str, list[float]] = {}
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        client_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        timing = dict(
            part.strip().split(";dur=") for part in response.headers["server-timing"].split(",")
        )
        server_ms.append(float(timing["total"]))
        for name in ("registration", "projects", "awards", "notifications"):
            if name in timing:
                waits.setdefault(name, []).append(float(timing[name]))
        calls.append(int(response.headers["x-portal-service-calls"]))
    return {
        "requests": count,
        "server_p50_ms": round(percentile(server_ms, 0.50), 1),
        "server_p95_ms": round(percentile(server_ms, 0.95), 1),
        "client_p95_ms": round(percentile(client_ms, 0.95), 1),
        "service_calls_max": max(calls),
        "service_calls_mean": round(sum(calls) / len(calls), 2),
        "wait_p50_ms_by_service": {
            name: round(percentile(values, 0.50), 1) for name, values in waits.items()
        },
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    logs = ROOT / ".run" / "bench-portal"
    logs.mkdir(parents=True, exist_ok=True)
    prefix = f"benchportal{int(time.time())}"
    async with database_url(args.mongodb_url) as mongodb_url, rabbitmq_vhost(args.amqp_url) as amqp:
        started = time.perf_counter()
        teacher = await load(mongodb_url, prefix, args.teachers, args.projects)
        load_seconds = time.perf_counter() - started
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "AMQP_URL": amqp,
            "MONGODB_URL": mongodb_url,
            "JWT_SECRET": DEV_JWT_SECRET,
            "AUTH_DEV_MODE": "true",  # the portal mints development tokens (SERVICE_TOKENS)
            "HTTP_HOST": "127.0.0.1",
            "LOG_JSON": "1",
            "LOG_LEVEL": "WARNING",
            "SMTP_URL": "smtp://127.0.0.1:1",
        }
        portal_port = 8000 + PORT_OFFSET
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with run_server_in_thread(port=0) as provider:
            provider_url = f"http://127.0.0.1:{provider.server_port}"
            processes = start_processes(env, prefix, portal_port, provider_url, logs)
            try:
                portal = f"http://127.0.0.1:{portal_port}"
                wait_ready(portal)
                teacher_client = signed_in(
                    portal,
                    provider_url,
                    "bench-teacher",
                    {
                        "name": teacher.name,
                        "role": "teacher",
                        "teacher_id": teacher.id,
                        "country": teacher.country,
                    },
                )
                nso_client = signed_in(
                    portal,
                    provider_url,
                    "bench-nso",
                    {"name": "NSO", "role": "nso", "country": teacher.country},
                )
                css_client = signed_in(
                    portal, provider_url, "bench-css", {"name": "CSS", "role": "css"}
                )
                operator = signed_in(
                    portal, provider_url, "bench-op", {"name": "Op", "role": "operator"}
                )
                project_id = teacher_client.get("/teacher").text.split('href="/projects/prj_', 1)[
                    1
                ][:7]
                pages = {
                    "teacher /teacher": (teacher_client, "/teacher"),
                    "teacher /projects/{id}": (teacher_client, f"/projects/prj_{project_id}"),
                    "teacher /partners?country&subject": (
                        teacher_client,
                        f"/partners?country={teacher.country}&subject=Mathematics",
                    ),
                    "teacher /nql": (teacher_client, "/nql"),
                    "teacher /inbox": (teacher_client, "/inbox"),
                    "nso /nso": (nso_client, "/nso"),
                    "nso /nso/nql": (nso_client, "/nso/nql"),
                    "nso /nso/eql": (nso_client, "/nso/eql"),
                    "css /css": (css_client, "/css"),
                    "operator /operator": (operator, "/operator"),
                }
                results = {}
                for name, (client, path) in pages.items():
                    client.get(path)  # warm
                    results[name] = measure(client, path, args.requests)
                    print(f"{name:<38} {json.dumps(results[name])}", flush=True)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
    return {
        "bench": "portal",
        "server": "mongodb" if args.mongodb_url else "secantusdb (embedded, retryWrites=false)",
        "teachers": args.teachers,
        "projects": args.projects,
        "load_seconds": round(load_seconds, 1),
        "pages": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--teachers", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--mongodb-url")
    parser.add_argument("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672/")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
