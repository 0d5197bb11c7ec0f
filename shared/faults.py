"""Test-only fault injection: lets the fault-injection suite (tests/faults) crash or stall a
service process at an exact point of the message path. Inert unless ETWINNING_FAULT_POINT is
set, which nothing but those tests does; never set it in production.

- ETWINNING_FAULT_POINT = `<point>` or `<point>@<event_id>` (only that event; at a job point,
  the job id), where point is one of FAULT_POINTS;
- ETWINNING_FAULT_SKIP = `<n>`: pass the point n times untouched, act at the next (a job's
  third checkpoint, say);
- ETWINNING_FAULT_ACTION = `kill` (default: the process SIGKILLs itself, no cleanup, no ack)
  or `sleep:<seconds>` (a handler that takes that long).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from shared.logging import get_logger

log = get_logger(__name__)

FAULT_POINTS = frozenset(
    {
        "consumer.received",  # a message decoded, nothing done yet
        "consumer.before_commit",  # the handler ran, its transaction is still open
        "consumer.after_commit",  # the effect is committed, the message not yet acked
        "relay.before_publish",  # the event is committed in the outbox, not yet published
        "relay.after_publish",  # the broker confirmed the event, the outbox still says pending
        "job.before_checkpoint_commit",  # a job's step wrote its effects, not yet committed
        "job.after_checkpoint",  # a job's step and its checkpoint are committed
    }
)

_passed = 0  # times the armed point was reached and let pass (ETWINNING_FAULT_SKIP)


async def fault_point(point: str, event_id: str) -> None:
    armed = os.environ.get("ETWINNING_FAULT_POINT")
    if not armed:
        return
    armed_point, _, armed_event = armed.partition("@")
    if armed_point != point or (armed_event and armed_event != event_id):
        return
    global _passed
    if _passed < int(os.environ.get("ETWINNING_FAULT_SKIP", "0")):
        _passed += 1
        return
    action = os.environ.get("ETWINNING_FAULT_ACTION", "kill")
    log.warning("fault.point_reached", point=point, event_id=event_id, action=action)
    if action.startswith("sleep:"):
        await asyncio.sleep(float(action.removeprefix("sleep:")))
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
