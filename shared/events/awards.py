"""Events published by the awards service (rules R-NQL-*, R-EQL-*).

Lifecycle of a National Quality Label application: `application_opened` (the project
completed) → `applied` or `not_evaluated` (beyond the yearly cap, R-NQL-3) → `granted` or
`refused` (computed from the rubric, R-NQL-5) → for a granted one, `certificate.issued`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import EventPayload
from shared.events.fields import CountryCode, EntityId


class NqlApplicationOpened(EventPayload):
    """A member of a completed European project may now apply for a National Quality Label."""

    event_type = "awards.nql.application_opened"
    aggregate_field = "application_id"

    application_id: EntityId
    project_id: EntityId
    project_title: str
    teacher_id: EntityId
    country: CountryCode
    opened_at: datetime


class NqlApplied(EventPayload):
    """The teacher submitted the application; the NSO of `country` will evaluate it."""

    event_type = "awards.nql.applied"
    aggregate_field = "application_id"

    application_id: EntityId
    project_id: EntityId
    project_title: str
    teacher_id: EntityId
    country: CountryCode = Field(description="Country of the teacher; its NSO evaluates.")
    school_year: str = Field(description="School year of the submission, e.g. `2025/26`.")
    position_in_school_year: int = Field(
        ge=1, description="Order of this submission among the teacher's in the school year."
    )
    reapplication: bool = Field(description="True when this follows a refusal (R-NQL-6).")
    submitted_at: datetime


class NqlNotEvaluated(EventPayload):
    """The submission is kept but will not be evaluated: the teacher already submitted the
    yearly maximum in this school year (R-NQL-3, status NOT_EVALUATED_CAP)."""

    event_type = "awards.nql.not_evaluated"
    aggregate_field = "application_id"

    application_id: EntityId
    project_id: EntityId
    project_title: str
    teacher_id: EntityId
    country: CountryCode
    school_year: str
    position_in_school_year: int = Field(ge=1)
    cap: int = Field(ge=1, description="Submissions evaluated per teacher per school year.")
    may_apply_again_from: date | None = Field(
        default=None,
        description="First day of the next school year: the same application may be submitted "
        "again from then (R-NQL-3).",
    )
    rule: str = Field(default="R-NQL-3")
    submitted_at: datetime


class DecisionCheck(BaseModel):
    """One line of a decision's explanation."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rule: str = Field(description="Rule id checked, e.g. R-NQL-5.", examples=["R-NQL-5"])
    check: str = Field(
        description="`key_minimum:<sub-criterion id>` or `min_total`.",
        examples=["key_minimum:ict"],
    )
    description: str
    required: int
    actual: int
    passed: bool
    margin: int = Field(description="actual - required; negative: failed by that many points.")
    code: str | None = Field(
        default=None,
        description="What the check refuses when it fails: `subcriterion_below_minimum` or "
        "`total_below_minimum` (docs/errors.md); absent in events of earlier releases.",
        examples=["subcriterion_below_minimum"],
    )


class _NqlDecided(EventPayload):
    """Common fields of the two outcomes of an evaluation (R-NQL-5)."""

    aggregate_field = "application_id"

    application_id: EntityId
    project_id: EntityId
    project_title: str
    teacher_id: EntityId
    country: CountryCode
    rubric_id: str = Field(description="The rubric version the scores were given on.")
    scores: dict[str, int] = Field(description="Raw points per sub-criterion id.")
    total: int
    max_total: int
    explanation: list[DecisionCheck]
    summary: str = Field(description="The explanation in one sentence (for messages).")
    feedback: str | None = Field(
        default=None, description="The NSO's feedback to the teacher, if it wrote any."
    )
    decided_at: datetime


class NqlGranted(_NqlDecided):
    """The NSO's scores reach every key minimum and the minimum total: the NQL is granted."""

    event_type = "awards.nql.granted"


class NqlRefused(_NqlDecided):
    """At least one check failed; `explanation` says which and by how much."""

    event_type = "awards.nql.refused"

    reapplication_allowed: bool = Field(
        description="Whether the country's rule lets the teacher apply again (R-NQL-6)."
    )


class CertificateIssued(EventPayload):
    """A granted NQL has its certificate; anyone can check `verification_code` publicly."""

    event_type = "awards.certificate.issued"
    aggregate_field = "verification_code"

    verification_code: str = Field(examples=["NQL-ABCD-EFGH-IJKL-MNOP"])
    application_id: EntityId
    teacher_id: EntityId
    project_id: EntityId
    project_title: str
    country: CountryCode
    download_url: str = Field(description="The PDF, for the teacher (bearer token needed).")
    verification_url: str = Field(description="Public page that confirms the code.")
    issued_at: datetime
    label: Literal["NQL", "EQL"] = Field(
        default="NQL",
        description="Which label the certificate is of; for an EQL, `application_id` holds the "
        "EQL's label id (added after v1's first release: older payloads read as NQL).",
    )


