"""Base class of every event payload in the public catalog."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """A payload's `event_type` and `event_version` are explicit, stable strings: never the
    class name, so renaming a class never changes the wire contract."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    aggregate_field: ClassVar[str]

    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_field))
