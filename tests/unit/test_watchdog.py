"""The hang watchdog cancels the hung test's task, and only that one, after dumping stacks."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.watchdog import _fire


async def stuck_test() -> None:
    await asyncio.Event().wait()


async def bystander() -> None:
    await asyncio.sleep(5)


async def test_the_watchdog_cancels_the_hung_test_and_prints_every_task(
    capsys: pytest.CaptureFixture[str],
) -> None:
    hung = asyncio.create_task(stuck_test())
    other = asyncio.create_task(bystander())
    await asyncio.sleep(0)

    _fire("stuck_test", 1.0)

    with pytest.raises(asyncio.CancelledError):
        await hung
    assert not other.cancelled() and not other.done()
    other.cancel()
    printed = capsys.readouterr().err
    assert "stuck_test still running after 1s" in printed
    assert "bystander" in printed
