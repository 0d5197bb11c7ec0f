"""Use cases of the yearly European Quality Label round (R-EQL-1..6): the CSS opens it (the
candidates are computed into a snapshot, kept current until nominations close), NSOs
nominate, the CSS reviews each nomination and closes the round (every confirmed project's
recipients get the EQL and a certificate). Events go through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.awards.common.domain.certificates import Certificate
from services.awards.eql.adapters.repository import ROUNDS, EqlRepository, emit_all
from services.awards.eql.domain import errors
from services.awards.eql.domain import model as eql
from services.awards.eql.domain.model import CountryQuota, EqlLabel, NominationRefused
from services.awards.eql.domain.policy import EqlPolicy
from services.awards.eql.domain.review import NominationReview, check_can_close, check_review
from services.awards.eql.service_layer import candidates
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
    force: bool = False


@dataclass(frozen=True)
class ReviewNominations:
    """The CSS confirms or refuses nominations, one or many at once (R-EQL-5)."""

    year: int
    reviews: list[NominationReview]
    reviewed_by: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _one_round_per_year(year: int) -> Refused:
    return errors.ROUND_ALREADY_HELD(
        f"the CSS runs one EQL round per year: {year} already has its round", year=year
    )


# --- opening ---------------------------------------------------------------------------------


async def refuse_second_round(uow: UnitOfWork, year: int) -> None:
    """R-EQL-1 at once, before a job is started for an opening that would be refused."""
    if await uow.database[ROUNDS].find_one({"_id": eql.round_id(year)}, {"_id": 1}) is not None:
        raise _one_round_per_year(year)


async def open_round(
    uow: UnitOfWork, policy: EqlPolicy, command: OpenRound, clock: Clock
) -> Document:
    """Computes every assessment with one indexed scan of the window's NQL decisions, writes
    the snapshot under a fresh id, then commits the round, the quota counters and the event.
    A second opening of the year is refused (R-EQL-1), even when both race. The figures are
    recomputed later whenever an NQL the round counts is decided (service_layer.candidates)."""
    round_id = eql.round_id(command.year)
    database = uow.database
    if await database[ROUNDS].find_one({"_id": round_id}, {"_id": 1}) is not None:
        raise _one_round_per_year(command.year)
    start, end = policy.period.bounds(command.year)
    figures = await candidates.compute(database, policy, command.year)
    quotas = figures.quotas
    now = clock.now()
    document: Document = {
        "_id": round_id,
        "year": command.year,
        "status": "OPEN",
        **figures.round_fields(),
        "period_start": start,
        "period_end": end,
        "candidacy_start": candidates.window(policy, command.year)[0],
        "nominations_close": policy.nomination.deadline(end),
        "opened_by": command.opened_by,
        "opened_at": now,
        "awarded_projects": 0,
        "recipients": 0,
        "policy": policy.model_dump(mode="json", exclude={"prizes"}),
    }

    async def work(tx: Transaction) -> Document:
        repository = EqlRepository(tx)
        await repository.add_round(document)
        await repository.add_quotas(round_id, quotas.values())
        await tx.emit(
            emitted.EqlRoundOpened(
                round_id=round_id,
                year=command.year,
                period_start=start,
                period_end=end,
                candidate_count=figures.candidate_count,
                countries=sorted(c for c, q in quotas.items() if q.candidates),
                quotas={c: q.quota for c, q in quotas.items()},
                min_average=policy.nomination.min_average,
                opened_by=command.opened_by,
                opened_at=now,
            )
        )
        return document

    try:
        return await uow.run(work)
    except DuplicateKeyError as duplicate:
        raise _one_round_per_year(command.year) from duplicate


# --- nominating ------------------------------------------------------------------------------


async def nominate(uow: UnitOfWork, policy: EqlPolicy, command: Nominate, clock: Clock) -> Document:
    """Checked against the current figures (recomputed first if an NQL was decided since). A
    refusal is committed (its record and awards.eql.nomination_refused), then raised."""
    await candidates.refresh_if_stale(uow, policy, command.year)
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
        "review": None,
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


# --- reviewing (R-EQL-5) ---------------------------------------------------------------------


async def review_nominations(
    uow: UnitOfWork, command: ReviewNominations, clock: Clock
) -> list[Document]:
    """All or nothing, in one transaction: each review recorded on its nomination; a refused
    one gives its quota place back to the nominating NSO, which is told why
    (awards.eql.nominee_refused)."""
    round_id = eql.round_id(command.year)
    now = clock.now()

    async def work(tx: Transaction) -> list[Document]:
        repository = EqlRepository(tx)
        current = await repository.round(round_id)
        if current is None:
            raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {command.year}")
        reviewed: list[Document] = []
        for review in command.reviews:
            nomination = await repository.nomination(round_id, review.project_id)
            previous = (nomination or {}).get("review") or {}
            check_review(current["status"], nomination is not None, previous.get("outcome"), review)
            assert nomination is not None
            record = {
                "outcome": review.outcome,
                "reason": review.reason,
                "reviewed_by": command.reviewed_by,
                "reviewed_at": now,
            }
            await repository.review(nomination["_id"], record)
            if review.outcome == "REFUSED":
                await repository.give_back_quota(round_id, nomination["country"])
                await tx.emit(
                    emitted.EqlNomineeRefused(
                        round_id=round_id,
                        year=command.year,
                        project_id=nomination["project_id"],
                        project_title=nomination["project_title"],
                        country=nomination["country"],
                        nominated_by=nomination["nominated_by"],
                        reason=review.reason,
                        refused_by=command.reviewed_by,
                        refused_at=now,
                    )
                )
            reviewed.append({**nomination, "review": record})
        return reviewed

    return await uow.run(work)


# --- closing ---------------------------------------------------------------------------------


async def close_round(
    uow: UnitOfWork,
    policy: EqlPolicy,
    command: CloseRound,
    clock: Clock,
    base_url: str,
    batch_projects: int = 100,
) -> Document:
    """Refused before the nomination deadline unless forced, and while a nomination is not
    reviewed. The figures are brought up to date a last time (they are the round's final
    candidates), then OPEN → CLOSING (no nomination after that), then the confirmed
    nominations are awarded in batches, one transaction each (labels, certificates and their
    events in the outbox), then CLOSED with awards.eql.round_closed. Closing a CLOSING round
    resumes where it stopped. (The HTTP route runs the same steps as a job:
    services/awards/eql/service_layer/jobs.py.)"""
    round_id = eql.round_id(command.year)
    await candidates.refresh_if_stale(uow, policy, command.year)
    current = await uow.run(lambda tx: begin_closing(tx, policy, command, clock))
    year = int(current["year"])
    while await uow.run(
        lambda tx: award_batch(tx, policy, round_id, year, base_url, batch_projects, clock)
    ):
        pass
    return await uow.run(lambda tx: finish_closing(tx, command, clock))


async def check_closable(
    uow: UnitOfWork, policy: EqlPolicy, command: CloseRound, clock: Clock
) -> None:
    """The closing's refusals, read now (the route answers them before starting a job)."""
    await uow.run(lambda tx: _checked_round(tx, policy, command, clock))


