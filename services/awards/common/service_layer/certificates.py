"""Certificates: the content of a granted NQL's certificate and its rendering to PDF behind a
small interface, so the PDF library stays an adapter (adapters/certificate_pdf.py)."""

from __future__ import annotations

from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from services.awards.common.domain.certificates import (
    Certificate,
    CertificateContent,
    normalised_code,
)
from services.awards.eql.adapters.repository import EQL_CERTIFICATES
from services.awards.eql.service_layer.use_cases import certificate_urls as eql_certificate_urls
from services.awards.nql.adapters.repository import CERTIFICATES, TEACHERS, certificate_from
from services.awards.nql.service_layer.use_cases import certificate_paths
from shared.storage.mongo import Document

ERASED_HOLDER = "(name erased at the holder's request)"
UNKNOWN_HOLDER = "(name not yet known)"


class CertificateRenderer(Protocol):
    media_type: str

    def render(self, content: CertificateContent) -> bytes: ...


async def certificate_by_code(database: AsyncDatabase[Document], code: str) -> Certificate | None:
    document = await database[CERTIFICATES].find_one({"_id": normalised_code(code)})
    return None if document is None else certificate_from(document)


async def certificate_of_application(
    database: AsyncDatabase[Document], application_id: str
) -> Certificate | None:
    document = await database[CERTIFICATES].find_one({"application_id": application_id})
    return None if document is None else certificate_from(document)


async def content_of(
    database: AsyncDatabase[Document], certificate: Certificate, base_url: str
) -> CertificateContent:
    """The teacher's name is read when the certificate is shown, so an erasure takes effect
    on every later download and verification."""
    _, verification_url = certificate_paths(certificate, base_url)
    return await _content(database, certificate, verification_url)


async def eql_content_by_code(
    database: AsyncDatabase[Document], code: str, base_url: str
) -> CertificateContent | None:
    """An EQL certificate (its own collection; `application_id` holds the label's id)."""
    document = await database[EQL_CERTIFICATES].find_one({"_id": normalised_code(code)})
    if document is None:
        return None
    certificate = certificate_from(document)
    label_id = certificate.application_id
    _, verification_url = eql_certificate_urls(label_id, certificate.code, base_url)
    return await _content(database, certificate, verification_url)


async def _content(
    database: AsyncDatabase[Document], certificate: Certificate, verification_url: str
) -> CertificateContent:
    return CertificateContent(
        code=certificate.code,
        teacher_name=await _holder_name(database, certificate.teacher_id),
        school_name=certificate.school_name,
        project_title=certificate.project_title,
        country=certificate.country,
        granted_at=certificate.granted_at,
        verification_url=verification_url,
    )


async def _holder_name(database: AsyncDatabase[Document], teacher_id: str) -> str:
    teacher = await database[TEACHERS].find_one({"_id": teacher_id})
    if teacher is None:
        return UNKNOWN_HOLDER
    if teacher.get("erased"):
        return ERASED_HOLDER
    return str(teacher.get("name") or UNKNOWN_HOLDER)
