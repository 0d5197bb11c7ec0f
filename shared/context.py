"""The flow a piece of work belongs to: correlation and causation ids in contextvars.

HTTP middleware and the message consumer set them; the outbox reads them so that every event
a handler emits carries the correlation id of the flow and the id of the event that caused it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


def current_correlation_id() -> str:
    return _correlation_id.get() or str(uuid4())


def current_causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def flow(
    correlation_id: str, causation_id: str | None = None, **log_fields: object
) -> Iterator[None]:
    """Run a block as part of a flow; logs inside it carry the ids."""
    tokens = (_correlation_id.set(correlation_id), _causation_id.set(causation_id))
    with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, **log_fields):
        try:
            yield
        finally:
            _correlation_id.reset(tokens[0])
            _causation_id.reset(tokens[1])
