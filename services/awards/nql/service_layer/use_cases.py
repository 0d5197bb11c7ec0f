"""Use cases on NQL applications: a teacher applies (R-NQL-1, -3, -4, -6), the NSO of the
teacher's country evaluates (R-NQL-1, -5) and a granted label gets its certificate. One unit
of work each; the events go through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.awards.common.domain.certificates import (
    Certificate,
    certificate_for,
    new_verification_code,
)
from services.awards.nql.adapters.repository import NqlRepository
from services.awards.nql.domain import errors
from services.awards.nql.domain import model as nql
from services.awards.nql.domain.model import EligibilityAnswers, Evidence, NqlApplication
from services.awards.nql.domain.policy import Calendar, NqlPolicy
from shared.clock import Clock
from shared.events import awards as emitted
from shared.storage.unit_of_work import Transaction, UnitOfWork


@dataclass(frozen=True)
class Apply:
    teacher_id: str
    project_id: str
    answers: EligibilityAnswers
    evidence: Evidence


@dataclass(frozen=True)
class Evaluate:
    application_id: str
    nso_country: str
    evaluator: str
    scores: dict[str, int]
    feedback: str | None = None


async def apply(uow: UnitOfWork, policy: NqlPolicy, command: Apply, clock: Clock) -> NqlApplication:
    async def work(tx: Transaction) -> NqlApplication:
        repository = NqlRepository(tx)
        now = clock.now()
        # a member applies when the project is finished or nearly finished: completed, or
        # still active (eligibility question 2), without waiting for a founder to complete it
        project = nql.project_to_apply_on(
            await repository.project(command.project_id),
            await repository.project_state(command.project_id),
            now,
        )
        member = project.member(command.teacher_id)
        country = member.country if member else ""
        calendar = policy.for_country(country).calendar
        existing = await repository.application(
            nql.application_id(command.project_id, command.teacher_id)
        )
        if existing is None and member is not None and project.project_type == nql.EUROPEAN:
            existing = nql.open_application_for(project, command.teacher_id, now)
        application = nql.check_can_apply(
            project, existing, command.teacher_id, command.answers, calendar, now
        )
        nql.check_evidence(command.evidence, policy.for_country(country).rubric)
        if policy.scope.one_per == "school" and member is not None:
            nql.check_one_per_school(
                command.teacher_id,
                member.school_id,
                await repository.applications_of_school(command.project_id, member.school_id),
                policy.scope,
            )
        position = await repository.next_submission_position(
            command.teacher_id, calendar.school_year(now)
        )
        submitted = nql.submit(
            application, command.answers, command.evidence, calendar, now, position
        )
        await repository.save_application(submitted)
        await tx.emit(_submission_event(submitted, calendar))
        return submitted

    return await uow.run(work)


def _submission_event(
    application: NqlApplication, calendar: Calendar
) -> emitted.NqlApplied | emitted.NqlNotEvaluated:
    assert application.submitted_at and application.school_year
    assert application.position_in_school_year
    common: dict[str, Any] = {
        "application_id": application.id,
        "project_id": application.project_id,
        "project_title": application.project_title,
        "teacher_id": application.teacher_id,
        "country": application.country,
        "school_year": application.school_year,
        "position_in_school_year": application.position_in_school_year,
        "submitted_at": application.submitted_at,
    }
    if application.status == "NOT_EVALUATED_CAP":
        return emitted.NqlNotEvaluated(
            **common,
            cap=calendar.evaluated_per_school_year,
            may_apply_again_from=nql.may_apply_again_from(calendar, application.submitted_at),
        )
    return emitted.NqlApplied(**common, reapplication=application.refusals > 0)


async def evaluate(
    uow: UnitOfWork, policy: NqlPolicy, command: Evaluate, clock: Clock, base_url: str
) -> NqlApplication:
    async def work(tx: Transaction) -> NqlApplication:
        repository = NqlRepository(tx)
        application = await repository.application(command.application_id)
        if application is None:
            raise errors.UNKNOWN_NQL_APPLICATION(f"no NQL application {command.application_id}")
        country_policy = policy.for_country(application.country)
        decided = nql.evaluate(
            application,
            command.nso_country,
            country_policy.rubric,
            command.scores,
            command.evaluator,
            clock.now(),
            command.feedback,
        )
        await repository.save_application(decided)
        assert decided.decision is not None
        await repository.count_decision(  # the EQL round's figures
            decided.decision.decided_at, decided.project_id
        )
        allowed = country_policy.calendar.reapplications_after_refusal
        await tx.emit(_decision_event(decided, reapplication_allowed=decided.refusals <= allowed))
        if decided.status == "GRANTED":
            certificate = certificate_for(decided, new_verification_code())
            await repository.add_certificate(certificate)
            await tx.emit(_certificate_event(certificate, base_url))
        return decided

    return await uow.run(work)


def _decision_event(
    application: NqlApplication, *, reapplication_allowed: bool
) -> emitted.NqlGranted | emitted.NqlRefused:
    assert application.decision is not None
    record = application.decision
    decision = record.decision
    common: dict[str, Any] = {
        "application_id": application.id,
        "project_id": application.project_id,
        "project_title": application.project_title,
        "teacher_id": application.teacher_id,
        "country": application.country,
        "rubric_id": decision.rubric_id,
        "scores": decision.scores,
        "total": decision.total,
        "max_total": decision.max_total,
        "explanation": [check.model_dump() for check in decision.checks],
        "summary": record.summary,
        "feedback": record.feedback,
        "decided_at": record.decided_at,
    }
    if decision.outcome == "GRANTED":
        return emitted.NqlGranted(**common)
    return emitted.NqlRefused(**common, reapplication_allowed=reapplication_allowed)


def certificate_paths(certificate: Certificate, base_url: str) -> tuple[str, str]:
    base = base_url.rstrip("/")
    return (
        f"{base}/nql/applications/{certificate.application_id}/certificate.pdf",
        f"{base}/certificates/{certificate.code}",
    )


def _certificate_event(certificate: Certificate, base_url: str) -> emitted.CertificateIssued:
    download_url, verification_url = certificate_paths(certificate, base_url)
    return emitted.CertificateIssued(
        verification_code=certificate.code,
        application_id=certificate.application_id,
        teacher_id=certificate.teacher_id,
        project_id=certificate.project_id,
        project_title=certificate.project_title,
        country=certificate.country,
        download_url=download_url,
        verification_url=verification_url,
        issued_at=certificate.granted_at,
    )
