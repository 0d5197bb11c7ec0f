"""Rule violations of the projects domain: a rule id (R-PRJ-*, R-REG-4) for people and a
stable code for machines, both in the 4xx body."""

from __future__ import annotations

from shared.errors import DomainRuleViolation

FORBIDDEN = 403
CONFLICT = 409
UNPROCESSABLE = 422


def violation(
    rule: str, code: str, message: str, status_code: int = CONFLICT
) -> DomainRuleViolation:
    error = DomainRuleViolation(rule, message, status_code=status_code)
    error.reason = code  # the body's error.code; the rule id goes in error.rule
    return error
