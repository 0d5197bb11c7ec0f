"""Use cases of the yearly European Quality Label round (R-EQL-1..6): the CSS opens it (the
candidates are computed once, into a snapshot), NSOs nominate, the CSS closes it (every
nominated project's recipients get the EQL and a certificate). Events go through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from services.awards.common.domain.certificates import Certificate
from services.awards.eql.adapters.repository import (
    ROUNDS,
    EqlRepository,
    emit_all,
    nql_scores_by_project,
    project_kinds,
    write_snapshot,
)
from services.awards.eql.domain import errors
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import (
    Assessment,
    CountryQuota,
    EqlLabel,
    NominationRefused,
)
from services.awards.eql.domain.policy import EqlPolicy
from shared.clock import Clock
from shared.errors import Refused
from shared.events import awards as emitted
from shared.events.base import EventPayload
from shared.logging import get_logger
from shared.storage.mongo import Document
from shared.storage.unit_of_work import Transaction, UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class OpenRound:
    year: int
    opened_by: str


@dataclass(frozen=True)
class Nominate:
    year: int
    project_id: str
    country: str
    nominated_by: str


@dataclass(frozen=True)
class CloseRound:
    year: int
    closed_by: str


def _one_round_per_year(year: int) -> Refused:
    return errors.ROUND_ALREADY_HELD(
        f"the CSS runs one EQL round per year: {year} already has its round", year=year
    )


# --- opening ---------------------------------------------------------------------------------


async def open_round(
    uow: UnitOfWork, policy: EqlPolicy, command: OpenRound, clock: Clock
) -> Document:
    """Computes every assessment with one indexed scan of the period's NQL decisions, writes
    the snapshot under a fresh id, then commits the round, the quota counters and the event.
    A second opening of the year is refused (R-EQL-1), even when both race. (The HTTP route
    runs the same steps as a job: services/awards/eql/service_layer/jobs.py.)"""
    await refuse_second_round(uow, command.year)
    prepared = await assess_year(uow, policy, command.year)
    snapshot_id = uuid4().hex
    await write_snapshot(
        uow.database, snapshot_id, prepared.round_id, command.year, prepared.assessments
    )
    document = round_document(policy, command, prepared, snapshot_id, clock.now())
    try:
        return await uow.run(lambda tx: commit_round(tx, policy, command, prepared, document))
    except DuplicateKeyError as duplicate:
        raise _one_round_per_year(command.year) from duplicate


@dataclass(frozen=True)
class PreparedRound:
    """What the opening computed from the period's NQL decisions, before anything is written."""

    round_id: str
    start: datetime
    end: datetime
    assessments: list[Assessment]
    quotas: dict[str, CountryQuota]

    @property
    def candidates(self) -> int:
        return sum(1 for a in self.assessments if a.candidate)


async def refuse_second_round(uow: UnitOfWork, year: int) -> None:
    if await uow.database[ROUNDS].find_one({"_id": eql.round_id(year)}, {"_id": 1}) is not None:
        raise _one_round_per_year(year)


async def assess_year(uow: UnitOfWork, policy: EqlPolicy, year: int) -> PreparedRound:
    """Reads only: one aggregation of the period's NQLs, the projects' kinds, the quotas."""
    database = uow.database
    start, end = policy.period.bounds(year)
    groups = [
        group
        async for group in nql_scores_by_project(
            database, start, end, with_refused=policy.nomination.average_of == "evaluated"
        )
    ]
    kinds = await project_kinds(database, [project_id for project_id, _, _ in groups])
    assessments = [
        assessment
        for project_id, title, scores in groups
        if (
            assessment := eql.assess(
                project_id, title, scores, *kinds.get(project_id, (None, None)), policy.nomination
            )
        )
        is not None
    ]
    quotas = eql.quotas(assessments, policy.quota)
    return PreparedRound(eql.round_id(year), start, end, assessments, quotas)


def round_document(
    policy: EqlPolicy,
    command: OpenRound,
    prepared: PreparedRound,
    snapshot_id: str,
    now: datetime,
) -> Document:
    return {
        "_id": prepared.round_id,
        "year": command.year,
        "status": "OPEN",
        "snapshot_id": snapshot_id,
        "period_start": prepared.start,
        "period_end": prepared.end,
        "projects_with_nql": len(prepared.assessments),
        "candidate_count": prepared.candidates,
        "opened_by": command.opened_by,
        "opened_at": now,
        "awarded_projects": 0,
        "recipients": 0,
        "policy": policy.model_dump(mode="json", exclude={"prizes"}),
    }


