"""A hung test fails alone, with the stacks of every asyncio task, instead of hanging the run.

A coroutine test that awaits something that never comes (a lost confirm, a pool that never
frees a connection) would otherwise stop the whole suite until CI's own limit. The watchdog
prints every task's stack to stderr (shown in the test's report) and cancels the test's task,
so its fixtures tear down and the session goes on.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator

import pytest

DEFAULT_LIMIT_SECONDS = 240.0
SLOW_LIMIT_SECONDS = 600.0


def limit_for(item: pytest.Item) -> float:
    marker = item.get_closest_marker("hang_limit")
    if marker is not None:
        return float(marker.args[0])
    slow = item.get_closest_marker("slow") or item.get_closest_marker("broker_restart")
    return SLOW_LIMIT_SECONDS if slow else DEFAULT_LIMIT_SECONDS


def task_stacks() -> str:
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()} {task.get_coro()!r}\n")
        task.print_stack(limit=30, file=out)
    return out.getvalue()


def _fire(test_name: str, limit: float) -> None:
    sys.stderr.write(f"\nwatchdog: {test_name} still running after {limit:.0f}s\n")
    sys.stderr.write(task_stacks())
    for task in asyncio.all_tasks():
        if getattr(task.get_coro(), "__name__", "") == test_name:
            task.cancel(f"watchdog: no progress within {limit:.0f}s")


@pytest.fixture
async def hang_watchdog(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    limit = limit_for(request.node)
    handle = asyncio.get_running_loop().call_later(limit, _fire, request.node.originalname, limit)
    yield
    handle.cancel()
