"""PDF certificates with fpdf2 (a maintained pure-Python PDF library).

fpdf2 is imported when the first certificate is rendered, so the service starts, and does
everything else, where the library is missing; a download then answers 503."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.awards.common.domain.certificates import CertificateContent
from shared.errors import TransientError

MEDIA_TYPE = "application/pdf"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class PdfUnavailable(TransientError):
    """The PDF library is not installed in this environment."""


class FpdfCertificateRenderer:
    media_type = MEDIA_TYPE

    def __init__(self, font_path: Path | None = DEFAULT_FONT) -> None:
        # A Unicode TrueType font shows every teacher's and school's name as written
        # (ı, ş, ő...); without one the PDF core font needs Latin-1 and others become "?".
        self._font_path = font_path if font_path is not None and font_path.exists() else None

    def render(self, content: CertificateContent) -> bytes:
        pdf, family = self._document()
        pdf.set_title(f"National Quality Label {content.code}")
        pdf.set_author("eTwinning")
        pdf.add_page()
        pdf.set_font(family, size=26)
        pdf.cell(
            0, 24, self._text("National Quality Label"), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(family, size=12)
        pdf.cell(0, 10, self._text("awarded to"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=20)
        pdf.cell(0, 14, self._text(content.teacher_name), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=12)
        lines = [
            content.school_name,
            f"for the eTwinning project \u201c{content.project_title}\u201d",
            f"National Support Organisation of {content.country}",
            f"granted on {content.granted_at:%Y-%m-%d}",
        ]
        for line in lines:
            pdf.cell(0, 9, self._text(line), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        pdf.set_font(family, size=10)
        pdf.cell(
            0,
            7,
            self._text(f"Verification code: {content.code}"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.cell(
            0, 7, self._text(content.verification_url), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        return bytes(pdf.output())

    def _document(self) -> tuple[Any, str]:
        try:
            from fpdf import FPDF
        except ImportError as missing:
            raise PdfUnavailable("the PDF library fpdf2 is not installed") from missing
        pdf = FPDF(orientation="landscape", format="A4")
        if self._font_path is None:
            return pdf, "Helvetica"
        pdf.add_font("certificate", fname=str(self._font_path))
        return pdf, "certificate"

    def _text(self, text: str) -> str:
        if self._font_path is not None:
            return text
        return (
            text.replace("\u201c", '"')
            .replace("\u201d", '"')
            .encode("latin-1", "replace")
            .decode("latin-1")
        )
