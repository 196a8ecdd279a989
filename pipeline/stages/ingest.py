"""Ingest: a PDF, Word (.docx), HTML, Markdown or text file becomes a ``Document`` and its cleaned ``Page`` texts.

``read_document`` judges the format by the file's first bytes, not its name (a Word file saved as
``.pdf`` is read as Word), refuses files over ``Limits`` (size, pages) with a one-line reason,
and hands PDFs to ``read_pdf`` and the rest to ``pipeline.stages.formats``.

PDF pages are streamed (one pdfplumber page alive at a time, so a 1,000-page file needs no more
memory than a 100-page one). Pages with no usable text layer (none, or mostly garbage by
``pipeline.stages.ocr.text_quality``) are OCRed with Tesseract; what could not be OCRed is said in the
document's ``reason`` ("partial: ..."), and the other pages are kept.

Page text is cleaned by ``pipeline.stages.cleaning`` (running headers and footers, hyphenation,
line joining).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, MgiError
from pipeline.records import Document, DocumentMeta, Page
from pipeline.stages.cleaning import clean_pages
from pipeline.stages.formats import (
    KIND_DESCRIPTIONS,
    MARKDOWN_SUFFIXES,
    PAGE_CHARS,
    FormatError,
    read_docx,
    read_html,
    read_markdown,
    sniff,
)
from pipeline.stages.language import detect, detect_document
from pipeline.stages.ocr import (
    SCRIPT_LANGUAGES,
    TESSERACT_LANGUAGES,
    OcrUnavailable,
    debian_package,
    detect_script,
    find_tesseract,
    ink_share,
    ocr_image,
    render_page,
    text_quality,
)

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
HTML_SUFFIXES = {".html", ".htm"}
MIN_OCR_CONFIDENCE = 60.0  # Tesseract's mean word confidence below which its text is not used


class IngestError(MgiError):
    """A file cannot be read; ``str(err)`` is a one-line reason for the user."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """What a reader may spend on one file; ``Limits.from_env()`` reads the MGI_* variables."""

    max_file_mb: float = 200.0  # MGI_MAX_FILE_MB: larger files are refused before reading
    max_pages: int = 3000  # MGI_MAX_PAGES: longer PDFs are refused
    ocr: bool = True  # MGI_OCR=0 turns OCR off
    ocr_max_pages: int = 300  # MGI_OCR_MAX_PAGES: pages OCRed per document at most
    ocr_dpi: int = 300  # MGI_OCR_DPI
    ocr_timeout: float = 180.0  # seconds for one page
    tesseract: str = "tesseract"  # MGI_TESSERACT: the binary (a name on PATH or a path)
    page_chars: int = PAGE_CHARS  # size of a virtual page (DOCX without page breaks, HTML)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for var, name, kind in (
            ("MGI_MAX_FILE_MB", "max_file_mb", float),
            ("MGI_MAX_PAGES", "max_pages", int),
            ("MGI_OCR_MAX_PAGES", "ocr_max_pages", int),
            ("MGI_OCR_DPI", "ocr_dpi", int),
        ):
            raw = (env.get(var) or "").strip()
            if raw:
                try:
                    value = kind(raw)
                except ValueError:
                    value = -1
                if value < 0 or (name == "ocr_dpi" and not 50 <= value <= 1200):
                    raise ConfigError(
                        f"{var}={raw!r} is not a usable number: unset it or give e.g. {getattr(cls, name)}"
                    )
                values[name] = value
        ocr = (env.get("MGI_OCR") or "").strip().lower()
        if ocr:
            if ocr not in {"0", "1", "no", "yes", "false", "true", "off", "on"}:
                raise ConfigError(f"MGI_OCR={ocr!r}: use 1 (OCR pages without usable text) or 0 (never OCR)")
            values["ocr"] = ocr in {"1", "yes", "true", "on"}
        if env.get("MGI_TESSERACT"):
            values["tesseract"] = env["MGI_TESSERACT"]
        return cls(**values)


# --------------------------------------------------------------------------- any document


def read_document(
    path: Path | str, meta: DocumentMeta | None = None, sha256: str | None = None, limits: Limits | None = None
) -> tuple[Document, list[Page]]:
    """Read a PDF, Word (.docx), HTML, Markdown or text file into a Document and its pages, judging the format by
    the file's content, not its name. Raises ``IngestError`` with a one-line reason."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise IngestError(f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file (0 bytes): re-download or remove it")
    if size > limits.max_file_bytes:
        raise IngestError(
            f"file too large ({size / 1048576:.0f} MB, limit {limits.max_file_mb:g} MB): "
            "split it, or raise MGI_MAX_FILE_MB"
        )
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = sniff(head)
    suffix = path.suffix.lower()
    if kind == "pdf":
        return read_pdf(path, meta, sha256, limits)
    if kind == "text" and suffix in HTML_SUFFIXES:
        kind = "html"  # an HTML fragment without a leading tag
    described = KIND_DESCRIPTIONS.get(kind, "unrecognised content")
    named_pdf = suffix == ".pdf"
    if kind in ("docx", "zip"):
        reader = "Word"
    elif kind == "html":
        reader = "HTML"
    elif kind == "text" and suffix in MARKDOWN_SUFFIXES:
        reader = "Markdown" if suffix in (".md", ".markdown") else "text"
    else:
        what = "PDF" if named_pdf or suffix not in {".docx", *HTML_SUFFIXES} else suffix.lstrip(".").upper()
        raise IngestError(f"not a {what} ({described}): convert it to PDF or remove it from the folder")
    try:
        if reader == "Word":
            texts, _virtual = read_docx(
                path, max_unpacked_bytes=max(limits.max_file_bytes * 5, 50 << 20), page_chars=limits.page_chars
            )
            source, title = "docx", None
        elif reader == "HTML":
            title, texts = read_html(path, max_bytes=limits.max_file_bytes, page_chars=limits.page_chars)
            source = "html"
        else:
            title, texts = read_markdown(path, max_bytes=limits.max_file_bytes, page_chars=limits.page_chars)
            source = "markdown" if reader == "Markdown" else "text"
    except FormatError as err:
        if named_pdf:
            raise IngestError(f"not a PDF ({described}): {err}") from err
        raise IngestError(str(err)) from err
    if len(texts) > limits.max_pages:
        raise IngestError(f"too many pages ({len(texts)}, limit {limits.max_pages}): split it, or raise MGI_MAX_PAGES")
    pages = [Page(number=n, text=t) for n, t in enumerate(texts, start=1)]
    if not any(p.text.strip() for p in pages):
        prefix = f"not a PDF ({described}), and as {reader}: " if named_pdf else ""
        raise IngestError(f"{prefix}no text in the {reader} file: check that it is the document you meant")
    meta = meta or DocumentMeta()
    if title and not meta.title:
        meta = replace(meta, title=title[:300])
    if named_pdf:
        log.info("%s is named .pdf but is %s; read as %s", path, described, reader)
    digest = sha256 or sha256_file(path)
    doc = Document(sha256=digest, path=str(path), size_bytes=size, n_pages=len(pages), meta=meta, source_format=source)
    return doc, pages