async def _checked_round(
    tx: Transaction, policy: EqlPolicy, command: CloseRound, clock: Clock
) -> Document:
    repository = EqlRepository(tx)
    current = await repository.round(eql.round_id(command.year))
    if current is None:
        raise errors.UNKNOWN_EQL_ROUND(f"no EQL round for {command.year}")
    deadline = current.get("nominations_close") or policy.nomination.deadline(current["period_end"])
    check_can_close(
        current["status"],
        clock.now(),
        _aware(deadline),
        command.force,
        await repository.unreviewed(current["_id"]) if current["status"] == "OPEN" else 0,
    )
    return current


async def begin_closing(
    tx: Transaction, policy: EqlPolicy, command: CloseRound, clock: Clock
) -> Document:
    """OPEN → CLOSING once the checks pass, or the CLOSING round as it is (resumed)."""
    round_id = eql.round_id(command.year)
    repository = EqlRepository(tx)
    current = await _checked_round(tx, policy, command, clock)
    if current["status"] == "OPEN":
        started = await repository.start_closing(round_id, command.closed_by, clock.now())
        assert started is not None
        return started
    return current


async def finish_closing(tx: Transaction, command: CloseRound, clock: Clock) -> Document:
    """CLOSING → CLOSED with awards.eql.round_closed, once."""
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
