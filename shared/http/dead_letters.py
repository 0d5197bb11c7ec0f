"""`GET /dead-letters` and `POST /dead-letters/redrive`: an operator reads this service's
dead-lettered messages (reason, headers, body) and sends chosen ones back to its queue.

The same reading and redriving as `etwinning dlq` (shared.messaging.dead_letters): peeking
leaves every message in the DLQ; a redrive publishes the message unchanged to this service's
own queue, waits for the broker's confirm, then removes it. The service's inbox makes a
repeated redrive harmless. The portal's operator page asks for confirmation before calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shared.http.access import SHARED, Grant
from shared.http.problems import UNAVAILABLE
from shared.logging import get_logger
from shared.messaging.dead_letters import DeadLetter, peek, redrive

log = get_logger(__name__)
dead_letters_router = APIRouter(prefix="/dead-letters", tags=["operations"])
MAX_LISTED = 200
MAX_REDRIVEN = 100


class DeadLetterView(BaseModel):
    message_id: str | None
    event_type: str | None
    reason: str
    detail: str
    original_routing_key: str | None
    failed_at: str | None
    attempts: int | None
    headers: dict[str, str]
    body: str = Field(description="The message body as text (UTF-8, undecodable bytes replaced)")

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterView:
        return cls(
            message_id=letter.message_id,
            event_type=letter.event_type,
            reason=letter.reason,
            detail=letter.detail,
            original_routing_key=letter.original_routing_key,
            failed_at=letter.failed_at,
            attempts=letter.attempts,
            headers=letter.headers,
            body=letter.body.decode("utf-8", errors="replace"),
        )


class DeadLetters(BaseModel):
    service: str
    items: list[DeadLetterView]


class RedriveRequest(BaseModel):
    message_ids: list[str] = Field(min_length=1, max_length=MAX_REDRIVEN)


class Redriven(BaseModel):
    service: str
    asked: int
    redriven: int = Field(description="How many were found in the DLQ and sent back")


@dead_letters_router.get("")
async def list_dead_letters(
    request: Request,
    grant: Annotated[Grant, SHARED.grant("dead_letters.list")],
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
) -> DeadLetters:
    settings = request.app.state.settings
    try:
        letters = await peek(settings.amqp_url, settings.service_name, limit)
    except Exception as error:  # the broker away, or the DLQ not declared yet
        log.warning("dead_letters.unreadable", error=repr(error))
        raise UNAVAILABLE("the broker does not answer; try again") from error
    return DeadLetters(service=settings.service_name, items=[DeadLetterView.of(x) for x in letters])


@dead_letters_router.post("/redrive")
async def redrive_dead_letters(
    request: Request,
    body: RedriveRequest,
    grant: Annotated[Grant, SHARED.grant("dead_letters.redrive")],
) -> Redriven:
    settings = request.app.state.settings
    wanted = frozenset(body.message_ids)
    try:
        moved = await redrive(settings.amqp_url, settings.service_name, message_ids=wanted)
    except Exception as error:
        log.warning("dead_letters.redrive_failed", error=repr(error))
        raise UNAVAILABLE("the broker does not answer; try again") from error
    assert grant.principal is not None
    log.info("dead_letters.redriven", by=grant.principal.subject, asked=len(wanted), redriven=moved)
    return Redriven(service=settings.service_name, asked=len(wanted), redriven=moved)
