"""A corpus of real-world and hostile input files, generated (never downloaded), with what must
become of each one.

    python tests/hostile.py OUT_DIR      # write the corpus, e.g. to try `mgi run OUT_DIR`

Scanned pages are text drawn into an image with Pillow and embedded in a PDF with fpdf2; broken
files are cut or corrupted copies of generated PDFs; the Word file is made with python-docx and
the web page by hand. ``EXPECTED`` says, for every file, the status it must end with and a piece
of the reason (``None``: no reason at all), under ``HOSTILE_LIMITS`` (the environment the tests
run the flow with).
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextMode
from pdfgen import write_docx_like, write_pdf
from PIL import Image, ImageDraw, ImageFont

# the environment the flow runs with in the tests (limits small enough for small files)
HOSTILE_LIMITS = {"MGI_MAX_FILE_MB": "2", "MGI_MAX_PAGES": "20", "MGI_OCR": "1"}

SCAN_LINES = [
    "NATIONAL MIGRATION POLICY DECREE",
    "Article 1. Purpose",
    "This decree establishes the national policy on labour migration",
    "and the protection of migrant workers and their families.",
    "Article 2. Coordination",
    "The Ministry of Labour shall chair an interministerial committee",
    "on migration that meets at least twice every year.",
    "Article 3. Recruitment",
    "Private recruitment agencies shall hold a licence and shall not",
    "charge any recruitment fees to workers.",
    "Article 4. Data",
    "The national statistics office shall publish annual data on",
    "immigration and emigration disaggregated by sex and age.",
]

BILINGUAL_EN = [
    "PART ONE - ENGLISH VERSION",
    "Article 1. Admission of migrant workers",
    "A foreign national who holds a valid offer of employment may apply for a work permit to the",
    "Labour Migration Authority, which shall decide on the application within thirty days. The",
    "Authority shall consider the needs of the national labour market, the qualifications of the",
    "applicant and the conditions of employment offered. A refusal shall state its reasons and",
    "shall inform the applicant of the right to appeal. The permit shall be valid for two years and",
    "may be renewed for the same period. The holder of a permit may change employer after one year",
    "of lawful employment without losing the right of residence. Family members of the holder",
    "shall have access to education and health care on the same terms as nationals. The Authority",
    "shall publish every year the list of occupations in which workers are in short supply, after",
    "consulting the social partners. Employers shall not retain the passport or identity documents",
    "of a migrant worker. Labour inspectors shall have the power to enter any workplace in order to",
    "verify that migrant workers receive the wages and conditions required by law.",
]
BILINGUAL_FR = [
    "DEUXIÈME PARTIE - VERSION FRANÇAISE",
    "Article 2. Admission des travailleurs migrants",
    "Un ressortissant étranger titulaire d'une offre d'emploi valable peut demander un permis de",
    "travail à l'Autorité des migrations de travail, qui statue sur la demande dans un délai de",
    "trente jours. L'Autorité tient compte des besoins du marché national du travail, des",
    "qualifications du demandeur et des conditions d'emploi proposées. Tout refus est motivé et",
    "informe le demandeur de son droit de recours. Le permis est valable deux ans et peut être",
    "renouvelé pour la même durée. Le titulaire d'un permis peut changer d'employeur après un an",
    "d'emploi régulier sans perdre son droit de séjour. Les membres de sa famille ont accès à",
    "l'éducation et aux soins de santé dans les mêmes conditions que les nationaux. L'Autorité",
    "publie chaque année la liste des métiers en tension, après consultation des partenaires",
    "sociaux. Les employeurs ne peuvent retenir le passeport ou les documents d'identité d'un",
    "travailleur migrant. Les inspecteurs du travail peuvent entrer dans tout lieu de travail afin",
    "de vérifier que les travailleurs migrants perçoivent les salaires prévus par la loi.",
]

LAW_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Migration Act 2024 - Legislation of Testland</title>
<style>body { font-family: serif } .nav { color: red }</style>
<script>var tracking = "NAVIGATION SCRIPT TEXT"; function f() { return 1 < 2; }</script></head>
<body>
<header><a href="/">Home</a> | <a href="/search">Search legislation</a></header>
<nav class="breadcrumbs"><ul><li>Home</li><li>Acts</li><li>Migration Act 2024</li></ul></nav>
<main>
<h1>Migration Act 2024</h1>
<p>An Act to provide for the admission, stay and protection of migrants.</p>
<h2>Part 1 &mdash; Preliminary</h2>
<p><strong>Section 1. Short title.</strong> This Act may be cited as the Migration Act 2024.</p>
<h2>Part 2 &mdash; Rights of migrants</h2>
<p><strong>Section 2. Health care.</strong> Every migrant, whatever his or her status, shall have
access to emergency health care and to primary care on the same terms as nationals.</p>
<ol>
<li>(a) children of migrants shall be enrolled in public schools;</li>
<li>(b) migrant workers shall be covered by social security.</li>
</ol>
<table><tr><th>Permit</th><th>Duration</th></tr><tr><td>Work permit</td><td>2 years</td></tr></table>
</main>
<aside>Related: Nationality Act</aside>
<footer>&copy; Testland Government 2024 &middot; Cookies</footer>
</body></html>
"""

