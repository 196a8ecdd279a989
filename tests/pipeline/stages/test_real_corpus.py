"""Ingest and segment on real legislation from ../shared/corpus-real (skipped when it is absent)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from helpers import assert_in_order_without_overlap, page_slice
from testkit import REAL_CORPUS, REPO

from pipeline.records import LanguageGuess, Passage
from pipeline.stages.ingest import read_pdf
from pipeline.stages.language import detect_document
from pipeline.stages.segment import segment

pytestmark = [
    pytest.mark.real_corpus,
    pytest.mark.skipif(
        not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS.resolve()} (../shared/corpus-real)"
    ),
]

LABELS = REPO / "annotations" / "real" / "labels.jsonl"


@pytest.fixture(
    scope="module",
    params=[("uk_immigration_rules_part13_deportation.pdf", "en"), ("mx_reglamento_ley_nacionalidad.pdf", "es")],
    ids=["uk-en", "mx-es"],
)
def real(request):
    name, language = request.param
    path = REAL_CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {REAL_CORPUS.resolve()}")
    doc, pages = read_pdf(path)
    doc_language = detect_document([p.text for p in pages])
    return {
        "name": name,
        "language": language,
        "doc": doc,
        "pages": pages,
        "doc_language": doc_language,
        "passages": segment(doc.sha256, pages, doc_language),
    }


def test_offsets_round_trip(real):
    passages, pages = real["passages"], real["pages"]
    assert len(passages) >= 15
    for p in passages:
        assert p.document_sha256 == real["doc"].sha256
        assert page_slice(pages, p) == p.text
    assert any(p.page != p.page_end for p in passages)  # real articles do run over page breaks
    assert_in_order_without_overlap(passages)


def test_languages(real):
    assert real["doc_language"].code == real["language"]
    languages = Counter(p.language.code for p in real["passages"])
    assert set(languages) <= {real["language"], "unknown"}, languages
    assert languages[real["language"]] >= 0.9 * len(real["passages"])


def test_hand_labels_still_point_at_their_text(real):
    """The labels in annotations/real locate passages by offsets into the cleaned page text."""
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    mine = [lab for lab in labels if lab["file"] == real["name"]]
    assert mine and all(lab["sha256"] == real["doc"].sha256 for lab in mine)
    pages = {p.number: p for p in real["pages"]}
    for lab in mine:
        span = Passage(
            lab["sha256"],
            0,
            lab["page"],
            lab["char_start"],
            lab["page_end"],
            lab["char_end"],
            "",
            LanguageGuess("und", 0.0),
        )
        text = page_slice(list(pages.values()), span)
        assert hashlib.sha1(" ".join(text.split()).encode()).hexdigest() == lab["text_sha1"], lab
