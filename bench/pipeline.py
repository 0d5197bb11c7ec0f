"""The completion pipeline end to end: N project completions flowing projects → awards →
notifications → SMTP, the four services as separate processes (tools.localrun starts them with
the commands docker-compose.yml gives them) on the local RabbitMQ (a vhost of its own) and an
embedded SecantusDB. Prints ONE line of JSON; progress goes to stderr.

    .venv/bin/python -m bench.pipeline                       # 2,000 completions (+500 paced)
    .venv/bin/python -m bench.pipeline --completions 200     # a quick run

Phases: set up N + P projects through the HTTP APIs (teachers registered and validated,
proposal, co-founder's answer, both NSOs' approvals, two partners invited and joined: 4 members
in 3 countries), wait until every queue and outbox is empty, then

1. sustained: N completion requests (`--concurrency` in flight), timed from the first request
   to the last e-mail caught; completions/s = N / that time; latency per project = completion
   request → the 4th e-mail of that project (one NQL application per member) caught;
2. paced: P more completions at half the sustained rate; latency as above;
3. bare: the same N completions through bench/bare_chain.py (aio-pika + PyMongo, no framework,
   the same database writes and publishes per hop) on the same servers; ratio = platform / bare.

Database round trips per consumed event per hop come from each service's
etwinning_db_commands_total (PyMongo command monitoring), read at /metrics before and after the
sustained phase; peak RSS is each service process's VmHWM at the end.

SecantusDB is a Python server, far slower than mongod; it is connected with retryWrites=false
(its retryable-write table slows every write as it grows). Compare ratios from one run only:
absolute figures on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
import uuid
from typing import Any

import httpx

from bench._platform import (
    CpuMeter,
    TimedSink,
    bounded,
    commands_by_name,
    consumed,
    delta,
    peak_rss_mb,
    rabbitmq_pid,
    rabbitmq_vhost,
    scrape,
    time_completions,
    wait_quiet,
)
from bench.bare_chain import BareProject, run_bare
from shared.settings import DEV_JWT_SECRET
from tools.demo_story import SCHOOLS, TEACHERS, Story, Tokens
from tools.localrun import (
    DEFAULT_AMQP_URL,
    RUN_DIR,
    ServiceProcess,
    check_rabbitmq,
    platform_env,
    start_secantus,
    start_services,
    stop_all,
    wait_ready,
)

BENCH_DIR = RUN_DIR / "bench"
# Four members in three countries: the founders (ES, PT) and two partners (TR, another ES school).
SLOTS = {
    "ES": SCHOOLS["ES"],
    "PT": SCHOOLS["PT"],
    "TR": SCHOOLS["TR"],
    "ES2": {**SCHOOLS["ES"], "name": "IES Bench Dos", "town": "Alicante"},
}


class BenchProject(Story):
    """One benchmark project, driven with the demo story's HTTP helpers."""

    def __init__(
        self,
        clients: dict[str, httpx.AsyncClient],
        tokens: Tokens,
        title: str,
        members: dict[str, str],
    ) -> None:
        super().__init__(clients, tokens, timeout=120.0)
        self.title = title
        self.teacher_ids = members

    async def register_teacher(self, slot: str, school_id: str, email: str) -> str:
        # Each person applies with their own account: one subject, one profile (R-REG-7).
        applicant = self.tokens.header(subject=f"eu-login:{email}", role="applicant")
        name, _, language = TEACHERS[slot[:2]]
        teacher = await self._call(
            "registration", "POST", "/teachers", applicant,
            {"name": name, "email": email, "role": "teacher", "language": language,
             "school_id": school_id, "subjects": ["computer science"]},
            201,
        )  # fmt: skip
        country = SLOTS[slot]["country"]
        nso = self.tokens.header(subject=f"nso:{country}", role="nso", country=country)
        await self._call(
            "registration", "POST", f"/teachers/{teacher['id']}/validation", nso, None, 200
        )
        return str(teacher["id"])

    async def register_school(self, slot: str) -> str:
        applicant = self.tokens.header(subject="eu-login:bench", role="applicant")
        return await self._school(applicant, SLOTS[slot])

    async def found(self) -> None:
        """Proposed, accepted by the co-founder, approved by both NSOs, joined by two."""
        founder = self._teacher("ES")
        proposal = {
            "cofounder_id": self.teacher_ids["PT"],
            "title": self.title,
            "description": "A benchmark project: four schools, three countries.",
        }
        project = await self._eventually(
            "projects knows the teachers",
            lambda: self._call("projects", "POST", "/projects", founder, proposal, 201),
        )
        self.project_id = project["id"]
        answer = {"accept": True}
        await self._call(
            "projects", "POST", self._path("cofounder-answer"), self._teacher("PT"), answer, 200
        )
        for country in ("ES", "PT"):
            nso = self.tokens.header(subject=f"nso:{country}", role="nso", country=country)
            await self._call(
                "projects", "POST", self._path("nso-decision"), nso, {"approve": True}, 200
            )
        for slot in ("TR", "ES2"):
            invitation = {"teacher_id": self.teacher_ids[slot]}
            await self._call(
                "projects", "POST", self._path("invitations"), founder, invitation, 200
            )
            await self._call(
                "projects", "POST", self._path("membership"), self._teacher(slot),
                {"pupil_count": 20}, 200,
            )  # fmt: skip

    async def complete(self) -> None:
        await self._call(
            "projects", "POST", self._path("completion"), self._teacher("ES"), None, 200
        )

    def bare(self) -> BareProject:
        return BareProject(self.project_id, self.title, dict(self.teacher_ids))


