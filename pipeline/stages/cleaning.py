"""Cleaning the text of PDF pages: running headers, footers and page numbers removed, words
hyphenated at line ends repaired, the lines of a paragraph joined with spaces while a line break is
kept where a new structural unit starts (an article heading, a numbered clause, a list item) or
where a paragraph visibly ends. Reading order is pdfplumber's top-to-bottom line order.

May import: ``pipeline.records``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.records import Page

HEADER_ZONE = 4  # lines at the top of a page that may be a running header
FOOTER_ZONE = 3  # lines at the bottom that may be a running footer


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
      | [A-ZÁÉÍÓÚÑÇÀÂÈÊËÎÏÔÙÛÜŒÃÕ][A-ZÁÉÍÓÚÑÇÀÂÈÊËÎÏÔÙÛÜŒÃÕ\s,'’\-–—]{6,}$                  # ALL-CAPS HEADING
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
    """Raw per-page text (as extracted) to cleaned ``Page`` records.

    Running headers of text-layer pages are found among the text-layer pages alone (OCRed pages
    count as empty there), so OCRing some pages of a document never changes the cleaned text of
    its other pages. OCRed pages are matched against every page, and Tesseract's blank lines
    between paragraphs are kept as paragraph ends.
    """
    flags = list(ocr_flags) if ocr_flags is not None else [False] * len(raw_pages)
    if len(flags) != len(raw_pages):
        raise ValueError("clean_pages: one OCR flag per page is needed")
    pages_lines = [text.splitlines() for text in raw_pages]
    if any(flags):
        nonblank = [[ln for ln in lines if ln.strip()] for lines in pages_lines]
        running = find_running_lines([[] if ocr else lines for lines, ocr in zip(pages_lines, flags, strict=True)])
        running_ocr = find_running_lines(nonblank)
    else:
        running = running_ocr = find_running_lines(pages_lines)
    pages = []
    for number, (lines, ocr) in enumerate(zip(pages_lines, flags, strict=True), start=1):
        if ocr:
            kept, removed = _strip_running(lines, running_ocr)
            text = "\n".join(t for t in (join_lines(par) for par in _paragraphs(kept)) if t)
        else:
            kept, removed = _strip_running(lines, running)
            text = join_lines(kept)
        pages.append(Page(number=number, text=text, removed_lines=removed, ocr=ocr))
    return pages


def _paragraphs(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return out
