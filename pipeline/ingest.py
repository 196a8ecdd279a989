"""Ingest: a PDF file becomes a ``Document`` and its cleaned ``Page`` texts.

Cleaning keeps reading order (pdfplumber's top-to-bottom line order), removes running headers,
footers and page numbers, repairs words hyphenated at line ends, and joins the lines of a
paragraph with spaces while keeping a line break where a new structural unit starts (an article
heading, a numbered clause, a list item) or where a paragraph visibly ends.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.records import Document, DocumentMeta, Page

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
HEADER_ZONE = 4  # lines at the top of a page that may be a running header
FOOTER_ZONE = 3  # lines at the bottom that may be a running footer


class IngestError(Exception):
    """A file cannot be read; ``str(err)`` is a one-line reason for the user."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- text cleaning

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—|.]*(?:(?:page|pág(?:ina)?\.?|p\.)\s*)?#+(?:\s*(?:of|de|sur|/)\s*#+)?[\s\-–—|.]*$",
    re.IGNORECASE,
)
# A line that opens a structural unit: keep the line break before it.
STRUCTURE_START = re.compile(
    r"""^\s*(?:
        (?i:article|artículo|articulo|art\.|section|sección|seccion|chapter|chapitre|capítulo|capitulo|
           part|partie|título|titulo|title|titre|schedule|annex|annexe|anexo|rule|regla|règle|
           paragraph|párrafo|objective|objectif|objetivo|action|acción|measure|mesure|medida)
           \b[\s.]*(?:\d|[IVXLCivxlc]+(?:er)?\b)              # "Article 5", "TITLE IV", "Titre Ier"
      | \(?[0-9]{1,3}[A-Z]?(?:\.[0-9]{1,3}[A-Z]?)*[.)]\s     # 1.  12A.  9.2.1.  (3)
      | \(?[0-9]{1,3}[A-Z]?(?:\.[0-9]{1,3})*\)\s?            # (1) 2)
      | \([a-zA-Z]{1,2}\)\s                                   # (a) (aa)
      | [a-z]\)\s                                             # a)
      | \((?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)\)\s        # (iv)
      | (?:[IVXLC]+)[.)-]\s                                   # IV.  II)
      | [•▪◦●■\-–—*]\s                                        # bullets
      | [A-ZÁÉÍÓÚÑÇ][A-ZÁÉÍÓÚÑÇ\s,'’\-]{6,}$                  # ALL-CAPS HEADING
      | (?i:párrafo|fracción|inciso|artículo|capítulo|denominación)\s+\S*\s*
           (?:adicionad|reformad|recorrid|derogad)              # gazette amendment notes
    )""",
    re.VERBOSE,
)
_SENTENCE_END = re.compile(r"(?:[.:;!?]['’”\")\]]*|\bDOF \d{2}-\d{2}-\d{4})$")
_HYPHEN_END = re.compile(r"([^\W\d_])[-\u00ad]$")
_LOWER_START = re.compile(r"^[a-zß-ÿ]")  # "Anti-\nTrafficking" keeps its hyphen


def _shape(line: str) -> str:
    """A line's shape for header/footer matching: digits folded, case and spaces ignored."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line.strip().lower()))


_NUMBERED_HEADING = re.compile(
    r"^\s*(?i:article|artículo|articulo|section|sección|seccion|rule|regla|règle|chapter|chapitre|capítulo|"
    r"capitulo|part|partie|título|titulo|title|titre|schedule|annex|annexe|anexo)\b[\s.]*\d"
)


def _running_key(line: str) -> str:
    """What has to repeat for a line to be a running header or footer: its shape, except that a
    numbered heading must repeat with its number ("Article 5" and "Article 11" at the top of two
    pages are two articles, not a running header)."""
    if _NUMBERED_HEADING.match(line):
        return re.sub(r"\s+", " ", line.strip().lower())
    return _shape(line)


def find_running_lines(pages_lines: list[list[str]]) -> set[str]:
    """Keys (``_running_key``) of lines that repeat in the header or footer zone of many pages."""
    n = len(pages_lines)
    if n < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages_lines:
        zone = lines[:HEADER_ZONE] + lines[-FOOTER_ZONE:] if len(lines) > HEADER_ZONE else lines
        counts.update({_running_key(line) for line in zone if line.strip()})
    # Headers may alternate between odd and even pages, so a third of the pages is enough.
    threshold = max(2, int(n * 0.3 + 0.5)) if n >= 4 else n
    return {shape for shape, c in counts.items() if c >= threshold and len(shape) < 200}


def _strip_running(lines: list[str], running: set[str]) -> tuple[list[str], int]:
    """Drop running lines and page numbers, but only from the page's top and bottom zones."""
    keep = list(lines)
    removed = 0

    def droppable(line: str) -> bool:
        shape = _shape(line)
        return not shape or _running_key(line) in running or bool(_PAGE_NUMBER.match(shape))

    # top zone
    i = 0
    while i < min(HEADER_ZONE, len(keep)) and keep and droppable(keep[0]):
        removed += bool(keep[0].strip())
        keep.pop(0)
        i += 1
    # bottom zone
    j = 0
    while j < FOOTER_ZONE and keep and droppable(keep[-1]):
        removed += bool(keep[-1].strip())
        keep.pop()
        j += 1
    return keep, removed


