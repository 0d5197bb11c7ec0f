"""The European Quality Label's refusals, one code each (docs/errors.md is generated). A
refused nomination carries its figures: `average`, `min_average`, `quota`, `quota_used`."""

from __future__ import annotations

from shared.errors import error_code

ROUND_CLOSED = error_code(
    "round_closed", 409, "Round closed",
    "The round is closed: one round per year, no nomination (or closing) after it.",
    rule="R-EQL-1",
)  # fmt: skip
ROUND_ALREADY_HELD = error_code(
    "round_already_held", 409, "Round already held",
    "The CSS runs one EQL round per year, and this year has its round.", rule="R-EQL-1",
)  # fmt: skip
FOUNDERS_SAME_COUNTRY = error_code(
    "founders_same_country", 409, "Founders in one country",
    "A project whose two founders are from the same country is never eligible for the EQL.",
    rule="R-EQL-2",
)  # fmt: skip
NOT_A_CANDIDATE = error_code(
    "not_a_candidate", 409, "Not a candidate",
    "No NQL was granted on this project in the round's period.", rule="R-EQL-3",
)  # fmt: skip
TOO_FEW_NQL_COUNTRIES = error_code(
    "too_few_nql_countries", 409, "NQLs in too few countries",
    "A candidate needs NQLs granted in at least the configured number of countries.",
    rule="R-EQL-3",
)  # fmt: skip
NO_NQL_IN_COUNTRY = error_code(
    "no_nql_in_country", 403, "No NQL in your country",
    "Only an NSO that granted an NQL on the project may nominate it.", rule="R-EQL-5",
)  # fmt: skip
ALREADY_NOMINATED = error_code(
    "already_nominated", 409, "Already nominated",
    "Another NSO already nominated the project: one nomination is enough.", rule="R-EQL-5",
)  # fmt: skip
AVERAGE_NOT_ABOVE_THRESHOLD = error_code(
    "average_not_above_threshold", 409, "Average not above the threshold",
    "The project's average NQL score (`average`) is not above the minimum (`min_average`).",
    rule="R-EQL-4",
)  # fmt: skip
QUOTA_EXCEEDED = error_code(
    "quota_exceeded", 409, "Country quota used",
    "The country's nominations (`quota_used`) have reached its quota (`quota`).",
    rule="R-EQL-4",
)  # fmt: skip
CANDIDATE_IN_EARLIER_ROUND = error_code(
    "candidate_in_earlier_round", 409, "Candidate in an earlier round",
    "The project was a candidate in an earlier round (`earlier_round`): a project is a "
    "candidate in at most one round (policy [candidacy] once).", rule="R-EQL-3",
)  # fmt: skip
NOMINATIONS_STILL_OPEN = error_code(
    "nominations_still_open", 409, "Nominations still open",
    "The round closes after its nomination deadline (`nominations_close`); before it only "
    "when the CSS forces the closing.", rule="R-EQL-1",
)  # fmt: skip
NOMINATIONS_NOT_REVIEWED = error_code(
    "nominations_not_reviewed", 409, "Nominations not reviewed",
    "The CSS confirms or refuses every nomination before the round closes (`unreviewed`).",
    rule="R-EQL-5",
)  # fmt: skip
UNKNOWN_NOMINATION = error_code(
    "unknown_nomination", 404, "No such nomination",
    "The project is not nominated in this round (`project_id`).",
)  # fmt: skip
NOMINATION_ALREADY_REVIEWED = error_code(
    "nomination_already_reviewed", 409, "Nomination already reviewed",
    "The CSS already confirmed or refused this nomination (`outcome`).", rule="R-EQL-5",
)  # fmt: skip
REVIEW_REASON_MISSING = error_code(
    "review_reason_missing", 422, "Reason missing",
    "Refusing a nomination needs a reason: the nominating NSO is told it.", rule="R-EQL-5",
)  # fmt: skip
UNKNOWN_EQL_ROUND = error_code(
    "unknown_eql_round", 404, "No such EQL round", "No EQL round was opened for this year."
)  # fmt: skip
UNKNOWN_EQL = error_code("unknown_eql", 404, "No such EQL", "No EQL has this id.")
NO_EQL_CERTIFICATE = error_code(
    "no_eql_certificate", 404, "No certificate", "The EQL has no certificate (yet)."
)  # fmt: skip
NOT_YOUR_CERTIFICATE = error_code(
    "not_your_certificate", 403, "Another teacher's certificate",
    "A teacher downloads only their own certificates.",
)  # fmt: skip