async def commit_round(
    tx: Transaction,
    policy: EqlPolicy,
    command: OpenRound,
    prepared: PreparedRound,
    document: Document,
) -> Document:
    """The round, its quota counters and awards.eql.round_opened, in the caller's
    transaction; DuplicateKeyError when the year has its round already."""
    repository = EqlRepository(tx)
    await repository.add_round(document)
    await repository.add_quotas(prepared.round_id, prepared.quotas.values())
    await tx.emit(
        emitted.EqlRoundOpened(
            round_id=prepared.round_id,
            year=command.year,
            period_start=prepared.start,
            period_end=prepared.end,
            candidate_count=prepared.candidates,
            countries=sorted(c for c, q in prepared.quotas.items() if q.candidates),
            quotas={c: q.quota for c, q in prepared.quotas.items()},
            min_average=policy.nomination.min_average,
            opened_by=command.opened_by,
            opened_at=document["opened_at"],
        )
    )
    return document


# --- nominating ------------------------------------------------------------------------------


async def nominate(uow: UnitOfWork, policy: EqlPolicy, command: Nominate, clock: Clock) -> Document:
    """A refusal is committed (its record and awards.eql.nomination_refused), then raised."""
    try:
        outcome = await uow.run(lambda tx: _nominate(tx, policy, command, clock))
    except DuplicateKeyError:
        # another NSO nominated the same project at the same moment: decide again, now
        # that its nomination is visible (one nomination is enough, R-EQL-5)
        outcome = await uow.run(lambda tx: _nominate(tx, policy, command, clock))
    if isinstance(outcome, NominationRefused):
        raise outcome
    return outcome


async def _nominate(
    tx: Transaction, policy: EqlPolicy, command: Nominate, clock: Clock
) -> Document | NominationRefused:
    repository = EqlRepository(tx)
    round_id = eql.round_id(command.year)
    current = await repository.round(round_id)
    if current is None:
        raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {command.year}")
    assessment = await repository.assessment(current["snapshot_id"], command.project_id)
    counter = await repository.quota(round_id, command.country)
    quota = None if counter is None else CountryQuota.model_validate(counter)
    used = 0 if counter is None else int(counter["used"])
    existing = await repository.nomination(round_id, command.project_id)
    now = clock.now()
    try:
        eql.check_nomination(
            current["status"],
            assessment,
            command.country,
            quota,
            used,
            None if existing is None else existing["country"],
            policy.nomination,
        )
        taken = await repository.take_quota(round_id, command.country)
        if taken is None:  # only if the counter closed or filled since it was read
            raise NominationRefused(
                errors.QUOTA_EXCEEDED, "the quota is used or the round is closing", quota_used=used
            )
    except NominationRefused as refused:
        await _refuse(tx, repository, command, refused, round_id, now)
        return refused
    assert assessment is not None and quota is not None
    nomination: Document = {
        "_id": f"{round_id}:{command.project_id}",
        "round_id": round_id,
        "year": command.year,
        "project_id": command.project_id,
        "project_title": assessment.title,
        "country": command.country,
        "average": assessment.average,
        "nominated_by": command.nominated_by,
        "nominated_at": now,
        "awarded": False,
    }
    await repository.add_nomination(nomination)
    await tx.emit(
        emitted.EqlNominated(
            round_id=round_id,
            year=command.year,
            project_id=command.project_id,
            project_title=assessment.title,
            country=command.country,
            average=assessment.average,
            quota=quota.quota,
            quota_used=int(taken["used"]),
            nominated_by=command.nominated_by,
            nominated_at=now,
        )
    )
    return nomination


async def _refuse(
    tx: Transaction,
    repository: EqlRepository,
    command: Nominate,
    refused: NominationRefused,
    round_id: str,
    now: datetime,
) -> None:
    numbers: dict[str, Any] = refused.numbers
    await repository.add_refusal(
        {
            "round_id": round_id,
            "year": command.year,
            "project_id": command.project_id,
            "country": command.country,
            "rule": refused.rule,
            "reason": refused.detail,
            **numbers,
            "refused_by": command.nominated_by,
            "refused_at": now,
        }
    )
    await tx.emit(
        emitted.EqlNominationRefused(
            round_id=round_id,
            year=command.year,
            project_id=command.project_id,
            country=command.country,
            rule=refused.rule,
            reason=refused.detail,
            average=numbers.get("average"),
            min_average=numbers.get("min_average", 0),
            quota=numbers.get("quota"),
            quota_used=numbers.get("quota_used"),
            refused_by=command.nominated_by,
            refused_at=now,
        )
    )


# --- closing ---------------------------------------------------------------------------------


async def close_round(
    uow: UnitOfWork,
    policy: EqlPolicy,
    command: CloseRound,
    clock: Clock,
    base_url: str,
    batch_projects: int = 100,
) -> Document:
    """OPEN → CLOSING (no nomination after that), then the nominated projects are awarded in
    batches, one transaction each (labels, certificates and their events in the outbox), then
    CLOSED with awards.eql.round_closed. Closing a CLOSING round resumes where it stopped.
    (The HTTP route runs the same steps as a job: services/awards/eql/service_layer/jobs.py.)"""
    round_id = eql.round_id(command.year)
    current = await uow.run(lambda tx: begin_closing(tx, command, clock))
    year = int(current["year"])
    while await uow.run(
        lambda tx: award_batch(tx, policy, round_id, year, base_url, batch_projects, clock)
    ):
        pass
    return await uow.run(lambda tx: finish_closing(tx, command, clock))


