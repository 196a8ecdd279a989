"""The benchmark corpus generator writes valid PDFs with exactly the pages asked for.

(Named test_bench_corpus.py, not test_corpus.py: tests/pipeline/test_corpus.py has that basename
and test folders are not packages.)"""

from __future__ import annotations

import csv
import hashlib

import pdfplumber
import pytest

from bench.corpus import FOOTERS, LANGUAGES, build_corpus, build_document, specs_for
from pipeline.stages.ingest import read_pdf
from pipeline.stages.language import detect_document


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(5, cache=tmp_path_factory.mktemp("bench-cache"))


def test_five_page_corpus_has_five_valid_pages(corpus):
    files = corpus.files()
    assert files and corpus.documents == len(files)
    pages = 0
    for path in files:
        assert path.read_bytes().startswith(b"%PDF-")
        with pdfplumber.open(path) as pdf:
            pages += len(pdf.pages)
            for number, page in enumerate(pdf.pages, start=1):
                lines = (page.extract_text() or "").splitlines()
                assert len(lines) > 10, f"{path.name} p.{number} is almost empty"
                footer = FOOTERS[path.name.split("-")[1]].format(p=number, nb=len(pdf.pages))
                assert lines[-1].strip() == footer
    assert pages == corpus.pages == 5


def test_manifest_describes_every_file(corpus):
    with open(corpus.folder / "manifest.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["file"] for r in rows) == sorted(p.name for p in corpus.files())
    for row in rows:
        assert row["language"] in LANGUAGES
        assert row["title"] and row["country"] and row["level"] == "national"


def test_the_pipeline_reads_it_as_policy_text_in_its_language(corpus):
    path = corpus.files()[0]
    doc, pages = read_pdf(path)
    assert doc.n_pages == len(pages)
    assert sum(p.removed_lines for p in pages) >= len(pages)  # running header and footer were recognised
    assert detect_document([p.text for p in pages]).code == path.name.split("-")[1]


@pytest.mark.parametrize("total", [1, 5, 37, 100, 1000])
def test_document_sizes_add_up_and_larger_corpora_extend_smaller_ones(total):
    specs = specs_for(total)
    assert sum(s.pages for s in specs) == total
    assert all(s.pages >= 1 for s in specs)
    bigger = specs_for(total + 200)
    assert bigger[: len(specs) - 1] == specs[:-1]  # all but the trimmed last document are shared


def test_generation_is_deterministic_and_cached(tmp_path, corpus):
    spec = specs_for(5)[0]
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert build_document(spec, first) == build_document(spec, second) == spec.pages
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    stamp = (corpus.folder / ".complete").stat().st_mtime_ns
    again = build_corpus(5, cache=corpus.folder.parent)
    assert again.folder == corpus.folder
    assert (corpus.folder / ".complete").stat().st_mtime_ns == stamp  # reused, not rebuilt


def test_a_corpus_needs_pages():
    with pytest.raises(ValueError, match="at least one page"):
        specs_for(0)
