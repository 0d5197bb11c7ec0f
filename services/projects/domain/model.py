"""Projects (R-PRJ-1..6), what the service knows of teachers (R-REG-4), and the domain events
a project raises. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.projects.domain import rules
from shared.errors import ErrorCode


class ProjectStatus(StrEnum):
    PENDING_PARTNER = "PENDING_PARTNER"
    PENDING_NSO = "PENDING_NSO"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


PENDING = frozenset({ProjectStatus.PENDING_PARTNER, ProjectStatus.PENDING_NSO})
FOUNDER = "FOUNDER"
PARTNER = "PARTNER"


@dataclass(frozen=True)
class KnownTeacher:
    """A teacher as registration's events describe them; UNKNOWN when none arrived yet."""

    teacher_id: str
    status: str
    school_id: str = ""
    school_name: str = ""
    country: str = ""

    @property
    def validated(self) -> bool:
        return self.status == "VALIDATED"

    @classmethod
    def unknown(cls, teacher_id: str) -> KnownTeacher:
        return cls(teacher_id, "UNKNOWN")


@dataclass(frozen=True)
class ProjectDetails:
    """The founders' description of the project; editable while pending (R-PRJ-3)."""

    title: str
    description: str = ""
    subjects: tuple[str, ...] = ()
    pupil_age_min: int | None = None
    pupil_age_max: int | None = None
    languages: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    vocational_field: str | None = None
    erasmus_plus_ref: str | None = None

    def __post_init__(self) -> None:
        low, high = self.pupil_age_min, self.pupil_age_max
        if low is not None and high is not None and low > high:
            raise rules.PROJECT_AGE_RANGE_EMPTY(
                "pupils' age range is empty", age_min=low, age_max=high
            )

    def with_changes(self, changes: dict[str, Any]) -> ProjectDetails:
        return replace(self, **changes)


@dataclass
class Member:
    teacher_id: str
    school_id: str
    school_name: str
    country: str
    role: str  # FOUNDER or PARTNER
    administrator: bool = False
    joined_at: datetime | None = None

    @classmethod
    def of(cls, teacher: KnownTeacher, role: str, now: datetime) -> Member:
        return cls(
            teacher.teacher_id, teacher.school_id, teacher.school_name, teacher.country, role,
            administrator=role == FOUNDER, joined_at=now,
        )  # fmt: skip


