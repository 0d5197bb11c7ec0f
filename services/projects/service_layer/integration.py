"""Domain events → public integration events (catalog v1, shared/events/projects.py)."""

from __future__ import annotations

from dataclasses import asdict

from services.projects.domain import model
from services.projects.domain.model import Member, Project
from shared.events import projects as contract
from shared.events.base import EventPayload


def member_contract(project: Project, member: Member) -> contract.ProjectMember:
    return contract.ProjectMember(
        teacher_id=member.teacher_id, school_id=member.school_id,
        school_name=member.school_name, country=member.country, role=member.role,
        pupil_count=project.pupils_of(member), administrator=member.administrator,
    )  # fmt: skip


def details_contract(project: Project) -> contract.ProjectDetails:
    return contract.ProjectDetails.model_validate(asdict(project.details))


def _founder_ids(p: Project) -> list[str]:
    return [p.founder_id, p.cofounder_id]


def integration_events(event: model.DomainEvent) -> list[EventPayload]:
    return [_translate(event)]


def _translate(event: model.DomainEvent) -> EventPayload:
    match event:
        case model.Proposed(project=p):
            founder, cofounder = (member_contract(p, m) for m in p.members[:2])
            return contract.ProjectProposed(
                project_id=p.id, title=p.title, project_type=p.project_type,
                founder=founder, cofounder=cofounder, details=details_contract(p),
                proposed_at=p.created_at,
            )  # fmt: skip
        case model.Edited(project=p, by_teacher_id=by, at=at):
            return contract.ProjectEdited(
                project_id=p.id, edited_by=by, details=details_contract(p),
                edited_at=at,
            )  # fmt: skip
        case model.Withdrawn(project=p, by_teacher_id=by, reason=reason, at=at):
            return contract.ProjectWithdrawn(
                project_id=p.id, withdrawn_by=by, reason=reason, member_ids=_founder_ids(p),
                withdrawn_at=at,
            )  # fmt: skip
        case model.CofounderResponded(project=p, accepted=accepted, reason=reason):
            return contract.CofounderResponded(
                project_id=p.id, founder_id=p.founder_id, cofounder_id=p.cofounder_id,
                accepted=accepted, reason=reason,
                awaiting_nso_of=p.founder_countries if accepted else [],
            )  # fmt: skip
        case model.NsoDecided(project=p, country=country, approved=approved, reason=reason):
            return contract.NsoDecided(
                project_id=p.id, country=country, approved=approved, reason=reason,
                awaiting_nso_of=p.awaiting_nso_of if approved else [],
            )  # fmt: skip
        case model.Activated(project=p):
            assert p.activated_at is not None and p.twinspace_id is not None
            return contract.ProjectActivated(
                project_id=p.id, title=p.title, twinspace_id=p.twinspace_id,
                member_ids=[m.teacher_id for m in p.members], activated_at=p.activated_at,
            )  # fmt: skip
        case model.Rejected(project=p, rejected_by=by, reason=reason):
            return contract.ProjectRejected(
                project_id=p.id, rejected_by=by, reason=reason, member_ids=_founder_ids(p)
            )
        case model.PartnerInvited(project=p, teacher_id=teacher_id, invited_by=invited_by):
            return contract.PartnerInvited(
                project_id=p.id, title=p.title, teacher_id=teacher_id, invited_by=invited_by
            )
        case model.PartnerJoined(project=p, member=member):
            return contract.PartnerJoined(project_id=p.id, member=member_contract(p, member))
        case model.PartnerLeft(project=p, member=member, at=at):
            return contract.PartnerLeft(
                project_id=p.id, teacher_id=member.teacher_id, school_id=member.school_id,
                country=member.country, left_at=at,
            )  # fmt: skip
        case model.Completed(project=p, by_teacher_id=by):
            return _completed(p, by)
        case model.Archived(project=p, by_teacher_id=by):
            return contract.ProjectArchived(
                project_id=p.id, archived_by=by, archived_at=p.archived_at
            )
    raise TypeError(f"no integration event for {event!r}")


def _completed(p: Project, by: str) -> contract.ProjectCompleted:
    assert p.activated_at is not None and p.completed_at is not None
    return contract.ProjectCompleted(
        project_id=p.id, title=p.title, project_type=p.project_type,
        founder_countries=p.founder_countries,
        members=[member_contract(p, m) for m in p.members],
        created_at=p.created_at, activated_at=p.activated_at, completed_at=p.completed_at,
        activity_count=p.activity_count, pupil_count=p.pupil_count,
        founder_ids=_founder_ids(p), completed_by=by, twinspace_id=p.twinspace_id,
    )  # fmt: skip
