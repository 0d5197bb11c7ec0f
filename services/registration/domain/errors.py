"""The registration service's refusals, one code each: the `code` of an HTTP problem and the
`x-dead-letter-reason` of a refused intake event (docs/errors.md is generated from these)."""

from __future__ import annotations

from shared.errors import WRONG_NSO, Refused, error_code

__all__ = ["WRONG_NSO"]  # declared once for every service (shared/http/access.py uses it)

RegistrationRefused = Refused  # what tests and callers catch

UNKNOWN_COUNTRY = error_code(
    "unknown_country", 422, "Country not participating",
    "The country is not one of eTwinning's participating countries.", rule="R-REG-6",
)  # fmt: skip
TRANSITION_NOT_ALLOWED = error_code(
    "transition_not_allowed", 409, "Not allowed in this status",
    "The teacher's status does not allow this step (e.g. validating a rejected teacher).",
    rule="R-REG-2",
)  # fmt: skip
INVALID_EMAIL = error_code(
    "invalid_email", 422, "Not an e-mail address",
    "The e-mail address is not valid; it identifies the one profile of a person.",
    rule="R-REG-7",
)  # fmt: skip
DUPLICATE_EMAIL = error_code(
    "duplicate_email", 409, "E-mail already registered",
    "A profile with this e-mail exists: one profile per person.", rule="R-REG-7",
)  # fmt: skip
SUBJECT_ALREADY_REGISTERED = error_code(
    "subject_already_registered", 409, "Account already has a profile",
    "This sign-in account already has a teacher profile: one profile per person.",
    rule="R-REG-7",
)  # fmt: skip
PUPIL_ROLE = error_code(
    "pupil_role", 422, "Pupils hold no accounts", "Pupils never hold accounts.", rule="R-REG-1"
)  # fmt: skip
NOT_SCHOOL_STAFF = error_code(
    "not_school_staff", 422, "Not school staff",
    "Only school staff (teacher, head_teacher, librarian, other_staff) register.",
    rule="R-REG-1",
)  # fmt: skip
INVALID_AGE_RANGE = error_code(
    "invalid_age_range", 422, "Empty age range",
    "The pupils' youngest age is above their oldest.",
)  # fmt: skip
SAME_SCHOOL = error_code(
    "same_school", 409, "Already at this school",
    "A change of school names the school the teacher already works at.", rule="R-REG-5",
)  # fmt: skip
NOT_YOUR_PROFILE = error_code(
    "not_your_profile", 403, "Another teacher's profile",
    "A teacher reads and changes only their own profile.",
)  # fmt: skip
UNKNOWN_SCHOOL = error_code(
    "unknown_school", 404, "No such school",
    "No school is registered with this id (or identity); register the school first.",
)  # fmt: skip
UNKNOWN_TEACHER = error_code(
    "unknown_teacher", 404, "No such teacher", "No teacher is registered with this id."
)  # fmt: skip
DUPLICATE_SCHOOL = error_code(
    "duplicate_school", 409, "School already registered",
    "A school with this name, town and country exists; `existing_id` names it.",
)  # fmt: skip
SEARCH_TOO_BROAD = error_code(
    "search_too_broad", 400, "Search too broad",
    "A partner search names a country, a subject, a language, an age range or a prefix of "
    "3 or more characters of the school's name or town; a school search 2 of the name.",
)  # fmt: skip


def unknown_country(country: str) -> Refused:
    return UNKNOWN_COUNTRY(f"{country} is not an eTwinning participating country")


def transition_not_allowed(action: str, status: str) -> Refused:
    return TRANSITION_NOT_ALLOWED(
        f"cannot {action} a teacher who is {status}", teacher_status=status
    )


REAPPLICATION_NOT_ALLOWED = error_code(
    "reapplication_not_allowed", 409, "Reapplication not allowed",
    "This platform's policy does not let a rejected teacher apply again "
    "(registration_policy.toml, `[rejected] may_reapply`).", rule="R-REG-2",
)  # fmt: skip
UNKNOWN_CONFIRMATION = error_code(
    "unknown_confirmation", 404, "No such confirmation link",
    "The school head's confirmation link is not (or no longer) valid.", rule="R-REG-3",
)  # fmt: skip