@dataclass
class Project:
    id: str
    details: ProjectDetails
    project_type: str
    status: ProjectStatus
    founder_id: str
    cofounder_id: str
    members: list[Member]
    created_at: datetime
    nso_approvals: dict[str, bool] = field(default_factory=dict)
    invited: list[str] = field(default_factory=list)
    pupils_by_school: dict[str, int] = field(default_factory=dict)
    twinspace_id: str | None = None
    activated_at: datetime | None = None
    completed_at: datetime | None = None
    archived_at: datetime | None = None
    ended_reason: str | None = None
    activity_count: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list)

    # --- founding --------------------------------------------------------------------------

    @classmethod
    def propose(
        cls, project_id: str, details: ProjectDetails,
        founder: KnownTeacher, cofounder: KnownTeacher, now: datetime,
    ) -> Project:  # fmt: skip
        require_validated(founder, "found a project", acting=True)
        require_validated(cofounder, "co-found a project", acting=False)
        if founder.teacher_id == cofounder.teacher_id:
            raise rules.COFOUNDER_IS_FOUNDER("the co-founder must be another teacher")
        if founder.school_id == cofounder.school_id:
            raise rules.SAME_SCHOOL_FOUNDERS("the two founders must work in different schools")
        # R-PRJ-2: the type comes from the founders' countries, once and for all (R-PRJ-5).
        project_type = "EUROPEAN" if founder.country != cofounder.country else "NATIONAL"
        project = cls(
            project_id, details, project_type, ProjectStatus.PENDING_PARTNER,
            founder.teacher_id, cofounder.teacher_id,
            [Member.of(founder, FOUNDER, now), Member.of(cofounder, FOUNDER, now)], now,
        )  # fmt: skip
        project._record(Proposed(project), now, "proposed", founder.teacher_id)
        return project

    def edit(self, by_teacher_id: str, changes: dict[str, Any], now: datetime) -> None:
        self._require_founder(by_teacher_id, "edit the project")
        self._require_pending("edit")
        self.details = self.details.with_changes(changes)
        self._record(
            Edited(self, by_teacher_id, now), now, "edited", by_teacher_id,
            fields=sorted(changes),
        )  # fmt: skip

    def withdraw(self, by_teacher_id: str, reason: str | None, now: datetime) -> None:
        self._require_founder(by_teacher_id, "withdraw the project")
        self._require_pending("withdraw")
        self.status = ProjectStatus.WITHDRAWN
        self.ended_reason = reason
        self._record(
            Withdrawn(self, by_teacher_id, reason, now), now, "withdrawn",
            by_teacher_id, reason=reason,
        )  # fmt: skip

    def respond(
        self, cofounder: KnownTeacher, accept: bool, reason: str | None, now: datetime
    ) -> None:
        if cofounder.teacher_id != self.cofounder_id:
            raise rules.NOT_THE_COFOUNDER("only the co-founder answers")
        if accept:  # R-REG-4 before the project's state, as for joining
            require_validated(cofounder, "accept a project", acting=True)
        self._require_status(
            ProjectStatus.PENDING_PARTNER, "answer", rules.PROJECT_NOT_PENDING_PARTNER
        )
        self.status = ProjectStatus.PENDING_NSO if accept else ProjectStatus.REJECTED
        self._record(
            CofounderResponded(self, accept, reason), now, "cofounder_responded",
            cofounder.teacher_id, accepted=accept, reason=reason,
        )  # fmt: skip
        if not accept:
            self._reject("cofounder", reason or "no reason given", now, cofounder.teacher_id)

    def decide_as_nso(
        self, country: str, approve: bool, reason: str | None, now: datetime,
        *, may_reject: bool = True,
    ) -> None:  # fmt: skip
        """R-PRJ-3: each founder country's NSO approves; whether it may also reject is the
        platform's configuration ([ASSUMPTION] in the rules, allowed by default)."""
        if country not in self.founder_countries:
            raise rules.NSO_NOT_CONCERNED(f"the NSO of {country} does not decide on this project")
        self._require_status(ProjectStatus.PENDING_NSO, "decide on", rules.PROJECT_NOT_PENDING_NSO)
        if country in self.nso_approvals:
            raise rules.NSO_ALREADY_DECIDED(f"the NSO of {country} has already decided")
        if not approve and not may_reject:
            raise rules.NSO_REJECTION_DISABLED("on this platform an NSO approves projects only")
        if not approve and not (reason and reason.strip()):
            raise rules.REASON_REQUIRED("an NSO rejection states its reason")
        self.nso_approvals[country] = approve
        by = f"nso:{country}"
        self._record(
            NsoDecided(self, country, approve, reason), now, "nso_decided", by,
            country=country, approved=approve, reason=reason,
        )  # fmt: skip
        if not approve:
            self._reject(by, reason or "", now, by)
        elif not self.awaiting_nso_of:
            self._activate(now)

    def _activate(self, now: datetime) -> None:
        self.status = ProjectStatus.ACTIVE
        self.activated_at = now
        self.twinspace_id = f"tws_{self.id.removeprefix('prj_')}"
        self._record(Activated(self), now, "activated", "system")

    def _reject(self, by: str, reason: str, now: datetime, actor: str) -> None:
        self.status = ProjectStatus.REJECTED
        self.ended_reason = reason
        self._record(Rejected(self, by, reason), now, "rejected", actor, reason=reason)

    # --- membership (R-PRJ-4) --------------------------------------------------------------

    def invite(self, by_teacher_id: str, invitee: KnownTeacher, now: datetime) -> None:
        self._require_open_for_members("invite partners")
        if not self._is_administrator(by_teacher_id):
            raise rules.NOT_AN_ADMINISTRATOR("only founders and administrators invite partners")
        require_validated(invitee, "be invited", acting=False)
        if self.is_member(invitee.teacher_id) or invitee.teacher_id in self.invited:
            raise rules.ALREADY_MEMBER_OR_INVITED("already a member or invited")
        self.invited.append(invitee.teacher_id)
        self._record(
            PartnerInvited(self, invitee.teacher_id, by_teacher_id), now,
            "partner_invited", by_teacher_id, teacher_id=invitee.teacher_id,
        )  # fmt: skip

    def decline(self, teacher_id: str, now: datetime) -> None:
        self._require_invited(teacher_id)
        self.invited.remove(teacher_id)
        self._record(None, now, "invitation_declined", teacher_id)

    def join(self, teacher: KnownTeacher, pupil_count: int | None, now: datetime) -> None:
        # R-REG-4 first, whatever the project's state: an unvalidated teacher cannot have been
        # invited either, so "not active" or "not invited" would hide the real obstacle.
        require_validated(teacher, "join a project", acting=True)
        self._require_open_for_members("join")
        self._require_invited(teacher.teacher_id)
        self.invited.remove(teacher.teacher_id)
        member = Member.of(teacher, PARTNER, now)
        self.members.append(member)
        if pupil_count is not None or member.school_id not in self.pupils_by_school:
            self.pupils_by_school[member.school_id] = pupil_count or 0
        self._record(PartnerJoined(self, member), now, "partner_joined", teacher.teacher_id)

    def leave(self, teacher_id: str, now: datetime) -> None:
        self._require_open_for_members("leave")
        member = self._member(teacher_id)
        if member.role == FOUNDER:
            raise rules.FOUNDER_CANNOT_LEAVE("a project keeps its two founders")
        self.members.remove(member)
        if not any(m.school_id == member.school_id for m in self.members):
            self.pupils_by_school.pop(member.school_id, None)
        self._record(PartnerLeft(self, member, now), now, "partner_left", teacher_id)

    def appoint_administrator(self, by_teacher_id: str, teacher_id: str, now: datetime) -> None:
        self._require_open_for_members("appoint administrators")
        self._require_founder(by_teacher_id, "appoint administrators")
        member = self._member(teacher_id)
        if member.administrator:
            raise rules.ALREADY_ADMINISTRATOR("already an administrator")
        member.administrator = True
        self._record(None, now, "administrator_appointed", by_teacher_id, teacher_id=teacher_id)

    def count_pupils(self, by_teacher_id: str, pupil_count: int, now: datetime) -> None:
        """Pupils are counted per member school (R-PRJ-6: no pupil accounts or data here)."""
        self._require_open_for_members("count pupils")
        member = self._member(by_teacher_id)
        self.pupils_by_school[member.school_id] = pupil_count
        self._record(
            None, now, "pupils_counted", by_teacher_id,
            school_id=member.school_id, pupil_count=pupil_count,
        )  # fmt: skip

    def record_activity(self, by_teacher_id: str, title: str, now: datetime) -> None:
        self._require_open_for_members("record activities")
        self._member(by_teacher_id)
        self.activity_count += 1
        self._record(None, now, "activity_recorded", by_teacher_id, title=title)

    # --- closing ---------------------------------------------------------------------------

    def complete(self, by_teacher_id: str, now: datetime) -> None:
        self._require_writable()
        self._require_founder(by_teacher_id, "complete the project")
        self._require_status(ProjectStatus.ACTIVE, "complete", rules.PROJECT_NOT_ACTIVE)
        self.status = ProjectStatus.COMPLETED
        self.completed_at = now
        self._record(Completed(self, by_teacher_id), now, "completed", by_teacher_id)

    def archive(self, by_teacher_id: str, now: datetime) -> None:
        self._require_writable()
        self._require_founder(by_teacher_id, "archive the project")
        if self.status is not ProjectStatus.COMPLETED:
            raise rules.PROJECT_NOT_COMPLETED(
                f"only a completed project is archived; this one is {self.status.value}",
                project_status=self.status.value,
            )
        self.status = ProjectStatus.ARCHIVED
        self.archived_at = now
        self._record(Archived(self, by_teacher_id), now, "archived", by_teacher_id)

    # --- views -----------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.details.title

    @property
    def founder_countries(self) -> list[str]:
        return sorted({m.country for m in self.members if m.role == FOUNDER})

    @property
    def member_countries(self) -> list[str]:
        return sorted({m.country for m in self.members})

    @property
    def awaiting_nso_of(self) -> list[str]:
        return [c for c in self.founder_countries if c not in self.nso_approvals]

    @property
    def pupil_count(self) -> int:
        return sum(self.pupils_by_school.values())

    def pupils_of(self, member: Member) -> int:
        return self.pupils_by_school.get(member.school_id, 0)

    def is_member(self, teacher_id: str) -> bool:
        return any(m.teacher_id == teacher_id for m in self.members)

    # --- guards ----------------------------------------------------------------------------

    def _member(self, teacher_id: str) -> Member:
        for member in self.members:
            if member.teacher_id == teacher_id:
                return member
        raise rules.NOT_A_MEMBER(f"{teacher_id} is not a member")

    def _is_administrator(self, teacher_id: str) -> bool:
        return any(m.teacher_id == teacher_id and m.administrator for m in self.members)

    def _require_invited(self, teacher_id: str) -> None:
        if teacher_id not in self.invited:
            raise rules.NOT_INVITED("only invited teachers answer")

    def _require_open_for_members(self, action: str) -> None:
        self._require_writable()
        if self.status is not ProjectStatus.ACTIVE:
            raise rules.PROJECT_NOT_ACTIVE(
                f"cannot {action} before the project is active or after it closed "
                f"(it is {self.status.value})",
                project_status=self.status.value,
            )

    def _require_writable(self) -> None:
        if self.status is ProjectStatus.ARCHIVED:
            raise rules.PROJECT_ARCHIVED("an archived project is read-only")

    def _require_pending(self, action: str) -> None:
        self._require_writable()
        if self.status not in PENDING:
            raise rules.PROJECT_NOT_PENDING(
                f"only a pending project can be changed this way; cannot {action} a "
                f"{self.status.value} project",
                project_status=self.status.value,
            )

    def _require_status(self, expected: ProjectStatus, action: str, refusal: ErrorCode) -> None:
        self._require_writable()
        if self.status is not expected:
            raise refusal(
                f"cannot {action} a project that is {self.status.value}",
                project_status=self.status.value,
            )

    def _require_founder(self, teacher_id: str, action: str) -> None:
        if teacher_id not in (self.founder_id, self.cofounder_id):
            raise rules.NOT_A_FOUNDER(f"only founders {action}")

    def _record(
        self, event: DomainEvent | None, now: datetime, what: str, by: str,
        **details: Any,
    ) -> None:  # fmt: skip
        """Every transition leaves a line of history; most also raise a domain event."""
        if event is not None:
            self.events.append(event)
        entry: dict[str, Any] = {"at": now, "what": what, "by": by, "status": self.status.value}
        entry.update({k: v for k, v in details.items() if v is not None})
        self.history.append(entry)