_NUMBERED_REF = re.compile(r"^\(?\d")
_CLAUSE_END = re.compile(r"(?:[.:;,—–\-]['’”\")\]]*|\b(?:and|or|y|o|e|et|ou|u))$", re.IGNORECASE)


def _may_break_before(prev: str, cur: str) -> bool:
    """A structural-looking line only starts a unit if the previous line let a unit end there.

    Narrow layouts wrap cross-references to the start of a line ("... except\n9.6.1. and ..."),
    so a number at the start of a line after an unfinished clause is a continuation.
    """
    if _CLAUSE_END.search(prev) is None and not STRUCTURE_START.match(prev):
        return False
    if _NUMBERED_REF.match(cur):
        return _SENTENCE_END.search(prev) is not None or prev.endswith(("—", "–"))
    return True


def join_lines(lines: list[str]) -> str:
    """Rebuild paragraphs from PDF lines; hyphenated line ends are repaired."""
    lines = [ln.rstrip() for ln in lines if ln.strip()]
    if not lines:
        return ""
    lengths = sorted(len(ln) for ln in lines)
    typical = lengths[int(len(lengths) * 0.75)] if lengths else 0
    out: list[str] = [lines[0].strip()]
    for prev, line in zip(lines, lines[1:], strict=False):
        cur = line.strip()
        prev_s = prev.strip()
        if _HYPHEN_END.search(prev_s) and _LOWER_START.match(cur) and not STRUCTURE_START.match(cur):
            out[-1] = out[-1][:-1]  # drop the hyphen, glue the word halves
            out.append(cur)
            continue
        short_end = _SENTENCE_END.search(prev_s) and len(prev_s) < 0.85 * typical
        breaks = (
            (STRUCTURE_START.match(cur) and _may_break_before(prev_s, cur))
            or short_end
            or (STRUCTURE_START.match(prev_s) and len(prev_s) < 0.6 * typical)
        )
        out.append("\n" + cur if breaks else " " + cur)
    return "".join(out)


def clean_pages(raw_pages: list[str], ocr_flags: Iterable[bool] | None = None) -> list[Page]:
    """Raw per-page text (as extracted) to cleaned ``Page`` records."""
    pages_lines = [text.splitlines() for text in raw_pages]
    running = find_running_lines(pages_lines)
    flags = list(ocr_flags) if ocr_flags is not None else [False] * len(raw_pages)
    pages = []
    for number, (lines, ocr) in enumerate(zip(pages_lines, flags, strict=True), start=1):
        kept, removed = _strip_running(lines, running)
        pages.append(Page(number=number, text=join_lines(kept), removed_lines=removed, ocr=ocr))
    return pages


# --------------------------------------------------------------------------- PDF reading


def check_pdf_header(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise IngestError("empty file (0 bytes): re-download or remove it")
    if PDF_MAGIC not in head:
        kind = _sniff(head)
        raise IngestError(f"not a PDF ({kind}): convert it to PDF or remove it from the folder")


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP container, e.g. a Word .docx file"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Microsoft Office file"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1"):
        return "an image"
    return "unrecognised content"


def iter_raw_pages(path: Path) -> Iterator[str]:
    """Yield each page's raw text, releasing pdfplumber's per-page caches as it goes."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
    except Exception as err:  # pdfminer raises many types for damaged files
        # pdfplumber wraps pdfminer's error in a PdfminerException: judge by the original
        cause = err.args[0] if err.args and isinstance(err.args[0], BaseException) else err
        if isinstance(cause, PDFPasswordIncorrect):
            raise IngestError("password-protected PDF: supply an unlocked copy") from err
        raise IngestError(f"damaged or truncated PDF ({type(cause).__name__}): re-download it") from err
    with pdf:
        try:
            pages = pdf.pages
        except Exception as err:
            raise IngestError(f"damaged PDF, its page tree cannot be read ({type(err).__name__})") from err
        for page in pages:
            try:
                text = page.extract_text() or ""
            except Exception as err:
                log.warning("%s: page %s unreadable (%s); kept as empty", path, page.page_number, err)
                text = ""
            page.flush_cache()
            yield text


def read_pdf(path: Path, meta: DocumentMeta | None = None, sha256: str | None = None) -> tuple[Document, list[Page]]:
    """Read one PDF into a Document and its cleaned pages. Raises ``IngestError`` with a reason."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"no such file: {path}")
    check_pdf_header(path)
    digest = sha256 or sha256_file(path)
    raw = list(iter_raw_pages(path))
    if not raw:
        raise IngestError("the PDF has no pages")
    pages = clean_pages(raw)
    if not any(p.text.strip() for p in pages):
        raise IngestError("no text layer on any page (scanned images?): OCR it first, e.g. with ocrmypdf")
    doc = Document(
        sha256=digest, path=str(path), size_bytes=path.stat().st_size, n_pages=len(pages), meta=meta or DocumentMeta()
    )
    return doc, pages
