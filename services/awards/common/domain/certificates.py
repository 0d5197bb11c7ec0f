"""Certificates of granted labels (the NQL's here; the EQL issues the same model) and their
public verification codes."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.awards.nql.domain.model import NqlApplication

CODE_PREFIX = "NQL"


class Certificate(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    application_id: str
    teacher_id: str
    project_id: str
    project_title: str
    school_name: str
    country: str
    granted_at: datetime


class CertificateContent(BaseModel):
    """What a certificate shows; the teacher's name comes from the registration facts."""

    model_config = ConfigDict(frozen=True)

    code: str
    teacher_name: str
    school_name: str
    project_title: str
    country: str
    granted_at: datetime
    verification_url: str


def new_verification_code() -> str:
    """NQL-XXXX-XXXX-XXXX-XXXX: 80 random bits in base32, without ambiguous padding."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join([CODE_PREFIX, *(raw[i : i + 4] for i in range(0, 16, 4))])


def normalised_code(code: str) -> str:
    return code.strip().upper()


def certificate_for(application: NqlApplication, code: str) -> Certificate:
    if application.status != "GRANTED" or application.decision is None:
        raise ValueError(f"{application.id} is not granted")
    return Certificate(
        code=code,
        application_id=application.id,
        teacher_id=application.teacher_id,
        project_id=application.project_id,
        project_title=application.project_title,
        school_name=application.school_name,
        country=application.country,
        granted_at=application.decision.decided_at,
    )
