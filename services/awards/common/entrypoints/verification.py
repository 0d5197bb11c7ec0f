"""Public verification of NQL and EQL certificates: anyone holding a code can confirm it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.awards.access import POLICY
from services.awards.common.domain.certificates import CertificateContent
from services.awards.common.domain.errors import UNKNOWN_CERTIFICATE
from services.awards.common.service_layer.certificates import (
    certificate_by_code,
    content_of,
    eql_content_by_code,
)
from shared.http.access import Grant
from shared.http.inputs import Keyword
from shared.runtime import runtime_of

router = APIRouter(prefix="/certificates", tags=["certificates"])


NQL_LABEL = "National Quality Label"
EQL_LABEL = "European Quality Label"


class VerificationOut(BaseModel):
    valid: bool
    code: str
    label: str
    teacher_name: str
    school_name: str
    project_title: str
    country: str
    granted_at: datetime

    @classmethod
    def of(cls, content: CertificateContent, label: str) -> VerificationOut:
        return cls(
            valid=True,
            code=content.code,
            label=label,
            teacher_name=content.teacher_name,
            school_name=content.school_name,
            project_title=content.project_title,
            country=content.country,
            granted_at=content.granted_at,
        )


@router.get("/{code}")
async def verify_certificate(
    code: Keyword, request: Request, _: Annotated[Grant, POLICY.grant("certificates.verify")]
) -> VerificationOut:
    """No token needed: confirms that the code belongs to a granted National or European
    Quality Label."""
    database = runtime_of(request).database
    base_url = request.app.state.settings.base_url
    certificate = await certificate_by_code(database, code)
    if certificate is not None:
        return VerificationOut.of(await content_of(database, certificate, base_url), NQL_LABEL)
    eql = await eql_content_by_code(database, code, base_url)
    if eql is not None:
        return VerificationOut.of(eql, EQL_LABEL)
    raise UNKNOWN_CERTIFICATE(f"no certificate has the code {code!r}")
