"""Reads the NQL policy file (TOML or JSON) into the domain's NqlPolicy."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from services.awards.nql.domain.policy import NqlPolicy


def load_policy(path: Path) -> NqlPolicy:
    """Fails at start-up on a malformed or inconsistent file, never at the first decision."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return NqlPolicy.from_document(document)
