"""Builders shared by the awards tests: policies, projects, answers, scores, events."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.awards.config import DEFAULT_NQL_POLICY
from services.awards.nql.domain.model import EligibilityAnswers, Evidence, ProjectFacts
from services.awards.nql.domain.policy import NqlPolicy
from shared.events.projects import ProjectCompleted, ProjectMember
from shared.events.registration import TeacherValidated

ALL_YES = {
    "common_goals": True,
    "finished_or_nearly_finished": True,
    "contributed_to_all_activities": True,
    "partners_organised_collaborative_activities": True,
    "data_protection_and_copyright": True,
}
PERFECT = {
    "online_collaboration": 3,
    "communication": 3,
    "ict": 3,
    "gdpr_copyright_esafety": 3,
    "pedagogy": 6,
    "curriculum": 6,
    "results": 6,
}
EVIDENCE = {"text": "My pupils co-wrote the e-book.", "links": ["https://example.org/ebook"]}


def shipped_policy_document() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_NQL_POLICY.read_text(encoding="utf-8"))


def policy(**default_calendar: Any) -> NqlPolicy:
    """The shipped policy, with the default calendar changed where asked."""
    document = copy.deepcopy(shipped_policy_document())
    document["default"]["calendar"].update(default_calendar)
    return NqlPolicy.from_document(document)


def scores(**changes: int) -> dict[str, int]:
    return {**PERFECT, **changes}


def answers(**changes: bool) -> EligibilityAnswers:
    return EligibilityAnswers(**{**ALL_YES, **changes})


def evidence() -> Evidence:
    return Evidence(**EVIDENCE)


MEMBERS = (("t-es", "ES"), ("t-pt", "PT"), ("t-tr", "TR"))


def project_facts(
    project_id: str = "p-1",
    project_type: str = "EUROPEAN",
    completed_at: datetime | None = None,
    members: tuple[tuple[str, str], ...] = MEMBERS,
) -> ProjectFacts:
    return ProjectFacts.model_validate(
        {
            "project_id": project_id,
            "title": f"Project {project_id}",
            "project_type": project_type,
            "members": [
                {
                    "teacher_id": t,
                    "school_id": f"s-{t}",
                    "school_name": f"School of {t}",
                    "country": c,
                }
                for t, c in members
            ],
            "completed_at": completed_at or datetime.now(UTC),
        }
    )


def project_completed(
    project_id: str,
    project_type: str = "EUROPEAN",
    members: tuple[tuple[str, str], ...] = MEMBERS,
) -> ProjectCompleted:
    now = datetime.now(UTC)
    return ProjectCompleted(
        project_id=project_id,
        title=f"Project {project_id}",
        project_type=project_type,
        founder_countries=sorted({c for _, c in members[:2]}),
        members=[
            ProjectMember(
                teacher_id=t,
                school_id=f"s-{t}",
                school_name=f"School of {t}",
                country=c,
                role="FOUNDER" if i < 2 else "PARTNER",
            )
            for i, (t, c) in enumerate(members)
        ],
        created_at=now - timedelta(days=200),
        activated_at=now - timedelta(days=190),
        completed_at=now,
        activity_count=12,
        pupil_count=60,
    )


def teacher_validated(teacher_id: str, name: str, country: str) -> TeacherValidated:
    return TeacherValidated(
        teacher_id=teacher_id,
        name=name,
        email=f"{teacher_id}@example.org",
        language="en",
        role="teacher",
        school_id=f"s-{teacher_id}",
        school_name=f"School of {teacher_id}",
        country=country,
        validated_at=datetime.now(UTC),
    )


def write_policy(path: Path, document: dict[str, Any]) -> Path:
    """Writes a policy as JSON (the loader reads .json and .toml alike)."""
    import json

    path.write_text(json.dumps(document), encoding="utf-8")
    return path
