"""Maps (event_type, event_version) to the payload model that reads it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from shared.envelope import EventEnvelope
from shared.errors import MalformedMessage, UnknownEvent
from shared.events.base import EventPayload


class EventRegistry:
    def __init__(self, models: Iterable[type[EventPayload]] = ()) -> None:
        self._models: dict[tuple[str, int], type[EventPayload]] = {}
        for model in models:
            self.register(model)

    def register(self, model: type[EventPayload]) -> None:
        key = (model.event_type, model.event_version)
        if key in self._models:
            raise ValueError(f"{key} is registered twice")
        self._models[key] = model

    def resolve(self, event_type: str, event_version: int) -> type[EventPayload]:
        model = self._models.get((event_type, event_version))
        if model is not None:
            return model
        known = sorted(v for (t, v) in self._models if t == event_type)
        if known:
            raise UnknownEvent(
                f"{event_type} has no version {event_version} (known: {known})",
                reason="unsupported_event_version",
            )
        raise UnknownEvent(f"unknown event type {event_type!r}", reason="unknown_event_type")

    def payload_of(self, envelope: EventEnvelope) -> EventPayload:
        model = self.resolve(envelope.event_type, envelope.event_version)
        try:
            return model.model_validate(envelope.payload)
        except ValidationError as error:
            raise MalformedMessage(
                f"payload does not match {envelope.event_type} v{envelope.event_version}: "
                f"{error.errors(include_url=False)}",
                reason="schema_violation",
            ) from error

    def event_types(self) -> set[str]:
        return {event_type for event_type, _ in self._models}

    def __iter__(self) -> Iterator[type[EventPayload]]:
        return iter(self._models.values())

    def __contains__(self, key: object) -> bool:
        return key in self._models
