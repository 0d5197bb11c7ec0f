"""Builders shared by the School Label tests: policies, school and teacher facts, the
registration events awards keeps them from, and sample School Label events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from services.awards.school_label.domain.model import NqlGrant, SchoolFacts, TeacherFacts
from services.awards.school_label.domain.policy import SchoolLabelPolicy
from shared.events import awards, registration
from shared.events.projects import ProjectCompleted, ProjectMember
from shared.http.auth import Principal, mint_token
from shared.settings import DEV_JWT_SECRET

OPENS = date(2025, 1, 20)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def label_policy(year: int = 2025, opens: date = OPENS, **thresholds: Any) -> SchoolLabelPolicy:
    """A policy with one round that declares only `opens`: every cut-off follows from it."""
    return SchoolLabelPolicy.from_document(
        {"thresholds": thresholds, "rounds": {str(year): {"opens": opens.isoformat()}}}
    )


def school(school_id: str = "s-1", registered_at: datetime | None = None) -> SchoolFacts:
    return SchoolFacts(
        school_id=school_id,
        name=f"School {school_id}",
        country="ES",
        registered_at=registered_at or at(date(2020, 1, 1)),
    )


def teacher(
    teacher_id: str,
    school_id: str = "s-1",
    status: str = "VALIDATED",
    validated_at: datetime | None = None,
) -> TeacherFacts:
    return TeacherFacts(
        teacher_id=teacher_id,
        school_id=school_id,
        country="ES",
        status=status,
        registered_at=validated_at,
        validated_at=validated_at or at(date(2024, 6, 1)),
    )


def grant(project_id: str = "p-1", granted_at: datetime | None = None) -> NqlGrant:
    return NqlGrant(project_id=project_id, granted_at=granted_at or at(date(2024, 6, 1)))


def write_label_policy(path: Path, year: int, opens: date, **thresholds: Any) -> Path:
    """A policy file (JSON: the loader reads .json and .toml alike)."""
    import json

    document = {"thresholds": thresholds, "rounds": {str(year): {"opens": opens.isoformat()}}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# --- registration events, as registration publishes them -----------------------------------


def school_registered(
    school_id: str, country: str = "ES", registered_at: datetime | None = None
) -> registration.SchoolRegistered:
    return registration.SchoolRegistered(
        school_id=school_id,
        name=f"School {school_id}",
        town="Elx",
        country=country,
        registered_at=registered_at or datetime.now(UTC) - timedelta(days=3 * 365),
        head_name="María Pérez",
        head_email=f"head@{school_id}.example",
    )


def teacher_validated(
    teacher_id: str, school_id: str, country: str = "ES", language: str = "en"
) -> registration.TeacherValidated:
    return registration.TeacherValidated(
        teacher_id=teacher_id,
        name=f"Teacher {teacher_id}",
        email=f"{teacher_id}@school.example",
        language=language,
        role="teacher",
        school_id=school_id,
        school_name=f"School {school_id}",
        country=country,
        validated_at=datetime.now(UTC) - timedelta(days=30),
    )


def teacher_registered(
    teacher_id: str, school_id: str, country: str = "ES"
) -> registration.TeacherRegistered:
    return registration.TeacherRegistered(
        teacher_id=teacher_id,
        name=f"Teacher {teacher_id}",
        email=f"{teacher_id}@school.example",
        language="en",
        role="teacher",
        school_id=school_id,
        country=country,
        registered_at=datetime.now(UTC) - timedelta(days=10),
    )


# --- sample School Label events (notifications) --------------------------------------------


def school_label_eligible() -> awards.SchoolLabelEligible:
    return awards.SchoolLabelEligible(
        school_id="s-es", school_name="IES Severo Ochoa", country="ES", year=2025,
        round="2025-2026", teacher_ids=["t-es", "t-de"], active_teachers=3,
        european_projects_with_nql=1, found_at=datetime(2025, 1, 20, 9, 0, tzinfo=UTC),
    )  # fmt: skip


def school_label_decided(outcome: str = "GRANTED") -> awards.SchoolLabelDecided:
    granted = outcome == "GRANTED"
    return awards.SchoolLabelDecided(
        application_id="sch_2025_s-es", school_id="s-es", school_name="IES Severo Ochoa",
        country="ES", year=2025, round="2025-2026", outcome=outcome,
        biennium="2025-2026" if granted else "", biennium_first_year=2025 if granted else None,
        biennium_last_year=2026 if granted else None, reason="Strong evidence of teamwork.",
        applicant_id="t-es", teacher_ids=["t-es", "t-de"],
        decided_at=datetime(2025, 5, 2, 9, 0, tzinfo=UTC),
    )  # fmt: skip


# --- integration tests: a round open tomorrow, the CSS, a completed project -----------------

CURRENT_YEAR = datetime.now(UTC).year


def css_headers() -> dict[str, str]:
    principal = Principal(subject="css-1", role="css")
    token = mint_token(principal, secret=DEV_JWT_SECRET, issuer="etwinning-platform")
    return {"Authorization": f"Bearer {token}"}


def write_rounds_opening_tomorrow(tmp_path: Path, *, closed_window: bool = False) -> Path:
    """Rounds CURRENT_YEAR and the next open tomorrow: NQLs granted today are inside their
    windows, schools registered 3 years ago and teachers validated last month qualify; the
    rounds take applications from today (`closed_window`: they took them until yesterday)."""
    today = datetime.now(UTC).date()
    opens = (today + timedelta(days=1)).isoformat()
    window = (
        f"applications_open = {today - timedelta(days=30)}\n"
        f"applications_close = {today - timedelta(days=1)}\n"
        if closed_window
        else f"applications_open = {today}\n"
    )
    path = tmp_path / "school_label_policy.toml"
    path.write_text(
        f"[rounds.{CURRENT_YEAR}]\nopens = {opens}\n{window}"
        f"[rounds.{CURRENT_YEAR + 1}]\nopens = {opens}\n{window}",
        encoding="utf-8",
    )
    return path


def project_completed_by(project_id: str, members: list[tuple[str, str, str]]) -> ProjectCompleted:
    """A completed European project; members are (teacher id, school id, country)."""
    now = datetime.now(UTC)
    return ProjectCompleted(
        project_id=project_id, title=f"Project {project_id}", project_type="EUROPEAN",
        founder_countries=sorted({country for _, _, country in members}),
        members=[
            ProjectMember(teacher_id=t, school_id=s, school_name=f"School {s}", country=c,
                          role="FOUNDER")
            for t, s, c in members
        ],
        created_at=now - timedelta(days=200), activated_at=now - timedelta(days=190),
        completed_at=now, activity_count=5, pupil_count=40,
    )  # fmt: skip
