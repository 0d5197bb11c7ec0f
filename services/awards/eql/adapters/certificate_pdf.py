"""EQL certificates with the same PDF adapter as the NQL's (fpdf2, DejaVu Sans when present)."""

from __future__ import annotations

from services.awards.common.adapters.certificate_pdf import FpdfCertificateRenderer
from services.awards.common.domain.certificates import CertificateContent


class EqlCertificateRenderer(FpdfCertificateRenderer):
    def render(self, content: CertificateContent) -> bytes:
        pdf, family = self._document()
        pdf.set_title(f"European Quality Label {content.code}")
        pdf.set_author("eTwinning")
        pdf.add_page()
        lines = [
            (26, 24, "European Quality Label"),
            (12, 10, "awarded to"),
            (20, 14, content.teacher_name),
            (12, 9, content.school_name),
            (12, 9, f"for the eTwinning project \u201c{content.project_title}\u201d"),
            (12, 9, f"awarded by the Central Support Service on {content.granted_at:%Y-%m-%d}"),
        ]
        for size, height, text in lines:
            pdf.set_font(family, size=size)
            pdf.cell(0, height, self._text(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        pdf.set_font(family, size=10)
        for text in (f"Verification code: {content.code}", content.verification_url):
            pdf.cell(0, 7, self._text(text), align="C", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
