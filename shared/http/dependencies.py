"""FastAPI dependencies shared by every service's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.clock import Clock
from shared.runtime import runtime_of
from shared.storage.unit_of_work import UnitOfWork


def unit_of_work(request: Request) -> UnitOfWork:
    return runtime_of(request).unit_of_work


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]


def service_clock(request: Request) -> Clock:
    """The clock the composition root gave the app (`app_state["clock"]`)."""
    clock: Clock = request.app.state.clock
    return clock


ServiceClock = Annotated[Clock, Depends(service_clock)]
