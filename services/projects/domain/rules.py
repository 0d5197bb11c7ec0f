"""The projects service's refusals, one code each (the `code` of an HTTP problem and the
dead-letter reason of a refused event), with the rule they enforce (R-PRJ-*, R-REG-4).
docs/errors.md is generated from these."""

from __future__ import annotations

from shared.errors import error_code

PROJECT_AGE_RANGE_EMPTY = error_code(
    "project_age_range_empty", 422, "Empty age range",
    "The project's pupils' youngest age is above their oldest.", rule="R-PRJ-3",
)  # fmt: skip
COFOUNDER_IS_FOUNDER = error_code(
    "cofounder_is_founder", 422, "Co-founder is the founder",
    "A project has two founders: the co-founder must be another teacher.", rule="R-PRJ-1",
)  # fmt: skip
SAME_SCHOOL_FOUNDERS = error_code(
    "same_school_founders", 422, "Founders in one school",
    "The two founders must work in different schools.", rule="R-PRJ-1",
)  # fmt: skip
NOT_THE_COFOUNDER = error_code(
    "not_the_cofounder", 403, "Not the co-founder",
    "Only the co-founder accepts or declines a proposed project.", rule="R-PRJ-3",
)  # fmt: skip
PROJECT_NOT_PENDING_PARTNER = error_code(
    "project_not_pending_partner", 409, "Not waiting for the co-founder",
    "The project is no longer waiting for its co-founder's answer.", rule="R-PRJ-3",
)  # fmt: skip
PROJECT_NOT_PENDING_NSO = error_code(
    "project_not_pending_nso", 409, "Not waiting for the NSOs",
    "The project is not (or no longer) waiting for its NSOs' decision.", rule="R-PRJ-3",
)  # fmt: skip
PROJECT_NOT_PENDING = error_code(
    "project_not_pending", 409, "Project no longer pending",
    "Only a pending project is edited or withdrawn.", rule="R-PRJ-3",
)  # fmt: skip
PROJECT_NOT_ACTIVE = error_code(
    "project_not_active", 409, "Project not active",
    "The project is not ACTIVE: partners join, pupils are counted and it is completed only "
    "while it is.", rule="R-PRJ-3",
)  # fmt: skip
PROJECT_NOT_COMPLETED = error_code(
    "project_not_completed", 409, "Project not completed",
    "Only a completed project is archived.", rule="R-PRJ-6",
)  # fmt: skip
PROJECT_ARCHIVED = error_code(
    "project_archived", 409, "Project archived", "An archived project is read-only.",
    rule="R-PRJ-6",
)  # fmt: skip
NSO_NOT_CONCERNED = error_code(
    "nso_not_concerned", 403, "Not this project's NSO",
    "Only the NSOs of the founders' countries decide on a project.", rule="R-PRJ-3",
)  # fmt: skip
NSO_ALREADY_DECIDED = error_code(
    "nso_already_decided", 409, "NSO already decided",
    "This NSO has already decided on the project.", rule="R-PRJ-3",
)  # fmt: skip
NSO_REJECTION_DISABLED = error_code(
    "nso_rejection_disabled", 409, "NSOs approve only",
    "This platform is configured so that an NSO approves projects and does not reject them "
    "(NSO_MAY_REJECT_PROJECTS=false; R-PRJ-3's NSO rejection is an [ASSUMPTION]).",
    rule="R-PRJ-3",
)  # fmt: skip
REASON_REQUIRED = error_code(
    "reason_required", 422, "Reason required", "An NSO rejection states its reason.",
    rule="R-PRJ-3",
)  # fmt: skip
NOT_AN_ADMINISTRATOR = error_code(
    "not_an_administrator", 403, "Not an administrator",
    "Only founders and administrators invite partners.", rule="R-PRJ-4",
)  # fmt: skip
ALREADY_MEMBER_OR_INVITED = error_code(
    "already_member_or_invited", 409, "Already a member or invited",
    "The teacher is already a member of the project or invited to it.", rule="R-PRJ-4",
)  # fmt: skip
ALREADY_ADMINISTRATOR = error_code(
    "already_administrator", 409, "Already an administrator",
    "The member is already an administrator.", rule="R-PRJ-4",
)  # fmt: skip
FOUNDER_CANNOT_LEAVE = error_code(
    "founder_cannot_leave", 403, "Founders stay", "A project keeps its two founders.",
    rule="R-PRJ-1",
)  # fmt: skip
NOT_A_MEMBER = error_code(
    "not_a_member", 403, "Not a member", "The teacher is not a member of the project.",
    rule="R-PRJ-4",
)  # fmt: skip
NOT_INVITED = error_code(
    "not_invited", 403, "Not invited", "Only invited teachers answer an invitation.",
    rule="R-PRJ-4",
)  # fmt: skip
NOT_A_FOUNDER = error_code(
    "not_a_founder", 403, "Not a founder",
    "Only the founders edit, withdraw, complete or archive a project and appoint "
    "administrators.", rule="R-PRJ-3",
)  # fmt: skip
USER_NOT_VALIDATED = error_code(
    "user_not_validated", 403, "Teacher not validated",
    "The acting teacher is not VALIDATED by their NSO and cannot found, accept or join a "
    "project.", rule="R-REG-4",
)  # fmt: skip
PARTNER_NOT_VALIDATED = error_code(
    "partner_not_validated", 422, "Named teacher not validated",
    "The teacher named as co-founder or invitee is not VALIDATED by their NSO.",
    rule="R-REG-4",
)  # fmt: skip
UNKNOWN_PROJECT = error_code(
    "unknown_project", 404, "No such project", "No project has this id."
)  # fmt: skip
