"""Refusals shared by the awards' labels (docs/errors.md is generated)."""

from __future__ import annotations

from shared.errors import error_code

UNKNOWN_CERTIFICATE = error_code(
    "unknown_certificate", 404, "No such certificate",
    "No certificate has this verification code.",
)  # fmt: skip
