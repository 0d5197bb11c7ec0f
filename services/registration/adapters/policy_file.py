"""Reads registration_policy.toml into the domain's RegistrationPolicy; a broken file stops
the service at start-up, not at the first registration."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from services.registration.domain.policy import RegistrationPolicy, VerificationMethod

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "registration_policy.toml"


def load_registration_policy(path: Path | None = None) -> RegistrationPolicy:
    data = tomllib.loads((path or DEFAULT_POLICY_FILE).read_text(encoding="utf-8"))
    verification = data.get("verification", {})
    methods = {
        method_id: VerificationMethod(
            method_id, entry["description"], bool(entry.get("asks_head", False))
        )
        for method_id, entry in verification.get("methods", {}).items()
    }
    days = data.get("deactivated", {}).get("email_released_after_days")
    return RegistrationPolicy(
        default_method=verification.get("default", "nso_review"),
        methods=methods,
        by_country=dict(verification.get("countries", {})),
        rejected_may_reapply=bool(data.get("rejected", {}).get("may_reapply", True)),
        deactivated_email_released_after=(
            None if days is None or days < 0 else timedelta(days=days)
        ),
    )
