"""The new ingest on real legislation (../shared/corpus-real; skipped when absent): the hand labels
in annotations/real still point at their text, OCR runs only where there is no usable layer, and
what could not be read is said. The small files with the hardest layers are checked here; the
two labelled files of test_real_corpus.py are checked there."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from helpers import page_slice
from testkit import REAL_CORPUS, REPO

from pipeline.records import DocumentMeta, LanguageGuess, Passage
from pipeline.stages.ingest import Limits, iter_raw_pages, read_document
from pipeline.stages.ocr import text_quality

pytestmark = [
    pytest.mark.slow,
    pytest.mark.real_corpus,
    pytest.mark.skipif(
        not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS.resolve()} (../shared/corpus-real)"
    ),
]

FILES = [
    "in_citizenship_act_1955.pdf",  # a scanner's OCR layer, with errors: usable, kept as it is
    "in_citizenship_amendment_act_2019.pdf",  # three pages without a text layer (Hindi scans)
    "in_immigration_foreigners_rules_2025.pdf",  # Hindi and English: Devanagari is text, not garbage
    "uk_hc1333_explanatory_memorandum.pdf",  # URLs and footnote arrows
    "in_passports_act_1967.pdf",
]


def manifest_language(name: str) -> str | None:
    with open(REAL_CORPUS / "manifest.csv", newline="", encoding="utf-8") as fh:
        return next((row["language"] for row in csv.DictReader(fh) if row["file"] == name), None)


@pytest.mark.parametrize("name", FILES)
def test_labels_still_point_at_their_text(name):
    path = REAL_CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {REAL_CORPUS.resolve()}")
    doc, pages = read_document(path, DocumentMeta(language_hint=manifest_language(name)), None, Limits())
    labels = [json.loads(line) for line in (REPO / "annotations/real/labels.jsonl").read_text().splitlines() if line]
    mine = [lab for lab in labels if lab["file"] == name]
    assert mine
    for lab in mine:
        span = Passage(
            lab["sha256"],
            0,
            lab["page"],
            lab["char_start"],
            lab["page_end"],
            lab["char_end"],
            "",
            LanguageGuess("und", 0),
        )
        text = " ".join(page_slice(pages, span).split())
        assert hashlib.sha1(text.encode()).hexdigest() == lab["text_sha1"], lab
    assert not any(p.ocr for p in pages)  # no page with a usable layer was replaced
    if name == "in_citizenship_amendment_act_2019.pdf":
        assert doc.reason.startswith("partial: pages 4-6 could not be read: OCR (eng)")
    else:
        assert doc.reason is None


def test_the_1955_ocr_layer_is_judged_usable():
    path = REAL_CORPUS / "in_citizenship_act_1955.pdf"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in {REAL_CORPUS.resolve()}")
    scores = [text_quality(text).garbage for text in iter_raw_pages(path)]
    assert len(scores) == 17 and max(scores) < 0.1
