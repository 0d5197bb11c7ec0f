"""The registration policy as the domain reads it (loaded from registration_policy.toml by
adapters/policy_file.py): each country's verification method (R-REG-3), whether a rejected
teacher may apply again, and when a deactivated teacher's e-mail is free again (R-REG-7).
Plain Python: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NSO_REVIEW = "nso_review"
HEAD_EMAIL = "head_email"


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    description: str
    asks_head: bool = False


_DEFAULT_METHODS = {
    NSO_REVIEW: VerificationMethod(NSO_REVIEW, "The NSO checks the profile and the school itself."),
}


@dataclass(frozen=True)
class RegistrationPolicy:
    default_method: str = NSO_REVIEW
    methods: Mapping[str, VerificationMethod] = field(default_factory=lambda: _DEFAULT_METHODS)
    by_country: Mapping[str, str] = field(default_factory=dict)
    rejected_may_reapply: bool = True
    # None: a deactivated teacher's e-mail stays theirs for ever.
    deactivated_email_released_after: timedelta | None = timedelta(days=30)

    def __post_init__(self) -> None:
        for country, method in {"default": self.default_method, **self.by_country}.items():
            if method not in self.methods:
                raise ValueError(f"{country}: unknown verification method {method!r}")

    def verification_of(self, country: str) -> VerificationMethod:
        """R-REG-3: the method the country's NSO chose."""
        return self.methods[self.by_country.get(country, self.default_method)]

    def email_released(self, deactivated_at: datetime | None, now: datetime) -> bool:
        """R-REG-7 with R-REG-2: a deactivated profile keeps its e-mail for a while, then the
        person may register again with it."""
        after = self.deactivated_email_released_after
        return after is not None and deactivated_at is not None and deactivated_at + after <= now
