"""Reads the School Label policy file (TOML or JSON) into the domain's SchoolLabelPolicy."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from services.awards.school_label.domain.policy import SchoolLabelPolicy


def load_school_label_policy(path: Path) -> SchoolLabelPolicy:
    """Fails at start-up on a malformed or inconsistent file, never during a run."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return SchoolLabelPolicy.from_document(document)
