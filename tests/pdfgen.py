"""Small real PDFs for the tests, drawn with fpdf2 the way ``corpora/build_sample.py`` draws the sample.

Lines are drawn one by one (no automatic wrapping), so a test knows exactly where every line
break, hyphen, running header and page number sits in the file that pdfplumber reads back.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

# A line is a string (drawn below the previous one; "" leaves a gap) or (y_mm, text) to draw the
# text at a fixed height, whatever the order in which the lines are drawn.
Line = str | tuple[float, str]


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[Line]],
    *,
    header: str | None = None,
    footer: str | None = None,
    encrypt_with: str | None = None,
    font: str = "Helvetica",
    size: float = 10,
    line_height: float = 5.0,
) -> Path:
    """Write a PDF with one entry of ``pages`` per page. ``footer`` may use ``{p}`` and ``{nb}``."""

    class _PDF(FPDF):
        def header(self) -> None:
            if header:
                self.set_font(font, "", 8)
                self.set_y(10)
                self.cell(0, 5, header, align="C")

        def footer(self) -> None:
            if footer:
                self.set_y(-15)
                self.set_font(font, "", 8)
                self.cell(0, 5, footer.format(p=self.page_no(), nb="{nb}"), align="C")

    pdf = _PDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = "windows-1252"  # accents, dashes and curly quotes, as in the sample
    pdf.alias_nb_pages("{nb}")
    pdf.set_margins(20, 24, 20)
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))  # byte-identical output run after run
    if encrypt_with is not None:
        pdf.set_encryption(owner_password="owner-" + encrypt_with, user_password=encrypt_with)
    for lines in pages:
        pdf.add_page()
        pdf.set_font(font, "", size)
        pdf.set_y(24)
        for line in lines:
            if isinstance(line, tuple):
                y, text = line
                pdf.set_xy(pdf.l_margin, y)
                pdf.cell(0, line_height, text)
                continue
            pdf.set_x(pdf.l_margin)
            if line:
                pdf.cell(0, line_height, line)
            pdf.ln(line_height)
        if not lines:  # a page without any text, only a drawing (what a scan without OCR looks like)
            pdf.rect(30, 40, 150, 200)
    pdf.output(str(path))
    return path


def write_docx_like(path: Path) -> Path:
    """ZIP bytes shaped like a Word file, under whatever name ``path`` has."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>Article 1</w:p></w:body></w:document>")
    return path
