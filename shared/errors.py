"""Error kinds that decide what happens to a message or a request, and the registry of error
codes every refusal is named by.

A permanent error will fail the same way every time: the message goes to the dead-letter
queue at once and an HTTP request gets a 4xx. A transient error may pass on a later try.

Every refusal a client can meet has its own `ErrorCode` (code, HTTP status, title, rule,
meaning), declared once with `error_code(...)` next to the domain that refuses; the HTTP
answer is an RFC 9457 problem built from it, the dead-letter reason is its code, and
`docs/errors.md` is generated from the registry (`python -m tools.error_catalog`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

PROBLEM_TYPE_PREFIX = "urn:etwinning:problem:"


@dataclass(frozen=True)
class ErrorCode:
    """One distinct refusal, what a client matches on. `code` never changes once published."""

    code: str
    status: int
    title: str
    meaning: str
    rule: str | None = None

    @property
    def type_uri(self) -> str:
        return problem_type(self.code)

    def __call__(self, detail: str, **figures: Any) -> Refused:
        """The refusal of this kind: `raise QUOTA_EXCEEDED("...", quota=3, used=3)`."""
        return Refused(self, detail, **figures)


ERROR_CODES: dict[str, ErrorCode] = {}
DECLARED_IN: dict[str, str] = {}  # code -> the module that declared it (for the catalog)


def error_code(
    code: str, status: int, title: str, meaning: str, *, rule: str | None = None
) -> ErrorCode:
    """Declare (register) an error code; declaring the same code twice differently is a bug."""
    kind = ErrorCode(code, status, title, meaning, rule)
    known = ERROR_CODES.setdefault(code, kind)
    if known != kind:
        raise ValueError(f"error code {code!r} declared twice: {known} and {kind}")
    # a code two services declare alike (unknown_project) is listed under one of them, the
    # same whatever order they were imported in
    module = sys._getframe(1).f_globals.get("__name__", "?")
    DECLARED_IN[code] = max(DECLARED_IN.get(code, module), module)
    return kind


def problem_type(code: str) -> str:
    """The problem's `type`: a stable URI per code (docs/errors.md lists them)."""
    return f"{PROBLEM_TYPE_PREFIX}{code}"


# Refusals every service can give (the HTTP layer's own are in shared/http/problems.py).
WRONG_NSO = error_code(
    "wrong_nso", 403, "Another country's NSO",
    "An NSO decides on, and reads, the teachers and records of its own country only.",
    rule="R-REG-3",
)  # fmt: skip
INVALID_CURSOR = error_code(
    "invalid_cursor", 400, "Unknown cursor", "The page cursor is not one this API gave."
)  # fmt: skip


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


class Refused(PermanentError):
    """A registered refusal: a broken rule, an unknown resource, a forbidden action. `figures`
    are the numbers (or names) a client needs to understand it: quota, used, average..."""

    def __init__(self, kind: ErrorCode, detail: str, **figures: Any) -> None:
        prefix = f"{kind.rule}: " if kind.rule else ""
        super().__init__(f"{prefix}{detail}", reason=kind.code)
        self.kind = kind
        self.detail = detail
        self.figures = figures

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def rule(self) -> str | None:
        return self.kind.rule

    @property
    def status_code(self) -> int:
        return self.kind.status


# Kept as the name of "a business rule refused the change" for code that catches it.
DomainRuleViolation = Refused


class NotFound(PermanentError):
    reason = "not_found"


class TransientError(Exception):
    """Something outside us is unavailable for now; a later try may succeed."""
