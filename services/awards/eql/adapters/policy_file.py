"""Reads the EQL policy file (TOML or JSON) into the domain's EqlPolicy."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from services.awards.eql.domain.policy import EqlPolicy


def load_eql_policy(path: Path) -> EqlPolicy:
    """Fails at start-up on a malformed or inconsistent file, never at the first round."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return EqlPolicy.model_validate(document)
