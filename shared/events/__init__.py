"""The public event catalog, v1: every payload class defined in the producer modules below.

Each producer owns one module; adding an event is adding a class there.
"""

from __future__ import annotations

import inspect
from types import ModuleType

from shared.events import awards, intake, notifications, projects, registration
from shared.events.base import EventPayload
from shared.events.registry import EventRegistry

PRODUCER_MODULES: tuple[ModuleType, ...] = (registration, intake, projects, awards, notifications)


def payloads_defined_in(module: ModuleType) -> list[type[EventPayload]]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, EventPayload)
        and cls.__module__ == module.__name__
        and "event_type" in vars(cls)
    ]


CATALOG = EventRegistry(cls for module in PRODUCER_MODULES for cls in payloads_defined_in(module))

__all__ = ["CATALOG", "EventPayload", "EventRegistry"]
