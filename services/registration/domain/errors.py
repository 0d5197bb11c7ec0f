"""Broken registration rules with a machine-readable code (the `error.code` of an HTTP answer
and the `x-dead-letter-reason` of a refused intake event)."""

from __future__ import annotations

from shared.errors import DomainRuleViolation


class RegistrationRefused(DomainRuleViolation):
    def __init__(self, rule: str, code: str, message: str, *, status_code: int = 409) -> None:
        super().__init__(rule, message, status_code=status_code)
        self.reason = code


def unknown_country(country: str) -> RegistrationRefused:
    return RegistrationRefused(
        "R-REG-6", "unknown_country",
        f"{country} is not an eTwinning participating country", status_code=422,
    )  # fmt: skip


def transition_not_allowed(action: str, status: str) -> RegistrationRefused:
    return RegistrationRefused(
        "R-REG-2", "transition_not_allowed", f"cannot {action} a teacher who is {status}"
    )
