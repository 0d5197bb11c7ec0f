"""Error kinds that decide what happens to a message or a request.

A permanent error will fail the same way every time: the message goes to the dead-letter
queue at once and an HTTP request gets a 4xx. A transient error may pass on a later try.
"""

from __future__ import annotations


class PermanentError(Exception):
    """Retrying cannot help: bad input, an unknown event, a broken business rule."""

    reason = "permanent_error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class MalformedMessage(PermanentError):
    reason = "malformed_message"


class UnknownEvent(PermanentError):
    reason = "unknown_event"


class DomainRuleViolation(PermanentError):
    """A business rule refused the change; `rule` is the rule id (e.g. R-PRJ-1)."""

    reason = "domain_rule_violation"

    def __init__(self, rule: str, message: str, *, status_code: int = 409) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.detail = message
        self.status_code = status_code


class NotFound(PermanentError):
    reason = "not_found"


class TransientError(Exception):
    """Something outside us is unavailable for now; a later try may succeed."""