ERROR_PAGE = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n"


@dataclass(frozen=True)
class Expect:
    status: str  # "processed" | "failed"
    reason: str | None  # a piece of the reason; None: no reason at all
    ocr_pages: int = 0
    source_format: str | None = None


EXPECTED: dict[str, Expect] = {
    "good.pdf": Expect("processed", None, 0, "pdf"),
    "scan_image_only.pdf": Expect("processed", None, 1, "pdf"),
    "scan_mixed.pdf": Expect("processed", None, 1, "pdf"),
    "garbled_layer.pdf": Expect("processed", None, 1, "pdf"),
    "bilingual.pdf": Expect("processed", None, 0, "pdf"),
    "law.docx": Expect("processed", None, 0, "docx"),
    "law.html": Expect("processed", None, 0, "html"),
    "word_named.pdf": Expect("processed", None, 0, "docx"),
    "encrypted.pdf": Expect("failed", "password-protected PDF"),
    "truncated.pdf": Expect("failed", "damaged or truncated PDF"),
    "junk_after_magic.pdf": Expect("failed", "damaged or truncated PDF"),
    "empty.pdf": Expect("failed", "empty file (0 bytes)"),
    "zero_pages.pdf": Expect("failed", "the PDF has no pages"),
    "blank_pages.pdf": Expect("failed", "no text layer on any page"),
    "fake_word_named.pdf": Expect("failed", "not a PDF (a ZIP container"),
    "error_page.pdf": Expect("failed", "not a PDF (an HTML page)"),
    "random_bytes.pdf": Expect("failed", "not a PDF (unrecognised content)"),
    "broken.docx": Expect("failed", "not a DOCX (unrecognised content)"),
    "zip_bomb.docx": Expect("failed", "refused: it would unpack to"),
    "too_big.pdf": Expect("failed", "file too large"),
    "too_many_pages.pdf": Expect("failed", "too many pages (30, limit 20)"),
}


# --------------------------------------------------------------------------- drawing text into images


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def scan_image(lines: list[str], *, dpi: int = 200, noise: float = 0.0, seed: int = 0) -> Image.Image:
    """An A4 page image with ``lines`` printed on it, the way a scanner would give it."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = _font(int(dpi * 0.16))  # ~11.5 pt
    y = int(dpi * 1.0)
    for line in lines:
        draw.text((int(dpi * 0.9), y), line, fill=0, font=font)
        y += int(dpi * 0.26)
    if noise:
        rnd = random.Random(seed)
        px = img.load()
        for _ in range(int(width * height * noise)):
            px[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 255))
    return img


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pdf.set_auto_page_break(False)
    pdf.set_compression(True)
    return pdf


def write_scan_pdf(path: Path, pages: list[list[str] | None], *, text_pages: list[list[str]] | None = None) -> Path:
    """A PDF whose pages are images of text (``None``: a page with a text layer from ``text_pages``)."""
    pdf = _pdf()
    text_iter = iter(text_pages or [])
    for lines in pages:
        pdf.add_page()
        if lines is None:
            pdf.set_font("Helvetica", "", 11)
            pdf.set_y(25)
            for line in next(text_iter):
                pdf.set_x(20)
                pdf.cell(0, 6, line)
                pdf.ln(6)
        else:
            buf = io.BytesIO()
            scan_image(lines).save(buf, "PNG")
            pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


def shift_text(text: str, by: int = 3) -> str:
    """What text looks like through a font without a Unicode map: letters shifted ("Wkh Plqlvwu|")."""
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + by) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + by) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def write_garbled_layer_pdf(path: Path, lines: list[str]) -> Path:
    """A scanned page with an invisible text layer of garbage over it (a bad OCR layer)."""
    pdf = _pdf()
    pdf.add_page()
    buf = io.BytesIO()
    scan_image(lines).save(buf, "PNG")
    pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.set_font("Helvetica", "", 11)
    pdf.text_mode = TextMode.INVISIBLE
    y = 25.0
    for line in lines:
        pdf.text(23, y, shift_text(line) + " ~#" + "".join(random.Random(len(line)).choices("@#%^*|", k=3)))
        y += 6.6
    pdf.output(str(path))
    return path


# --------------------------------------------------------------------------- other formats


def write_law_docx(path: Path, title: str = "Migration Governance Act 2024") -> Path:
    """A Word law with a heading, articles, a list, a table and an explicit page break."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.core_properties.created = datetime(2024, 1, 1)
    d.add_heading(title, level=1)
    d.add_paragraph("Article 1. Scope")
    d.add_paragraph(
        "This Act governs the admission, stay and integration of foreign nationals, and the protection "
        "of nationals who work abroad."
    )
    d.add_paragraph("Article 2. National plan")
    d.add_paragraph("The Ministry of the Interior shall prepare a national migration plan.", style="List Number")
    d.add_paragraph("The plan shall be reviewed every three years with civil society.", style="List Number")
    d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Article 3. Work permits")
    d.add_paragraph(
        "A foreign national may apply for a work permit to the Labour Migration Authority, which shall "
        "decide within thirty days."
    )
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Permit", "Duration"
    table.cell(1, 0).text, table.cell(1, 1).text = "Work permit", "2 years"
    d.save(str(path))
    return path