async def set_up(
    clients: dict[str, httpx.AsyncClient], tokens: Tokens, count: int, per_slot: int,
    concurrency: int, tag: str,
) -> list[BenchProject]:  # fmt: skip
    helper = BenchProject(clients, tokens, "", {})
    schools = {slot: await helper.register_school(slot) for slot in SLOTS}
    teachers: dict[str, list[str]] = {}
    for slot, school_id in schools.items():
        emails = [f"bench.{tag}.{slot.lower()}.{k}@example.org" for k in range(per_slot)]
        teachers[slot] = await bounded(
            concurrency, (helper.register_teacher(slot, school_id, email) for email in emails)
        )
    projects = [
        BenchProject(
            clients,
            tokens,
            f"BENCH-{tag}-{n:05d}",
            {slot: ids[n % per_slot] for slot, ids in teachers.items()},
        )
        for n in range(count)
    ]
    started = time.perf_counter()
    await bounded(concurrency, (project.found() for project in projects))
    progress(f"set up {count} projects in {time.perf_counter() - started:.0f}s")
    return projects


def round_trips(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], completions: int
) -> dict[str, Any]:
    """Per hop: database commands ÷ events consumed (projects: ÷ completion requests)."""
    hops: dict[str, Any] = {}
    for name in ("projects", "awards", "notifications"):
        commands = commands_by_name(delta(before[name], after[name], "etwinning_db_commands_total"))
        events = consumed(delta(before[name], after[name], "etwinning_messages_consumed_total"))
        per = completions if name == "projects" else events
        hops[name] = {
            "consumed": per,
            "round_trips_per_event": round(sum(commands.values()) / max(per, 1), 2),
            "commands_per_completion": {
                k: round(v / max(completions, 1), 2) for k, v in commands.items()
            },
        }
    return hops


