"""Response models of the NQL API, built from stored documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.awards.nql.domain.decision import Check


class DecisionOut(BaseModel):
    outcome: str
    rubric_id: str
    scores: dict[str, int]
    total: int
    max_total: int
    explanation: list[Check]
    summary: str
    decided_at: datetime
    decided_by: str
    feedback: str | None = None


class ApplicationOut(BaseModel):
    id: str
    project_id: str
    project_title: str
    teacher_id: str
    country: str
    school_name: str = ""
    status: str
    opened_at: datetime
    submitted_at: datetime | None = None
    school_year: str | None = None
    position_in_school_year: int | None = None
    refusals: int = 0
    decision: DecisionOut | None = None


class ApplicationDetailOut(ApplicationOut):
    answers: dict[str, bool] | None = None
    evidence: dict[str, Any] | None = None
    history: list[dict[str, Any]] = []


class LabelOut(BaseModel):
    application_id: str
    project_id: str
    project_title: str
    teacher_id: str
    country: str
    school_name: str
    granted_at: datetime
    certificate_code: str | None
    decision: DecisionOut


class NotEligibleOut(BaseModel):
    project_id: str
    teacher_id: str
    rule: str
    reason: str


def _decision(document: dict[str, Any]) -> DecisionOut | None:
    record = document.get("decision")
    if not record:
        return None
    decision = record["decision"]
    return DecisionOut(
        outcome=decision["outcome"],
        rubric_id=decision["rubric_id"],
        scores=decision["scores"],
        total=decision["total"],
        max_total=decision["max_total"],
        explanation=decision["checks"],
        summary=record["summary"],
        decided_at=record["decided_at"],
        decided_by=record["decided_by"],
        feedback=record.get("feedback"),
    )


def application_out(document: dict[str, Any]) -> ApplicationOut:
    fields = {k: v for k, v in document.items() if k in ApplicationOut.model_fields}
    return ApplicationOut(**{**fields, "id": document["_id"], "decision": _decision(document)})


def detail_out(document: dict[str, Any] | BaseModel) -> ApplicationDetailOut:
    if isinstance(document, BaseModel):
        data = document.model_dump()
        data["_id"] = data.pop("id")
    else:
        data = document
    fields = {k: v for k, v in data.items() if k in ApplicationDetailOut.model_fields}
    return ApplicationDetailOut(**{**fields, "id": data["_id"], "decision": _decision(data)})


def label_out(document: dict[str, Any], certificate_code: str | None) -> LabelOut:
    decision = _decision(document)
    assert decision is not None
    return LabelOut(
        application_id=document["_id"],
        project_id=document["project_id"],
        project_title=document["project_title"],
        teacher_id=document["teacher_id"],
        country=document["country"],
        school_name=document.get("school_name", ""),
        granted_at=decision.decided_at,
        certificate_code=certificate_code,
        decision=decision,
    )
