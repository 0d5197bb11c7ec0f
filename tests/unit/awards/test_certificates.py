"""Certificates of granted NQLs: verification codes and the PDF."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from services.awards.common.adapters.certificate_pdf import FpdfCertificateRenderer
from services.awards.common.domain.certificates import (
    CertificateContent,
    certificate_for,
    new_verification_code,
    normalised_code,
)
from services.awards.nql.domain import model as nql
from tests.support.awards_helpers import answers, evidence, policy, project_facts, scores

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def test_verification_codes_are_random_and_readable() -> None:
    codes = {new_verification_code() for _ in range(1000)}

    assert len(codes) == 1000
    assert all(re.fullmatch(r"NQL(-[A-Z2-7]{4}){4}", code) for code in codes)
    assert normalised_code(" nql-abcd-efgh-ijkl-mnop ") == "NQL-ABCD-EFGH-IJKL-MNOP"


def test_only_a_granted_application_gets_a_certificate() -> None:
    calendar, rubric = policy().default.calendar, policy().default.rubric
    [application, *_] = nql.open_applications(project_facts(), NOW)[0]
    submitted = nql.submit(application, answers(), evidence(), calendar, NOW, 1)
    granted = nql.evaluate(submitted, "ES", rubric, scores(), "nso-es", NOW)
    refused = nql.evaluate(submitted, "ES", rubric, scores(ict=0), "nso-es", NOW)

    certificate = certificate_for(granted, "NQL-AAAA-BBBB-CCCC-DDDD")
    assert (certificate.teacher_id, certificate.school_name, certificate.country) == (
        "t-es",
        "School of t-es",
        "ES",
    )
    with pytest.raises(ValueError):
        certificate_for(refused, "NQL-AAAA-BBBB-CCCC-DDDD")


def test_the_pdf_shows_names_in_any_script() -> None:
    pytest.importorskip("fpdf")
    content = CertificateContent(
        code="NQL-AAAA-BBBB-CCCC-DDDD",
        teacher_name="Ayşe Kocabıyık",
        school_name="Borusan Asım Kocabıyık Mesleki ve Teknik Anadolu Lisesi",
        project_title="NETWORK",
        country="TR",
        granted_at=NOW,
        verification_url="http://awards/certificates/NQL-AAAA-BBBB-CCCC-DDDD",
    )

    pdf = FpdfCertificateRenderer().render(content)
    latin_only = FpdfCertificateRenderer(font_path=None).render(content)

    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert latin_only.startswith(b"%PDF-")
    assert b"NQL-AAAA-BBBB-CCCC-DDDD" in latin_only  # core-font text is stored as written