def write_zip_bomb_docx(path: Path, unpacked_mb: int = 120) -> Path:
    """A .docx whose document.xml unpacks to ``unpacked_mb`` MB (a few hundred KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                fh.write(block)
    return path


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree has no pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# --------------------------------------------------------------------------- the corpus


def build_hostile_corpus(folder: Path) -> dict[str, Path]:
    """Write every file of ``EXPECTED`` into ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    f = {name: folder / name for name in EXPECTED}
    body = [
        "MIGRATION GOVERNANCE ACT",
        "Article 1. Scope",
        "This Act governs the admission, stay and integration of foreign nationals.",
        "Article 2. Health care",
        "Every migrant shall have access to emergency health care on the same terms as nationals.",
    ]
    write_pdf(f["good.pdf"], [body])
    write_scan_pdf(f["scan_image_only.pdf"], [SCAN_LINES])
    write_scan_pdf(f["scan_mixed.pdf"], [None, SCAN_LINES[:7]], text_pages=[body])
    write_garbled_layer_pdf(f["garbled_layer.pdf"], SCAN_LINES[:9])
    write_pdf(f["bilingual.pdf"], [BILINGUAL_EN, BILINGUAL_FR])
    write_law_docx(f["law.docx"])
    f["law.html"].write_text(LAW_HTML, encoding="utf-8")
    write_law_docx(f["word_named.pdf"], title="Labour Migration Act 2025")  # other bytes than law.docx
    write_pdf(f["encrypted.pdf"], [body], encrypt_with="s3cret")
    whole = f["good.pdf"].read_bytes()
    f["truncated.pdf"].write_bytes(whole[: len(whole) // 2])
    f["junk_after_magic.pdf"].write_bytes(b"%PDF-1.7\n" + bytes(random.Random(7).randbytes(4000)))
    f["empty.pdf"].write_bytes(b"")
    f["zero_pages.pdf"].write_bytes(zero_page_pdf())
    write_pdf(f["blank_pages.pdf"], [[], []])
    write_docx_like(f["fake_word_named.pdf"])
    f["error_page.pdf"].write_text(ERROR_PAGE, encoding="utf-8")
    f["random_bytes.pdf"].write_bytes(bytes([0x00, 0xFF]) + random.Random(11).randbytes(3000))
    f["broken.docx"].write_bytes(b"\x00\x01\x02 not a word file " * 20)
    write_zip_bomb_docx(f["zip_bomb.docx"])
    # a valid PDF with 3 MB of padding after its end (over MGI_MAX_FILE_MB=2)
    f["too_big.pdf"].write_bytes(whole + b"\n%" + b"x" * (3 << 20) + b"\n")
    write_pdf(f["too_many_pages.pdf"], [[f"Article {n}. Page {n} of a long compilation."] for n in range(1, 31)])
    return f


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile.py OUT_DIR")
    for name, path in build_hostile_corpus(Path(sys.argv[1])).items():
        print(f"{EXPECTED[name].status:<10} {path}")
