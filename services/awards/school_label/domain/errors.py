"""The eTwinning School Label's refusals, one code each (docs/errors.md is generated)."""

from __future__ import annotations

from shared.errors import error_code

SCHOOL_NOT_ELIGIBLE = error_code(
    "school_not_eligible", 409, "School not eligible",
    "The school is not among the round's eligible schools.", rule="R-SCH-1",
)  # fmt: skip
NOT_A_TEACHER_OF_THE_SCHOOL = error_code(
    "not_a_teacher_of_the_school", 403, "Not a teacher of the school",
    "Only a teacher of the eligible school applies for it.", rule="R-SCH-2",
)  # fmt: skip
TEACHER_STATUS_NOT_ALLOWED = error_code(
    "teacher_status_not_allowed", 403, "Teacher may not apply",
    "A teacher in this status (`teacher_status`) may not apply for the school.",
    rule="R-SCH-2",
)  # fmt: skip
DECLARATION_MISSING = error_code(
    "declaration_missing", 422, "Head's declaration missing",
    "The application carries the head's declaration of honour.", rule="R-SCH-2",
)  # fmt: skip
APPLICATIONS_NOT_OPEN = error_code(
    "school_label_applications_not_open", 409, "Applications not open",
    "The round takes applications from `applications_open` to `applications_close` "
    "(inclusive UTC days); applying, or confirming, outside that window is refused.",
    rule="R-SCH-2",
)  # fmt: skip
HEAD_EMAIL_UNKNOWN = error_code(
    "school_head_email_unknown", 409, "Head's e-mail unknown",
    "The head confirms the declaration of honour through a link sent to the school head's "
    "e-mail, and the school's record has none: the school's data must be completed first.",
    rule="R-SCH-2",
)  # fmt: skip
HEAD_NOT_CONFIRMED = error_code(
    "head_not_confirmed", 409, "Head has not confirmed",
    "The school head has not confirmed the declaration of honour yet: the application is not "
    "submitted to the NSO.", rule="R-SCH-2",
)  # fmt: skip
UNKNOWN_HEAD_CONFIRMATION = error_code(
    "unknown_head_confirmation", 404, "No such confirmation link",
    "No School Label application waits for a head's confirmation with this link.",
)  # fmt: skip
SCHOOL_ALREADY_APPLIED = error_code(
    "school_already_applied", 409, "School already applied",
    "The school already applied in this round (`application_id`).", rule="R-SCH-2",
)  # fmt: skip
NOT_THE_SCHOOLS_NSO = error_code(
    "not_the_schools_nso", 403, "Another country's school",
    "Only the NSO of the school's country decides on its application.", rule="R-SCH-2",
)  # fmt: skip
ALREADY_DECIDED = error_code(
    "school_label_already_decided", 409, "Already decided",
    "The application has been decided (`application_status`).", rule="R-SCH-2",
)  # fmt: skip
UNKNOWN_SCHOOL_LABEL_ROUND = error_code(
    "unknown_school_label_round", 404, "No such round",
    "The School Label policy has no round for this year.",
)  # fmt: skip
UNKNOWN_SCHOOL_LABEL_APPLICATION = error_code(
    "unknown_school_label_application", 404, "No such application",
    "No School Label application has this id.",
)  # fmt: skip
NOT_YOUR_SCHOOL_APPLICATION = error_code(
    "not_your_school_application", 403, "Another school's application",
    "A teacher reads the applications of their own school only; an NSO those of its country.",
    rule="R-SCH-2",
)  # fmt: skip
