"""The use cases' context (policy and clock) as a route dependency: the composition root sets
it on the app, so routes and the intake consumer share one policy and one clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.registration.service_layer.handlers import Context

CONTEXT_STATE = "registration_context"


def context_of(request: Request) -> Context:
    context: Context = getattr(request.app.state, CONTEXT_STATE)
    return context


Ctx = Annotated[Context, Depends(context_of)]