async def measure_platform(
    args: argparse.Namespace, services: list[ServiceProcess], amqp_url: str, sink: TimedSink,
    secret: str,
    others: dict[str, int],
) -> tuple[dict[str, Any], list[BenchProject]]:  # fmt: skip
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    clients = {
        s.name: httpx.AsyncClient(base_url=s.url, timeout=120.0, limits=limits) for s in services
    }
    urls = [s.url for s in services]
    tag = uuid.uuid4().hex[:6]
    pattern = re.compile(rf"BENCH-{tag}-\d{{5}}")
    try:
        projects = await set_up(
            clients, Tokens(secret, "etwinning-platform"), args.completions + args.paced,
            args.teachers_per_slot, args.concurrency, tag,
        )  # fmt: skip
        await wait_quiet(amqp_url, clients["projects"], urls, within_seconds=1800)
        progress("setup done, queues and outboxes empty: completions start")
        http = clients["projects"]
        before = {s.name: await scrape(http, s.url) for s in services}
        meter = CpuMeter({**{s.name: s.process.pid for s in services}, **others}).start()
        sustained = await time_completions(
            [(p.title, p.complete) for p in projects[: args.completions]], sink, pattern,
            concurrency=args.concurrency, within_seconds=args.timeout,
        )  # fmt: skip
        cpu = meter.per_item(args.completions)
        after = {s.name: await scrape(http, s.url) for s in services}
        progress(f"sustained: {json.dumps(sustained)}")
        paced: dict[str, Any] = {}
        if args.paced:
            await wait_quiet(amqp_url, http, urls, within_seconds=600)
            rate = sustained["completions_per_second"] / 2
            paced = await time_completions(
                [(p.title, p.complete) for p in projects[args.completions :]], sink, pattern,
                rate=rate, within_seconds=args.timeout,
            )  # fmt: skip
            paced["rate_requested"] = round(rate, 2)
            progress(f"paced: {json.dumps(paced)}")
        result = {
            "sustained": sustained,
            "paced_at_half_rate": paced,
            "db_round_trips": round_trips(before, after, args.completions),
            "cpu_seconds_per_completion": cpu,
            "peak_rss_mb": {s.name: peak_rss_mb(s.process.pid) for s in services},
        }
        return result, projects[: args.completions]
    finally:
        for client in clients.values():
            await client.aclose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    logs = BENCH_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    await check_rabbitmq(args.amqp)
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    started = time.perf_counter()
    async with rabbitmq_vhost(args.amqp) as amqp_url:
        secantus, mongodb_url = start_secantus(BENCH_DIR / "secantus-data", logs)
        sink = TimedSink(args.smtp_port).start()
        services: list[ServiceProcess] = []
        try:
            env = platform_env(amqp_url, mongodb_url, sink.url, secret)
            env["LOG_LEVEL"] = args.log_level
            if args.mail_poll_seconds is not None:
                env["MAIL_POLL_SECONDS"] = str(args.mail_poll_seconds)
            services = start_services(env, logs, port_offset=args.port_offset)
            await wait_ready(services, within_seconds=120)
            others = {"secantusdb": secantus.pid, "bench": os.getpid()}
            if (broker := rabbitmq_pid()) is not None:
                others["rabbitmq"] = broker
            platform, projects = await measure_platform(
                args, services, amqp_url, sink, secret, others
            )
            stop_all(services, [])
            bare: dict[str, Any] = {}
            if not args.skip_bare:
                bare = await run_bare(
                    [project.bare() for project in projects], amqp_url, mongodb_url, sink,
                    args.concurrency, args.timeout, logs, others,
                )  # fmt: skip
        finally:
            stop_all(services, [secantus])
            sink.stop()
    platform_rate = platform["sustained"]["completions_per_second"]
    bare_rate = bare.get("sustained", {}).get("completions_per_second")
    return {
        "bench": "pipeline",
        "completions": args.completions,
        "paced_completions": args.paced,
        "platform": platform,
        "bare": bare,
        "ratio": round(platform_rate / bare_rate, 3) if bare_rate else None,
        "targets": {
            "ratio_min": 0.8,
            "paced_p99_ms_max": 1000,
            "peak_rss_mb_max": 150,
            "round_trips_per_event_max": 4,
        },
        "database": "SecantusDB (retryWrites=false)",
        "mail_poll_seconds": args.mail_poll_seconds or 1.0,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--completions", type=int, default=2000)
    parser.add_argument(
        "--paced", type=int, default=None, help="completions at half rate (default N/4)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP requests in flight")
    parser.add_argument("--teachers-per-slot", type=int, default=25)
    parser.add_argument("--amqp", default=os.environ.get("AMQP_URL", DEFAULT_AMQP_URL))
    parser.add_argument("--port-offset", type=int, default=10000, help="services on 18001-18004")
    parser.add_argument("--smtp-port", type=int, default=11025)
    parser.add_argument("--log-level", default="INFO", help="of the services (production: INFO)")
    parser.add_argument(
        "--mail-poll-seconds", type=float, default=None,
        help="the notifications mail dispatcher's poll interval (default: the service's, 1 s)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=1800, help="per phase, seconds")
    parser.add_argument("--skip-bare", action="store_true")
    args = parser.parse_args()
    if args.paced is None:
        args.paced = args.completions // 4
    # Everything the runner says goes to stderr: stdout carries the one line of JSON.
    with contextlib.redirect_stdout(sys.stderr):
        result = asyncio.run(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
