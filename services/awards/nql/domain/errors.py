"""The National Quality Label's refusals, one code each (docs/errors.md is generated)."""

from __future__ import annotations

from shared.errors import error_code

PROJECT_NOT_COMPLETED = error_code(
    "nql_project_not_completed", 409, "Project not completed",
    "An NQL application opens when the project completes; this one has not.", rule="R-NQL-6",
)  # fmt: skip
# The same codes as the projects service's (declared identically: one meaning for clients).
UNKNOWN_PROJECT = error_code(
    "unknown_project", 404, "No such project", "No project has this id."
)  # fmt: skip
PROJECT_NOT_ACTIVE = error_code(
    "project_not_active", 409, "Project not active",
    "The project is not ACTIVE: partners join, pupils are counted and it is completed only "
    "while it is.", rule="R-PRJ-3",
)  # fmt: skip
NATIONAL_PROJECT_NOT_ELIGIBLE = error_code(
    "national_project_not_eligible", 409, "National project not eligible",
    "Only European projects (founders in two countries) apply for a National Quality Label.",
    rule="R-NQL-2",
)  # fmt: skip
NOT_A_PROJECT_MEMBER = error_code(
    "not_a_project_member", 403, "Not a member of the project",
    "An NQL is personal: a teacher applies only on a project they are a member of.",
    rule="R-NQL-1",
)  # fmt: skip
ELIGIBILITY_ANSWERED_NO = error_code(
    "eligibility_answered_no", 422, "Eligibility question answered no",
    "Every eligibility question must be answered yes; `answered_no` lists the others.",
    rule="R-NQL-4",
)  # fmt: skip
REAPPLICATIONS_USED = error_code(
    "reapplications_used", 409, "Re-applications used",
    "The application was refused more often than the NSO allows re-applications after a "
    "refusal (`refusals`, `allowed`).", rule="R-NQL-6",
)  # fmt: skip
ALREADY_APPLIED = error_code(
    "already_applied", 409, "Already applied",
    "The teacher already applied for an NQL on this project.", rule="R-NQL-1",
)  # fmt: skip
APPLICATIONS_CLOSED = error_code(
    "applications_closed", 409, "Applications closed",
    "The NSO's application windows are all closed now (`windows`).", rule="R-NQL-6",
)  # fmt: skip
APPLICATION_PERIOD_OVER = error_code(
    "application_period_over", 409, "Application period over",
    "Applications are accepted for a number of school years after the project completed "
    "(`school_years`); that time is over.", rule="R-NQL-6",
)  # fmt: skip
ONE_NQL_PER_SCHOOL = error_code(
    "one_nql_per_school", 409, "The school applied already",
    "With the policy's [scope] one_per = \"school\" (the 2006 rule), one NQL per school per "
    "project: another teacher of the school applied (`application_id`).", rule="R-NQL-1",
)  # fmt: skip
EVIDENCE_NOT_THE_RUBRIC = error_code(
    "evidence_not_the_rubric", 422, "Evidence does not match the rubric",
    "Evidence per criterion names criteria of the country's rubric only (`unknown`).",
    rule="R-NQL-5",
)  # fmt: skip
NOT_THE_EVALUATING_NSO = error_code(
    "not_the_evaluating_nso", 403, "Another country's application",
    "Only the NSO of the application's country evaluates it.", rule="R-NQL-1",
)  # fmt: skip
APPLICATION_CAP_REACHED = error_code(
    "application_cap_reached", 409, "Yearly application cap reached",
    "The application is beyond the teacher's yearly cap of NQL applications: it is not "
    "evaluated.", rule="R-NQL-3",
)  # fmt: skip
APPLICATION_NOT_SUBMITTED = error_code(
    "application_not_submitted", 409, "Application not submitted",
    "Only a submitted application is scored; `application_status` says what it is.",
    rule="R-NQL-5",
)  # fmt: skip
SCORES_NOT_THE_RUBRIC = error_code(
    "scores_not_the_rubric", 422, "Scores do not match the rubric",
    "Scores must cover exactly the sub-criteria of the rubric (`missing`, `unknown`).",
    rule="R-NQL-5",
)  # fmt: skip
SCORE_OUT_OF_RANGE = error_code(
    "score_out_of_range", 422, "Score out of range",
    "A sub-criterion's score is outside 0..its maximum (`subcriterion`, `points`, `maximum`).",
    rule="R-NQL-5",
)  # fmt: skip
UNKNOWN_NQL_APPLICATION = error_code(
    "unknown_nql_application", 404, "No such NQL application", "No NQL application has this id."
)  # fmt: skip
NO_NQL_CERTIFICATE = error_code(
    "no_nql_certificate", 404, "No certificate",
    "The application has no certificate: it is not granted.",
)  # fmt: skip
NOT_YOUR_APPLICATION = error_code(
    "not_your_application", 403, "Another teacher's application",
    "A teacher reads only their own applications.",
)  # fmt: skip
APPLICATION_OF_ANOTHER_COUNTRY = error_code(
    "application_of_another_country", 403, "Another country's application",
    "An NSO reads the applications of its own country only.",
)  # fmt: skip
TEACHER_OR_PROJECT_REQUIRED = error_code(
    "teacher_or_project_required", 422, "Teacher or project required",
    "A listing of labels names a `teacher_id` or a `project_id`.",
)  # fmt: skip
