"""`etwinning seed demo`: load the NETWORK story (tools/demo_story.py) into a running platform,
over the services' HTTP APIs, as `make demo` plays it.

Safe to run twice: when the story's Spanish teacher is already registered and validated at
IES Severo Ochoa, it reports what is there and creates nothing. `--tag` loads another copy
(teachers' e-mail addresses get `+<tag>`; schools are shared).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from tools.answers import describe
from tools.demo_story import OPERATOR_ACCOUNT, SCHOOLS, TEACHERS, Story, StoryLog, TokenSource

SERVICES = ("registration", "projects", "awards", "notifications")
DEFAULT_PORTS = {"registration": 8001, "projects": 8002, "awards": 8003, "notifications": 8004}
# Steps a complete story records: 3 validations, proposal, activation, join, completion,
# the applications, 3 e-mails.
STORY_STEPS = 11
Status = Literal["created", "already_loaded", "failed"]


@dataclass
class SeedOutcome:
    status: Status
    lines: list[str] = field(default_factory=list)
    log: StoryLog | None = None
    story: Story | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "failed" else 0


def base_urls(host: str, overrides: dict[str, str | None]) -> dict[str, str]:
    """Each service's base URL: the override if given, else http://<host>:<its port>."""
    return {
        service: (overrides.get(service) or f"http://{host}:{DEFAULT_PORTS[service]}").rstrip("/")
        for service in SERVICES
    }


async def existing_demo(clients: dict[str, httpx.AsyncClient], tokens: TokenSource) -> list[str]:
    """What an earlier run left, described; empty when the story is not loaded."""
    operator = tokens.header(subject=OPERATOR_ACCOUNT, role="operator")
    name = TEACHERS["ES"][0]
    response = await clients["registration"].get(
        "/partners",
        params={"country": "ES", "q": SCHOOLS["ES"]["name"], "page_size": 100},
        headers=operator,
    )
    response.raise_for_status()
    teachers = [
        item
        for item in response.json()["items"]
        if item["name"] == name and item["school_name"] == SCHOOLS["ES"]["name"]
    ]
    if not teachers:
        return []
    teacher = teachers[0]
    lines = [f"teacher {name} ({teacher['school_name']}) exists as {teacher['id']}"]
    response = await clients["projects"].get(
        f"/teachers/{teacher['id']}/projects", headers=operator
    )
    response.raise_for_status()
    for project in response.json()["items"]:
        if project["title"] == "NETWORK":
            lines.append(f"project NETWORK exists as {project['id']} ({project['status']})")
    return lines


async def seed_demo(
    clients: dict[str, httpx.AsyncClient],
    tokens: TokenSource,
    *,
    tag: str = "",
    wait_seconds: float = 60.0,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SeedOutcome:
    try:
        return await _seed_demo(clients, tokens, tag, wait_seconds, progress)
    except httpx.HTTPStatusError as error:
        hint = " (is JWT_SECRET the platform's?)" if error.response.status_code == 401 else ""
        answer = describe(error.response)
        return SeedOutcome("failed", [f"{error.request.url} answered {answer}{hint}"])
    except httpx.HTTPError as error:
        return SeedOutcome("failed", [f"the platform did not answer: {error!r}"])


async def _seed_demo(
    clients: dict[str, httpx.AsyncClient],
    tokens: TokenSource,
    tag: str,
    wait_seconds: float,
    progress: Callable[[int, int], None],
) -> SeedOutcome:
    if not tag:
        found = await existing_demo(clients, tokens)
        if found:
            return SeedOutcome(
                "already_loaded",
                [
                    "The demo story is already loaded; nothing created.",
                    *(f"  {line}" for line in found),
                    "  (use --tag NAME to load another copy)",
                ],
            )
    story = Story(clients, tokens, timeout=wait_seconds, run_tag=tag)
    playing = asyncio.create_task(story.play())
    while not playing.done():
        progress(len(story.log.steps), STORY_STEPS)
        await asyncio.wait({playing}, timeout=0.2)
    log = playing.result()
    progress(len(log.steps), STORY_STEPS)
    return SeedOutcome("created" if log.ok else "failed", _report(story, log), log, story)


def _report(story: Story, log: StoryLog) -> list[str]:
    lines = ["The NETWORK story:"]
    for step, ok, detail in log.steps:
        lines.append(f"  {'✓' if ok else '✗'} {step}{f'  — {detail}' if detail else ''}")
    if any("duplicate_email" in detail for _, _, detail in log.steps):
        lines.append(
            "  These teachers are already registered (by an incomplete run, or an earlier run "
            "with this tag): use another --tag NAME."
        )
    created: list[str] = []
    for country, school_id in story.school_ids.items():
        created.append(f"  school  {school_id}  {SCHOOLS[country]['name']}")
    for country, teacher_id in story.teacher_ids.items():
        created.append(f"  teacher {teacher_id}  {TEACHERS[country][0]}")
    if story.project_id:
        created.append(f"  project {story.project_id}  NETWORK")
    if created:
        lines += ["Created or used:", *created]
    return lines


async def run(
    urls: dict[str, str],
    tokens: TokenSource,
    *,
    tag: str = "",
    wait_seconds: float = 60.0,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SeedOutcome:
    clients = {name: httpx.AsyncClient(base_url=url, timeout=10.0) for name, url in urls.items()}
    try:
        return await seed_demo(
            clients, tokens, tag=tag, wait_seconds=wait_seconds, progress=progress
        )
    finally:
        for client in clients.values():
            await client.aclose()
