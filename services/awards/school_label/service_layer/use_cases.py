"""Use cases of the eTwinning School Label: the yearly eligibility run (R-SCH-1), a teacher's
application with the head's declaration and the NSO's decision (R-SCH-2). Events go through
the outbox in the transaction of the change that causes them."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from services.awards.school_label.adapters import queries
from services.awards.school_label.adapters.repository import SchoolLabelRepository
from services.awards.school_label.domain import errors
from services.awards.school_label.domain import model as school_label
from services.awards.school_label.domain.model import (
    Assessment,
    Declaration,
    Outcome,
    SchoolFacts,
    SchoolLabelApplication,
    end_of,
    label_covers,
    start_of,
)
from services.awards.school_label.domain.policy import RoundDates, SchoolLabelPolicy
from shared.events import awards as emitted
from shared.storage.unit_of_work import Transaction, UnitOfWork

BATCH = 200  # schools per read batch and per write transaction


@dataclass
class RunSummary:
    year: int
    round: str
    candidates: int = 0
    newly_eligible: list[str] = field(default_factory=list)
    already_eligible: int = 0
    not_eligible: Counter[str] = field(default_factory=Counter)


def round_dates(policy: SchoolLabelPolicy, year: int) -> RoundDates:
    try:
        return policy.round(year)
    except KeyError:
        raise errors.UNKNOWN_SCHOOL_LABEL_ROUND(
            f"no School Label round {year} in the policy"
        ) from None


async def run_eligibility(
    uow: UnitOfWork, policy: SchoolLabelPolicy, year: int, now: datetime
) -> RunSummary:
    """Idempotent: a school found eligible in an earlier run of the round is neither
    recorded nor announced again, so re-running (or two runs at once) tells nobody twice."""
    dates = round_dates(policy, year)
    summary = RunSummary(year=year, round=dates.name)
    grants = await queries.nql_grants_by_school(
        uow.database, start_of(dates.nql_granted_from), end_of(dates.nql_granted_until)
    )
    candidates = sorted(grants)
    summary.candidates = len(candidates)
    for first in range(0, len(candidates), BATCH):
        batch = candidates[first : first + BATCH]
        assessments, schools = await _assess_batch(uow, policy, dates, batch, grants, summary)
        eligible = [a for a in assessments if a.eligible]
        for assessment in assessments:
            # the first failed check only: the later ones may rest on lookups skipped for it
            summary.not_eligible.update(assessment.failed()[:1])
        if eligible:
            recorded = await uow.run(
                partial(_record, dates=dates, eligible=eligible, schools=schools, now=now)
            )
            summary.newly_eligible += recorded
            summary.already_eligible += len(eligible) - len(recorded)
    return summary


async def _assess_batch(
    uow: UnitOfWork,
    policy: SchoolLabelPolicy,
    dates: RoundDates,
    batch: list[str],
    grants: dict[str, list[school_label.NqlGrant]],
    summary: RunSummary,
) -> tuple[list[Assessment], dict[str, SchoolFacts]]:
    thresholds = policy.thresholds
    database = uow.database
    done = await queries.already_eligible(database, dates.year, batch)
    summary.already_eligible += len(done)
    todo = [school_id for school_id in batch if school_id not in done]
    schools = await queries.schools(database, todo)
    statuses = sorted({*thresholds.active_statuses, *thresholds.notified_statuses})
    teachers = await queries.teachers_of(database, todo, statuses)
    teacher_ids = [
        teacher_id
        for school_id in todo
        for teacher_id in school_label.undecided_teachers(
            schools.get(school_id), teachers.get(school_id, []), dates, thresholds
        )
    ]
    active = await queries.active_in_awards(
        database, teacher_ids, start_of(dates.teachers_active_since), thresholds.activity_signals
    )
    labels = await queries.granted_bienniums(database, todo)
    assessments = [
        school_label.assess(
            school_id,
            schools.get(school_id),
            teachers.get(school_id, []),
            grants[school_id],
            dates,
            thresholds,
            active_in_awards=active,
            holds_label=any(label_covers(b, dates.year) for b in labels.get(school_id, [])),
        )
        for school_id in todo
    ]
    return assessments, schools


async def _record(
    tx: Transaction,
    *,
    dates: RoundDates,
    eligible: list[Assessment],
    schools: dict[str, SchoolFacts],
    now: datetime,
) -> list[str]:
    repository = SchoolLabelRepository(tx)
    recorded = []
    for assessment in eligible:
        school = schools[assessment.school_id]
        counts = {check.check: check.actual for check in assessment.checks}
        record = {
            **school.model_dump(),
            "round": dates.name,
            "teacher_ids": assessment.teachers_to_notify,
            "checks": [check.model_dump() for check in assessment.checks],
            "found_at": now,
        }
        if not await repository.record_eligible(dates.year, record):
            continue  # a concurrent run recorded it first
        await tx.emit(
            emitted.SchoolLabelEligible(
                school_id=school.school_id,
                school_name=school.name,
                country=school.country,
                year=dates.year,
                round=dates.name,
                teacher_ids=assessment.teachers_to_notify,
                active_teachers=counts["active_teachers"],
                european_projects_with_nql=counts["european_projects_with_nql"],
                found_at=now,
            )
        )
        recorded.append(school.school_id)
    return recorded


# --- R-SCH-2 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Apply:
    teacher_id: str
    school_id: str
    year: int
    declaration: Declaration


@dataclass(frozen=True)
class ConfirmByHead:
    token: str


def head_token_hash(token: str) -> str:
    """Only the hash is stored: the database never holds a working link."""
    return hashlib.sha256(token.encode()).hexdigest()


def head_confirmation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/school-label/head-confirmations/{token}"


@dataclass(frozen=True)
class Decide:
    application_id: str
    nso_country: str
    decided_by: str
    outcome: Outcome
    reason: str


async def apply(
    uow: UnitOfWork,
    policy: SchoolLabelPolicy,
    command: Apply,
    now: datetime,
    base_url: str = "",
) -> SchoolLabelApplication:
    """Within the round's application window; the application then waits for the school
    head, who is asked by e-mail (awards.school_label.head_confirmation_requested) to confirm
    the declaration of honour."""
    dates = round_dates(policy, command.year)
    token = secrets.token_urlsafe(32)

    async def work(tx: Transaction) -> SchoolLabelApplication:
        repository = SchoolLabelRepository(tx)
        school = await repository.school(command.school_id)
        application = school_label.submit(
            eligible_school=await repository.eligible_school(command.year, command.school_id),
            year=command.year,
            teacher=await repository.teacher(command.teacher_id),
            existing=await repository.application(
                school_label.application_id(command.school_id, command.year)
            ),
            declaration=command.declaration,
            thresholds=policy.thresholds,
            now=now,
            dates=dates,
            head_email=school.head_email if school else None,
            head_token_hash=head_token_hash(token),
        )
        await repository.add_application(application)
        await tx.emit(
            emitted.SchoolLabelHeadConfirmationRequested(
                application_id=application.id,
                school_id=application.school_id,
                school_name=application.school_name,
                country=application.country,
                year=application.year,
                applicant_id=application.applicant_id,
                head_name=application.declaration.head_name,
                head_email=application.declaration.head_email,
                confirm_url=head_confirmation_url(base_url, token),
                applications_close=dates.applications_close,
                requested_at=now,
            )
        )
        return application

    return await uow.run(work)


async def application_for_head(uow: UnitOfWork, token: str) -> SchoolLabelApplication:
    """What the head is asked to confirm (the link's page)."""

    async def work(tx: Transaction) -> SchoolLabelApplication:
        found = await SchoolLabelRepository(tx).of_head_link(head_token_hash(token))
        if found is None:
            raise errors.UNKNOWN_HEAD_CONFIRMATION("this link confirms no waiting application")
        return found

    return await uow.run(work)


async def confirm_by_head(
    uow: UnitOfWork, policy: SchoolLabelPolicy, command: ConfirmByHead, now: datetime
) -> SchoolLabelApplication:
    async def work(tx: Transaction) -> SchoolLabelApplication:
        repository = SchoolLabelRepository(tx)
        waiting = await repository.of_head_link(head_token_hash(command.token))
        if waiting is None:
            raise errors.UNKNOWN_HEAD_CONFIRMATION("this link confirms no waiting application")
        confirmed = school_label.confirm_by_head(waiting, round_dates(policy, waiting.year), now)
        await repository.save_application(confirmed)
        await tx.emit(
            emitted.SchoolLabelSubmitted(
                application_id=confirmed.id,
                school_id=confirmed.school_id,
                school_name=confirmed.school_name,
                country=confirmed.country,
                year=confirmed.year,
                applicant_id=confirmed.applicant_id,
                head_confirmed_at=now,
            )
        )
        return confirmed

    return await uow.run(work)


async def decide(
    uow: UnitOfWork, policy: SchoolLabelPolicy, command: Decide, now: datetime
) -> SchoolLabelApplication:
    async def work(tx: Transaction) -> SchoolLabelApplication:
        repository = SchoolLabelRepository(tx)
        application = await repository.application(command.application_id)
        if application is None:
            raise errors.UNKNOWN_SCHOOL_LABEL_APPLICATION(
                f"no School Label application {command.application_id}"
            )
        decided = school_label.decide(
            application,
            nso_country=command.nso_country,
            outcome=command.outcome,
            reason=command.reason,
            decided_by=command.decided_by,
            biennium=policy.biennium(application.year),
            now=now,
        )
        await repository.save_application(decided)
        statuses = policy.thresholds.notified_statuses
        teachers = await repository.teacher_ids_of(decided.school_id, statuses)
        await tx.emit(_decided_event(decided, teachers))
        return decided

    return await uow.run(work)


def _decided_event(
    application: SchoolLabelApplication, teacher_ids: list[str]
) -> emitted.SchoolLabelDecided:
    decision = application.decision
    assert decision is not None
    first, last = decision.biennium or (None, None)
    return emitted.SchoolLabelDecided(
        application_id=application.id,
        school_id=application.school_id,
        school_name=application.school_name,
        country=application.country,
        year=application.year,
        round=f"{application.year}-{application.year + 1}",
        outcome=decision.outcome,
        biennium=f"{first}-{last}" if decision.biennium else "",
        biennium_first_year=first,
        biennium_last_year=last,
        reason=decision.reason,
        applicant_id=application.applicant_id,
        teacher_ids=teacher_ids,
        decided_at=decision.decided_at,
    )
