"""The fault hook is inert unless armed, and fires only at its point (and event)."""

from __future__ import annotations

import pytest

from shared.faults import fault_point


async def test_unarmed_points_do_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETWINNING_FAULT_POINT", raising=False)
    await fault_point("consumer.after_commit", "e-1")  # still alive


async def test_an_armed_point_fires_only_for_its_point_and_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sleep:0 instead of the default kill, so that firing is observable here
    monkeypatch.setenv("ETWINNING_FAULT_ACTION", "sleep:0")
    monkeypatch.setenv("ETWINNING_FAULT_POINT", "consumer.after_commit@e-1")
    fired: list[str] = []
    monkeypatch.setattr(
        "shared.faults.log.warning", lambda event, **fields: fired.append(fields["event_id"])
    )

    await fault_point("consumer.before_commit", "e-1")
    await fault_point("consumer.after_commit", "e-2")
    await fault_point("consumer.after_commit", "e-1")

    assert fired == ["e-1"]