# --------------------------------------------------------------------------- PDF reading


def check_pdf_header(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        raise IngestError("empty file (0 bytes): re-download or remove it")
    if PDF_MAGIC not in head:
        kind = KIND_DESCRIPTIONS.get(sniff(head), "unrecognised content")
        raise IngestError(f"not a PDF ({kind}): convert it to PDF or remove it from the folder")


def _open_error(err: Exception) -> IngestError:
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    # pdfplumber wraps pdfminer's error in a PdfminerException: judge by the original
    cause = err.args[0] if err.args and isinstance(err.args[0], BaseException) else err
    if isinstance(cause, PDFPasswordIncorrect):
        return IngestError("password-protected PDF: supply an unlocked copy")
    return IngestError(f"damaged or truncated PDF ({type(cause).__name__}): re-download it")


def iter_raw_pages(path: Path, max_pages: int | None = None, problems: list[str] | None = None) -> Iterator[str]:
    """Yield each page's raw text, one page object alive at a time.

    pdfplumber's ``pdf.pages`` keeps every page (and its cached text map) for the life of the
    file, so pages are made here one by one from pdfminer's page tree, exactly as pdfplumber
    makes them (same ``initial_doctop``, so the same text), and closed after use. Damage found
    after the first page ends the document there and is reported in ``problems``.
    """
    import pdfplumber
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page as PlumberPage

    # pdfplumber's own close() builds the list of every page (and can fail on a broken one), so the
    # file is opened here and closed here, and pdfplumber never holds more than the current page
    with open(path, "rb") as stream:
        try:
            pdf = pdfplumber.open(stream)
        except Exception as err:  # pdfminer raises many types for damaged files
            raise _open_error(err) from err
        try:
            tree = PDFPage.create_pages(pdf.doc)
        except Exception as err:
            raise IngestError(f"damaged PDF, its page tree cannot be read ({type(err).__name__})") from err
        doctop: float = 0
        number = 0
        while True:
            try:
                page_obj = next(tree)
            except StopIteration:
                break
            except Exception as err:  # noqa: BLE001 - damaged page tree
                if number == 0:
                    raise IngestError(f"damaged PDF, its page tree cannot be read ({type(err).__name__})") from err
                if problems is not None:
                    problems.append(f"the page tree is damaged after page {number}; later pages are missing")
                break
            number += 1
            if max_pages is not None and number > max_pages:
                raise IngestError(f"too many pages (over {max_pages}): split the PDF, or raise MGI_MAX_PAGES")
            try:
                page = PlumberPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
            except Exception as err:  # noqa: BLE001 - a page with a broken MediaBox and the like
                log.warning("%s: page %s unreadable (%s); kept as empty", path, number, err)
                yield ""
                continue
            doctop += page.height
            try:
                text = page.extract_text() or ""
            except Exception as err:  # noqa: BLE001
                log.warning("%s: page %s unreadable (%s); kept as empty", path, number, err)
                text = ""
            finally:
                page.close()  # flush_cache() alone leaves the page's text map cached
            del page, page_obj
            yield text


def _pdfium_page_count(path: Path) -> int | None:
    """A quick page count (pypdfium2 reads the page tree without parsing pages), if it can."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - pdfplumber will say what is wrong
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


def read_pdf(
    path: Path, meta: DocumentMeta | None = None, sha256: str | None = None, limits: Limits | None = None
) -> tuple[Document, list[Page]]:
    """Read one PDF into a Document and its cleaned pages, OCRing pages without usable text.
    Raises ``IngestError`` with a reason."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise IngestError(f"no such file: {path}")
    check_pdf_header(path)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise IngestError(
            f"file too large ({size / 1048576:.0f} MB, limit {limits.max_file_mb:g} MB): "
            "split it, or raise MGI_MAX_FILE_MB"
        )
    count = _pdfium_page_count(path)
    if count is not None and count > limits.max_pages:
        raise IngestError(f"too many pages ({count}, limit {limits.max_pages}): split the PDF, or raise MGI_MAX_PAGES")
    digest = sha256 or sha256_file(path)
    problems: list[str] = []
    raw = list(iter_raw_pages(path, limits.max_pages, problems))
    if not raw:
        raise IngestError("the PDF has no pages: re-download it, or remove it from the folder")
    meta = meta or DocumentMeta()
    flags = [False] * len(raw)
    unreadable = [i for i, text in enumerate(raw) if not text_quality(text).usable]
    if unreadable:
        raw, flags, ocr_notes = ocr_pdf_pages(path, raw, unreadable, meta.language_hint, limits)
        problems.extend(ocr_notes)
    pages = clean_pages(raw, flags)
    if not any(p.text.strip() for p in pages):
        detail = f": {problems[-1]}" if problems else ": OCR it first, e.g. with ocrmypdf"
        raise IngestError(_one_line(f"no text layer on any page (scanned images?){detail}"))
    doc = Document(
        sha256=digest,
        path=str(path),
        size_bytes=size,
        n_pages=len(pages),
        meta=meta,
        source_format="pdf",
        reason=_one_line("partial: " + "; ".join(problems)) if problems else None,
    )
    return doc, pages


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_ranges(numbers: Iterable[int]) -> str:
    """1-based page numbers as "3, 5-7"."""
    nums = sorted(set(numbers))
    out: list[str] = []
    start = prev = None
    for n in nums:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
        start = prev = n
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(out)


def _pages_word(numbers: list[int]) -> str:
    return ("page " if len(numbers) == 1 else "pages ") + page_ranges(numbers)


# --------------------------------------------------------------------------- OCR of PDF pages


def _hint_languages(hint: str | None) -> list[str]:
    """ISO codes from a manifest's language field ("es", "hi+en", "en (with Hindi header)")."""
    if not hint:
        return []
    return [c for c in re.findall(r"\b([a-z]{2})\b", hint.lower()) if c in TESSERACT_LANGUAGES]


def _has_graphics(pdf, index: int) -> bool:  # noqa: ANN001 - pypdfium2 document
    """Whether a page draws an image or many paths (a scan, or text drawn as outlines)."""
    import pypdfium2.raw as pdfium_c

    try:
        page = pdf[index]
    except Exception:  # noqa: BLE001 - pdfium cannot load it: let OCR try, and say if it fails
        return True
    try:
        paths = 0
        for obj in page.get_objects(max_depth=2):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return True
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths += 1
                if paths >= 200:
                    return True
        return False
    except Exception:  # noqa: BLE001
        return True
    finally:
        page.close()


def ocr_pdf_pages(
    path: Path, raw: list[str], candidates: list[int], language_hint: str | None, limits: Limits
) -> tuple[list[str], list[bool], list[str]]:
    """OCR the pages (0-based ``candidates``) whose text layer is missing or garbage.

    Returns the new raw texts, the OCR flag of every page and notes on what could not be done.
    A garbage layer is replaced only when OCR reads the page clearly better; an empty one when
    OCR finds usable text. The OCR language comes from the manifest's language hint, else from
    the usable pages, else from a first OCR pass with English, French and Spanish.
    """
    raw = list(raw)
    flags = [False] * len(raw)
    notes: list[str] = []
    quality = {i: text_quality(raw[i]) for i in candidates}
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
    except Exception as err:  # noqa: BLE001
        notes.append(f"{_pages_word([i + 1 for i in candidates])} cannot be rendered for OCR ({type(err).__name__})")
        return raw, flags, notes
    try:
        todo = []
        for i in candidates:
            if quality[i].empty and not _has_graphics(pdf, i):
                continue  # blank, a few lines drawn, or a heading or page number only: nothing to OCR
            todo.append(i)
        if not todo:
            return raw, flags, notes
        pages_word = _pages_word([i + 1 for i in todo])
        no_layer = all(quality[i].empty for i in todo)
        what = "no text layer" if no_layer else "no usable text layer"
        if not limits.ocr:
            notes.append(f"{pages_word} {'has' if len(todo) == 1 else 'have'} {what} and OCR is off (MGI_OCR=0)")
            return raw, flags, notes
        try:
            tess = find_tesseract(limits.tesseract)
        except OcrUnavailable as err:
            verb = "has" if len(todo) == 1 else "have"
            notes.append(f"{pages_word} {verb} {what} and {str(err)[0].lower()}{str(err)[1:]}")
            return raw, flags, notes
        if len(todo) > limits.ocr_max_pages:
            skipped = todo[limits.ocr_max_pages :]
            todo = todo[: limits.ocr_max_pages]
            notes.append(
                f"{_pages_word([i + 1 for i in skipped])} not OCRed (limit {limits.ocr_max_pages} pages "
                "per document: raise MGI_OCR_MAX_PAGES)"
            )
        codes = _hint_languages(language_hint)
        if not codes:
            usable = [raw[i] for i in range(len(raw)) if i not in quality]
            guess = detect_document(usable) if usable else None
            codes = [guess.code] if guess is not None and guess.known else []
        language = tess.language_for(codes)
        detected = bool(codes)
        failed: list[int] = []
        poor: list[int] = []  # pages with something to read that OCR read badly
        confidences: list[float] = []
        script: str | None = None
        for i in todo:
            try:
                image = render_page(pdf, i, limits.ocr_dpi)
                if ink_share(image) < 0.0002:
                    continue  # blank once rendered
                result = ocr_image(image, language, tess, dpi=limits.ocr_dpi, timeout=limits.ocr_timeout)
            except OcrUnavailable as err:
                notes.append(f"OCR stopped at page {i + 1}: {err}")
                break
            except Exception as err:  # noqa: BLE001 - OcrFailed, or a page pdfium cannot render
                log.warning("%s: page %s: OCR failed (%s)", path, i + 1, err)
                failed.append(i + 1)
                continue
            if not detected:  # a first detection pass: the first OCRed page sets the language
                guess = detect(result.text)
                if guess.known and TESSERACT_LANGUAGES.get(guess.code) in tess.languages:
                    language = tess.language_for([guess.code])
                detected = True
            got, before = text_quality(result.text), quality[i]
            read_well = result.confidence >= MIN_OCR_CONFIDENCE and got.usable
            if not read_well and (result.words >= 5 or before.letters) and script is None:
                # read badly: is it another script? If its language data is installed, use it too
                script = detect_script(image, tess) or ""
                extra = SCRIPT_LANGUAGES.get(script)
                if extra in tess.languages and extra not in language.split("+"):
                    try:
                        retry = ocr_image(
                            image, f"{language}+{extra}", tess, dpi=limits.ocr_dpi, timeout=limits.ocr_timeout
                        )
                    except Exception as err:  # noqa: BLE001
                        log.warning("%s: page %s: OCR with %s failed (%s)", path, i + 1, extra, err)
                    else:
                        if retry.confidence > result.confidence:
                            language = f"{language}+{extra}"
                            result, got = retry, text_quality(retry.text)
                            read_well = result.confidence >= MIN_OCR_CONFIDENCE and got.usable
            if (
                read_well
                and (before.empty or got.garbage < before.garbage - 0.15)
                and got.letters > before.letters // 2
            ):
                raw[i], flags[i] = result.text, True
            elif result.words >= 5 or before.letters:
                poor.append(i + 1)
                confidences.append(result.confidence)
            del image
        if failed:
            notes.append(f"OCR failed on {_pages_word(failed)}")
        if poor:
            kept = " (their garbled text layer is kept)" if any(quality[n - 1].letters for n in poor) else ""
            note = (
                f"{_pages_word(poor)} could not be read: OCR ({language}) had a mean confidence of "
                f"{sum(confidences) / len(confidences):.0f}%{kept}"
            )
            extra = SCRIPT_LANGUAGES.get(script or "")
            if extra and extra not in tess.languages:
                note += f"; the script looks {script}: apt-get install {debian_package(extra)}"
            notes.append(note)
        log.info("%s: OCR (%s) on %d page(s), %d used", path, language, len(todo), sum(flags))
        return raw, flags, notes
    finally:
        pdf.close()
