"""Loads the rule book from a JSON file: rules.json beside the service, or another one named
by NOTIFICATION_RULES_PATH (a deployment may route notifications differently)."""

from __future__ import annotations

import json
from pathlib import Path

from services.notifications.domain.rules import RuleBook

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules.json"


def load_rules(path: Path | None = None) -> RuleBook:
    return RuleBook.from_data(json.loads((path or DEFAULT_RULES).read_text(encoding="utf-8")))
