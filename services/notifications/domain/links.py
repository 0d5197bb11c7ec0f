"""Links in notices to where the reader acts: the portal's base URL and one path per
template (action_links.toml). Plain Python: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class ActionLinks:
    base_url: str
    paths: Mapping[str, str] = field(default_factory=dict)

    def fields_of(self, template: str) -> set[str]:
        """The payload fields the template's path needs."""
        path = self.paths.get(template, "")
        return {name for _, name, _, _ in Formatter().parse(path) if name}

    def url_for(self, template: str, payload: Mapping[str, Any]) -> str | None:
        """The portal page where the reader of `template` acts; None when it asks no act."""
        path = self.paths.get(template)
        if path is None:
            return None
        values = {
            name: quote(str(payload.get(name, "")), safe="") for name in self.fields_of(template)
        }
        return self.base_url.rstrip("/") + path.format(**values)