# --- European Quality Label round (R-EQL-1..6) -----------------------------------------------


class EqlRoundOpened(EventPayload):
    """The CSS opened the yearly EQL round (R-EQL-1): the candidates (R-EQL-2, R-EQL-3) and
    each country's nomination quota (R-EQL-4) are fixed in a snapshot from now on."""

    event_type = "awards.eql.round_opened"
    aggregate_field = "round_id"

    round_id: EntityId = Field(examples=["eql-2026"])
    year: int = Field(ge=2000, le=2100, description="The round's year.")
    period_start: datetime = Field(description="NQLs granted from this moment (inclusive)...")
    period_end: datetime = Field(description="...up to this one (exclusive) count.")
    candidate_count: int = Field(ge=0)
    countries: list[CountryCode] = Field(
        description="Countries whose NSO has at least one candidate to consider."
    )
    quotas: dict[str, int] = Field(description="Nominations allowed per country (R-EQL-4).")
    min_average: float = Field(description="A nominee's average must be strictly above this.")
    opened_by: str
    opened_at: datetime


class EqlNominated(EventPayload):
    """An NSO nominated a candidate (R-EQL-4, R-EQL-5); one nomination is enough."""

    event_type = "awards.eql.nominated"
    aggregate_field = "project_id"

    round_id: EntityId
    year: int
    project_id: EntityId
    project_title: str
    country: CountryCode = Field(description="The nominating NSO's country.")
    average: float = Field(description="The candidate's average NQL score.")
    quota: int = Field(ge=0)
    quota_used: int = Field(ge=0, description="Nominations of this country, this one included.")
    nominated_by: str
    nominated_at: datetime


class EqlNominationRefused(EventPayload):
    """A nomination was refused; `rule` says which rule and the numbers say by how much."""

    event_type = "awards.eql.nomination_refused"
    aggregate_field = "project_id"

    round_id: EntityId
    year: int
    project_id: EntityId
    country: CountryCode = Field(description="The NSO that tried to nominate.")
    rule: str = Field(examples=["R-EQL-4"])
    reason: str
    average: float | None = Field(default=None, description="The project's average, if known.")
    min_average: float
    quota: int | None = None
    quota_used: int | None = None
    refused_by: str
    refused_at: datetime


class EqlNomineeRefused(EventPayload):
    """The CSS checked a nomination and refused it (R-EQL-5): the nominating NSO is told why;
    its quota place is free again."""

    event_type = "awards.eql.nominee_refused"
    aggregate_field = "project_id"

    round_id: EntityId
    year: int
    project_id: EntityId
    project_title: str
    country: CountryCode = Field(description="The nominating NSO's country.")
    nominated_by: str = Field(description="Who nominated it at that NSO.")
    reason: str = Field(description="The CSS's reason, for the NSO.")
    refused_by: str
    refused_at: datetime


class EqlAwarded(EventPayload):
    """One recipient of the EQL (R-EQL-5): a member of a nominated project, or only an NQL
    holder, as the policy says (`recipients`)."""

    event_type = "awards.eql.awarded"
    aggregate_field = "label_id"

    label_id: EntityId
    round_id: EntityId
    year: int
    project_id: EntityId
    project_title: str
    teacher_id: EntityId
    country: CountryCode = Field(description="Country of the recipient's school.")
    school_name: str = ""
    average: float
    verification_code: str = Field(examples=["EQL-ABCD-EFGH-IJKL-MNOP"])
    download_url: str = Field(description="The certificate PDF (bearer token needed).")
    verification_url: str = Field(description="Public page that confirms the code.")
    awarded_at: datetime


class EqlRoundClosed(EventPayload):
    """The CSS closed the round: every nominated project has its EQL; nothing more changes."""

    event_type = "awards.eql.round_closed"
    aggregate_field = "round_id"

    round_id: EntityId
    year: int
    awarded_projects: int = Field(ge=0)
    recipients: int = Field(ge=0, description="EQLs awarded (one per recipient).")
    closed_by: str
    closed_at: datetime


# --- European eTwinning Prizes (R-PRZ-1, R-PRZ-2) --------------------------------------------


class PrizeEntryDecided(EventPayload):
    """A prize entry was accepted, or refused with the rule (R-PRZ-1, R-PRZ-2)."""

    event_type = "awards.prize.entry_decided"
    aggregate_field = "project_id"

    year: int
    project_id: EntityId
    project_title: str = ""
    category: str = Field(examples=["12-15"])
    accepted: bool
    rule: str | None = Field(default=None, description="The rule that refused it, if refused.")
    reason: str
    submitted_by: str
    decided_at: datetime


class PrizeWon(EventPayload):
    """The CSS recorded a winning project; only its EQL holders are officially awarded
    (R-PRZ-2), and they are listed in `winner_ids`."""

    event_type = "awards.prize.won"
    aggregate_field = "project_id"

    year: int
    project_id: EntityId
    project_title: str
    category: str
    winner_ids: list[EntityId] = Field(description="Teachers holding the project's EQL.")
    recorded_by: str
    won_at: datetime


