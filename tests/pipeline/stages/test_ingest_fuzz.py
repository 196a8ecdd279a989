"""Fuzzing: random and mutated bytes into ingest, random text into the segmenter and the HTML reader.

Whatever comes in, ingest either reads a document or raises ``IngestError`` with a one-line
reason; the segmenter returns passages whose offsets point back at their text. Examples are
derandomised so CI sees the same cases every run (hypothesis still shrinks any failure).
"""

from __future__ import annotations

import functools
import io
import random
import tempfile
import zipfile
from pathlib import Path

from helpers import assert_in_order_without_overlap, page_slice
from hostile import LAW_HTML, SCAN_LINES, write_law_docx, write_scan_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfgen import write_pdf

from pipeline.records import LanguageGuess, Page
from pipeline.stages.formats import html_lines
from pipeline.stages.ingest import IngestError, Limits, read_document
from pipeline.stages.ocr import text_quality
from pipeline.stages.segment import segment

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# OCR stays on, but with a Tesseract that is not there: every code path runs, none takes seconds
LIMITS = Limits(max_file_mb=5, max_pages=50, tesseract="/nonexistent/tesseract")


@functools.cache
def seed(kind: str) -> bytes:
    """A valid file of each kind to mutate (module-level, so a failing example prints short)."""
    d = Path(tempfile.mkdtemp(prefix="fuzz-seeds-"))
    pages = [["MIGRATION ACT", "Article 1. Scope", "This Act governs the admission of foreign nationals."]] * 2
    makers = {
        ".pdf": lambda: write_pdf(d / "a.pdf", pages, header="GAZETTE", footer="Page {p}"),
        ".scan.pdf": lambda: write_scan_pdf(d / "s.pdf", [SCAN_LINES[:3]]),
        ".docx": lambda: write_law_docx(d / "law.docx"),
    }
    if kind == ".html":
        return LAW_HTML.encode()
    return makers[kind]().read_bytes()


def check_read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            doc, pages = read_document(path, None, None, LIMITS)
        except IngestError as err:
            message = str(err)
            assert message and "\n" not in message and len(message) <= 400, message
            return
        assert doc.n_pages == len(pages) >= 1
        assert [p.number for p in pages] == list(range(1, len(pages) + 1))
        assert any(p.text.strip() for p in pages)
        assert doc.reason is None or (doc.reason.startswith("partial: ") and "\n" not in doc.reason)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".pdf", ".docx", ".html", ".htm"]))
def test_random_bytes_never_escape_as_an_unhandled_error(data, suffix):
    check_read(data, suffix)


@FUZZ
@given(
    prefix=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html>", b"\xef\xbb\xbf%PDF-1.7\n"]),
    body=st.binary(max_size=2000),
)
def test_random_bodies_behind_real_signatures(prefix, body):
    check_read(prefix + body, ".pdf")


def mutate(data: bytes, rnd: random.Random, n: int) -> bytes:
    buf = bytearray(data)
    for _ in range(n):
        op = rnd.randrange(5)
        i = rnd.randrange(len(buf)) if buf else 0
        if op == 0 and buf:  # flip bits
            buf[i] ^= 1 << rnd.randrange(8)
        elif op == 1 and buf:  # delete a slice
            del buf[i : i + rnd.randrange(1, 200)]
        elif op == 2 and buf:  # duplicate a slice
            buf[i:i] = buf[i : i + rnd.randrange(1, 200)]
        elif op == 3:  # truncate
            del buf[i:]
        else:  # insert random bytes
            buf[i:i] = rnd.randbytes(rnd.randrange(1, 50))
    return bytes(buf)


@FUZZ
@given(
    kind=st.sampled_from([".pdf", ".scan.pdf", ".docx", ".html"]),
    rnd_seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 8),
)
def test_mutated_documents_never_escape_as_an_unhandled_error(kind, rnd_seed, n):
    check_read(mutate(seed(kind), random.Random(rnd_seed), n), ".pdf" if kind.endswith(".pdf") else kind)


@FUZZ
@given(rnd_seed=st.integers(0, 2**32 - 1))
def test_mutated_word_xml_inside_a_valid_zip(rnd_seed):
    rnd = random.Random(rnd_seed)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed(".docx"))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = mutate(data, rnd, rnd.randrange(1, 6))
            dst.writestr(info, data)
    check_read(out.getvalue(), ".docx")


# --------------------------------------------------------------------------- text in, no crash out

page_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list("\n\n  .;:()-–—•Article 1. ÉéÑñ(a) ARTÍCULO 5.\u00ad\u200b\t\r")),
    ),
    max_size=2500,
)


def fixed_language(text: str) -> LanguageGuess:
    return LanguageGuess("en", 0.99)


@FUZZ
@given(texts=st.lists(page_text, min_size=1, max_size=4), real_detector=st.booleans())
def test_segmenter_takes_any_text(texts, real_detector):
    pages = [Page(number=n, text=t) for n, t in enumerate(texts, start=1)]
    kwargs = {} if real_detector else {"detector": fixed_language}
    passages = segment("f" * 64, pages, LanguageGuess("unknown", 0.0), **kwargs)
    assert_in_order_without_overlap(passages)
    for p in passages:
        assert p.text.strip() == p.text and p.text
        # the offsets point at the passage (an empty page it spans adds only a line break)
        assert page_slice(pages, p).split() == p.text.split()


@FUZZ
@given(
    html=st.lists(
        st.one_of(
            st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<nav>", "</nav>", "<main>"]),
            st.sampled_from(["</main>", "<br>", "<li>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x0;", "&bogus;", "<"]),
            st.text(max_size=40),
        ),
        max_size=60,
    ).map("".join)
)
def test_html_reader_takes_any_markup(html):
    _title, lines = html_lines(html)
    assert all(line and line == line.strip() and "\n" not in line for line in lines)


@FUZZ
@given(text=page_text)
def test_garbage_score_takes_any_text(text):
    q = text_quality(text)
    assert 0.0 <= q.garbage <= 1.0 and q.letters >= 0 and q.tokens == len(text.split())
