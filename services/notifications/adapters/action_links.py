"""Reads action_links.toml (the path of each notice's action on the portal)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from services.notifications.domain.links import ActionLinks

DEFAULT_ACTION_LINKS = Path(__file__).resolve().parent.parent / "action_links.toml"


def load_action_links(base_url: str, path: Path | None = None) -> ActionLinks:
    data = tomllib.loads((path or DEFAULT_ACTION_LINKS).read_text(encoding="utf-8"))
    return ActionLinks(base_url, dict(data.get("paths", {})))