class SchoolLabelEligible(EventPayload):
    """The eligibility run of a School Label round found the school eligible (R-SCH-1): every
    registered eTwinner of the school is told, by e-mail and on the platform (R-SCH-2).
    Emitted once per school and round, however often the round is run."""

    event_type = "awards.school_label.eligible"
    aggregate_field = "school_id"

    school_id: EntityId
    school_name: str
    country: CountryCode = Field(description="Country of the school; its NSO decides.")
    year: int = Field(description="First calendar year of the round.", examples=[2025])
    round: str = Field(description="The round's name.", examples=["2025-2026"])
    teacher_ids: list[EntityId] = Field(
        description="Every registered eTwinner of the school at the run: whom to tell."
    )
    active_teachers: int = Field(ge=0, description="Teachers active since the cut-off.")
    european_projects_with_nql: int = Field(ge=0, description="In the round's NQL window.")
    found_at: datetime


class SchoolLabelHeadConfirmationRequested(EventPayload):
    """A teacher applied for their school's label (R-SCH-2): the school head is asked, at the
    school's head e-mail, to confirm the declaration of honour through `confirm_url`."""

    event_type = "awards.school_label.head_confirmation_requested"
    aggregate_field = "application_id"

    application_id: EntityId
    school_id: EntityId
    school_name: str
    country: CountryCode
    year: int = Field(description="First calendar year of the round.")
    applicant_id: EntityId
    head_name: str
    head_email: str = Field(description="Where the head is asked (personal data).")
    confirm_url: str = Field(
        description="The head's link: GET shows what they confirm, POST confirms it."
    )
    applications_close: date = Field(description="The link works until this day (inclusive).")
    requested_at: datetime


class SchoolLabelSubmitted(EventPayload):
    """The head confirmed the declaration of honour: the application waits for the NSO."""

    event_type = "awards.school_label.submitted"
    aggregate_field = "application_id"

    application_id: EntityId
    school_id: EntityId
    school_name: str
    country: CountryCode = Field(description="Its NSO assesses the application.")
    year: int
    applicant_id: EntityId
    head_confirmed_at: datetime


class SchoolLabelDecided(EventPayload):
    """The NSO of the school's country decided on a School Label application (R-SCH-2). A
    granted label covers the biennium `biennium_first_year`..`biennium_last_year`."""

    event_type = "awards.school_label.decided"
    aggregate_field = "application_id"

    application_id: EntityId
    school_id: EntityId
    school_name: str
    country: CountryCode
    year: int = Field(description="First calendar year of the round.", examples=[2025])
    round: str = Field(examples=["2025-2026"])
    outcome: str = Field(pattern="^(GRANTED|REFUSED)$", examples=["GRANTED"])
    biennium: str = Field(
        default="", description="The two calendar years a granted label covers, or empty."
    )
    biennium_first_year: int | None = None
    biennium_last_year: int | None = None
    reason: str = Field(description="The NSO's reason, as written.")
    rule: str = Field(default="R-SCH-2")
    applicant_id: EntityId = Field(description="The teacher who applied.")
    teacher_ids: list[EntityId] = Field(
        description="Every registered eTwinner of the school at the decision."
    )
    decided_at: datetime


# --- jobs (long work: the EQL round, the School Label run; shared/jobs) ----------------------


class JobFinished(EventPayload):
    """A job of the awards service ended: succeeded (with its result), failed (with the
    error) or cancelled. Tells whoever asked (`requested_by`) that the work is done."""

    event_type = "awards.job.finished"
    aggregate_field = "job_id"

    job_id: EntityId
    kind: str = Field(description="eql.open_round, eql.close_round, school_label.eligibility")
    status: Literal["succeeded", "failed", "cancelled"]
    params: dict[str, str | int] = Field(description="The operation's parameters (the year).")
    requested_by: str = Field(description="Subject of the caller who started the job.")
    requested_by_role: str
    done: int = Field(ge=0, description="Progress reached: units of work done.")
    total: int | None = Field(default=None, ge=0)
    result: dict[str, object] | None = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime


def job_finished(job: dict[str, object]) -> JobFinished:
    """The event of a finished job document (shared/jobs/store.py)."""
    progress = job.get("progress") or {}
    requested = job.get("requested_by") or {}
    assert isinstance(progress, dict) and isinstance(requested, dict)
    return JobFinished(
        job_id=str(job["_id"]),
        kind=str(job["kind"]),
        status=job["status"],
        params=job.get("params") or {},
        requested_by=str(requested.get("subject", "")),
        requested_by_role=str(requested.get("role", "")),
        done=int(progress.get("done") or 0),
        total=progress.get("total"),
        result=job.get("result"),
        error=job.get("error"),
        created_at=job["created_at"],
        finished_at=job["finished_at"],
    )
