"""What the shipped model queues on real documents (../shared/corpus-real*; skipped when absent):
document furniture never, generic law (labour, family, civil code articles that do not concern
migrants) mostly not. Passages are the labelled ones, classified exactly as `mgi run` classifies a
document's passages (same classifier, same candidate rule)."""

from __future__ import annotations

from functools import lru_cache

import pytest
from testkit import REAL_CORPUS, REAL_CORPUS_2, REPO

from pipeline.config import DEFAULT_TAXONOMY, REPO_ROOT
from pipeline.learning.factory import build_classifier
from pipeline.learning.realtext import load_labels, resolve
from pipeline.records import LanguageGuess, Passage
from pipeline.stages.classify import candidates

pytestmark = [
    pytest.mark.slow,
    pytest.mark.real_corpus,
    pytest.mark.skipif(
        not (REAL_CORPUS.is_dir() and REAL_CORPUS_2.is_dir()),
        reason=f"real corpora not found at {REAL_CORPUS.resolve()} and {REAL_CORPUS_2.resolve()}",
    ),
]

FURNITURE = {"toc", "form", "signature", "cover", "changelog", "privacy"}
GENERIC_LAW = {
    "sn_code_du_travail.pdf",
    "bf_code_personnes_famille_1989.pdf",
    "sn_loi_2020-13_habilitation_covid19.pdf",
}


@lru_cache(maxsize=1)
def labelled() -> list:
    labels = load_labels([REPO / "annotations" / "real"])
    real, problems = resolve(labels, [REAL_CORPUS, REAL_CORPUS_2])
    assert not problems, problems[:5]
    return real


def queued(examples: list) -> set[int]:
    """Indexes of the examples that `mgi run` would queue."""
    clf = build_classifier(DEFAULT_TAXONOMY, REPO_ROOT / "models" / "default", None)
    passages = [
        Passage(
            f"{i:016d}" + "0" * 48,
            i,
            1,
            0,
            1,
            len(r.example.text),
            r.example.text,
            LanguageGuess(r.example.language, 1.0),
        )
        for i, r in enumerate(examples)
    ]
    _emb, scores = clf.score_texts([p.text for p in passages])
    cands = candidates(passages, scores, 3, clf.model_version, clf.indicator_domain)
    return {int(c.passage_id.split(":")[0]) for c in cands}


def test_tables_of_contents_forms_and_signature_blocks_of_corpus_real_2_are_rarely_queued():
    # The target is none. Measured with the shipped model when this test was written: 18 of 128
    # (14 %), mostly Brazilian application forms and questionnaires whose items read like
    # provisions, Dutch enactment formulas and a booklet's contents reflowed into prose. This bound
    # keeps it from getting worse; the closing note of the session says what is left to do.
    files = {p.name for p in REAL_CORPUS_2.iterdir()}
    furniture = [r for r in labelled() if r.kind in {"toc", "form", "signature"} and r.file in files]
    assert len(furniture) >= 100  # the labels hold enough of them for the check to mean something
    assert len(queued(furniture)) <= 0.15 * len(furniture)


def test_other_furniture_is_rarely_queued():
    # amendment notes, privacy notices, covers: 21 of 224 (9 %) queued when this test was written
    other = [r for r in labelled() if r.kind in FURNITURE - {"toc", "form", "signature"}]
    assert len(queued(other)) <= 0.12 * len(other)


def test_generic_law_is_mostly_left_out_of_the_queue():
    # labour-code, family-code and emergency-law articles labelled as answering no indicator:
    # 19 of 244 (7.8 %) are queued by the shipped model (measured when this test was written);
    # the model before the real labels queued them at scores of 0.97-0.98
    generic = [r for r in labelled() if r.file in GENERIC_LAW and not r.example.indicators]
    assert len(generic) >= 150
    assert len(queued(generic)) <= 0.10 * len(generic)