async def begin_closing(tx: Transaction, command: CloseRound, clock: Clock) -> Document:
    """OPEN → CLOSING, or the CLOSING round as it is (a closing resumed); CLOSED is refused."""
    round_id = eql.round_id(command.year)
    repository = EqlRepository(tx)
    current = await repository.round(round_id)
    if current is None:
        raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {command.year}")
    if current["status"] == "CLOSED":
        raise errors.ROUND_CLOSED(f"the {command.year} round is closed: one round per year")
    if current["status"] == "OPEN":
        started = await repository.start_closing(round_id, command.closed_by, clock.now())
        assert started is not None
        return started
    return current


async def finish_closing(tx: Transaction, command: CloseRound, clock: Clock) -> Document:
    round_id = eql.round_id(command.year)
    repository = EqlRepository(tx)
    now = clock.now()
    closed = await repository.finish_closing(round_id, now)
    if closed is None:  # a concurrent closing finished first
        found = await repository.round(round_id)
        assert found is not None
        return found
    await tx.emit(
        emitted.EqlRoundClosed(
            round_id=round_id,
            year=command.year,
            awarded_projects=int(closed.get("awarded_projects", 0)),
            recipients=int(closed.get("recipients", 0)),
            closed_by=command.closed_by,
            closed_at=now,
        )
    )
    return closed


async def award_batch(
    tx: Transaction,
    policy: EqlPolicy,
    round_id: str,
    year: int,
    base_url: str,
    limit: int,
    clock: Clock,
) -> int:
    repository = EqlRepository(tx)
    nominations = await repository.nominations_to_award(round_id, limit)
    if not nominations:
        return 0
    project_ids = [n["project_id"] for n in nominations]
    facts = await repository.projects(project_ids)
    holders = await repository.granted_nqls(project_ids)
    now = clock.now()
    labels: list[EqlLabel] = []
    certificates: list[Certificate] = []
    events: list[EventPayload] = []
    for nomination in nominations:
        project_id = nomination["project_id"]
        project = facts.get(project_id)
        title = project.title if project else nomination["project_title"]
        members = project.members if project else []
        for recipient in eql.recipients(members, holders.get(project_id, []), policy):
            label = EqlLabel(
                id=eql.label_id(year, project_id, recipient.teacher_id),
                round_id=round_id,
                year=year,
                project_id=project_id,
                project_title=title,
                teacher_id=recipient.teacher_id,
                country=recipient.country,
                school_name=recipient.school_name,
                average=float(nomination["average"]),
                certificate_code=eql.new_eql_code(),
                awarded_at=now,
            )
            certificate = Certificate(
                code=label.certificate_code,
                application_id=label.id,
                teacher_id=label.teacher_id,
                project_id=project_id,
                project_title=title,
                school_name=label.school_name,
                country=label.country,
                granted_at=now,
            )
            labels.append(label)
            certificates.append(certificate)
            events.extend(_award_events(label, base_url))
    await repository.add_labels(labels)
    await repository.add_certificates(certificates)
    await emit_all(tx, events)
    await repository.mark_awarded([n["_id"] for n in nominations], now)
    await repository.count_awarded(round_id, len(nominations), len(labels))
    log.info("eql.batch_awarded", projects=len(nominations), recipients=len(labels))
    return len(nominations)


def certificate_urls(label_id: str, code: str, base_url: str) -> tuple[str, str]:
    base = base_url.rstrip("/")
    return f"{base}/eql/labels/{label_id}/certificate.pdf", f"{base}/eql/certificates/{code}"


def _award_events(label: EqlLabel, base_url: str) -> list[EventPayload]:
    download_url, verification_url = certificate_urls(label.id, label.certificate_code, base_url)
    return [
        emitted.EqlAwarded(
            label_id=label.id,
            round_id=label.round_id,
            year=label.year,
            project_id=label.project_id,
            project_title=label.project_title,
            teacher_id=label.teacher_id,
            country=label.country,
            school_name=label.school_name,
            average=label.average,
            verification_code=label.certificate_code,
            download_url=download_url,
            verification_url=verification_url,
            awarded_at=label.awarded_at,
        ),
        emitted.CertificateIssued(
            verification_code=label.certificate_code,
            application_id=label.id,
            teacher_id=label.teacher_id,
            project_id=label.project_id,
            project_title=label.project_title,
            country=label.country,
            download_url=download_url,
            verification_url=verification_url,
            issued_at=label.awarded_at,
            label="EQL",
        ),
    ]