def require_validated(teacher: KnownTeacher, action: str, *, acting: bool) -> None:
    """R-REG-4: a teacher who is not VALIDATED cannot found, accept or join a project. The
    acting teacher is refused (403); a teacher they name is an invalid input (422)."""
    if not teacher.validated:
        refusal = rules.USER_NOT_VALIDATED if acting else rules.PARTNER_NOT_VALIDATED
        raise refusal(
            f"teacher {teacher.teacher_id} is {teacher.status}, not VALIDATED, and cannot {action}",
            teacher_id=teacher.teacher_id,
            teacher_status=teacher.status,
        )


# --- domain events: each names the aggregate it happened to, so they live beside it; the
# service layer translates them to integration events (service_layer/integration.py) ---


class DomainEvent:
    pass


@dataclass(frozen=True)
class Proposed(DomainEvent):
    project: Project


@dataclass(frozen=True)
class Edited(DomainEvent):
    project: Project
    by_teacher_id: str
    at: datetime


@dataclass(frozen=True)
class Withdrawn(DomainEvent):
    project: Project
    by_teacher_id: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class CofounderResponded(DomainEvent):
    project: Project
    accepted: bool
    reason: str | None


@dataclass(frozen=True)
class NsoDecided(DomainEvent):
    project: Project
    country: str
    approved: bool
    reason: str | None


@dataclass(frozen=True)
class Activated(DomainEvent):
    project: Project


@dataclass(frozen=True)
class Rejected(DomainEvent):
    project: Project
    rejected_by: str
    reason: str


@dataclass(frozen=True)
class PartnerInvited(DomainEvent):
    project: Project
    teacher_id: str
    invited_by: str


@dataclass(frozen=True)
class PartnerJoined(DomainEvent):
    project: Project
    member: Member


@dataclass(frozen=True)
class PartnerLeft(DomainEvent):
    project: Project
    member: Member
    at: datetime


@dataclass(frozen=True)
class Completed(DomainEvent):
    project: Project
    by_teacher_id: str


@dataclass(frozen=True)
class Archived(DomainEvent):
    project: Project
    by_teacher_id: str
