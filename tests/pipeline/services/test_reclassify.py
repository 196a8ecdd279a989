"""Reclassifying stored passages: from stored embeddings when the encoder is the same, re-embedding
otherwise; new suggestions beside the old ones; analysts' decisions untouched; resumable."""

from __future__ import annotations

import pytest
from pg import BACKENDS, database_url
from sqlalchemy import update
from toy import ToyEncoder

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.records import Document, DocumentMeta, LanguageGuess, Page
from pipeline.services.reclassify import reclassify, reclassify_and_record
from pipeline.stages.analyse import Classifier
from pipeline.stages.classify import ZeroShotScorer, candidates
from pipeline.stages.segment import segment
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow

TEXTS = [
    "Article 1. Every migrant shall have access to emergency health care and primary care services.",
    "Article 2. Children of migrants shall be enrolled in public schools on the same terms as nationals.",
    "Article 3. Private recruitment agencies shall not charge recruitment fees to migrant workers.",
    "Article 4. Victims of trafficking in persons shall receive a residence permit and shelter.",
]


class Versioned(ZeroShotScorer):
    """A zero-shot scorer standing in for another model version."""

    def __init__(self, taxonomy, encoder, threshold: float, version: str) -> None:  # noqa: ANN001
        super().__init__(taxonomy, encoder, threshold)
        self.model_version = version


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


def classifier(taxonomy, encoder, threshold: float, version: str) -> Classifier:  # noqa: ANN001
    return Classifier(taxonomy, encoder, Versioned(taxonomy, encoder, threshold, version))


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Store:
    return Store(database_url(request.param, tmp_path))


def ingest(store: Store, clf: Classifier, tag: str) -> None:
    """A processed document with embeddings and candidates, as a batch run stores it."""
    sha = (tag * 64)[:64]
    pages = [Page(1, "\n".join(TEXTS))]
    en = LanguageGuess("en", 0.99)
    passages = segment(sha, pages, en)
    emb, scores = clf.score_texts([p.text for p in passages])
    cands = candidates(passages, scores, 3, clf.model_version, clf.indicator_domain)
    store.save_document(
        Document(sha, f"/x/{tag}.pdf", 10, 1, DocumentMeta()), pages, en, passages, emb, clf.encoder.name, cands
    )


def rows(store: Store) -> dict[tuple[str, str, str], tuple[str, float]]:
    return {
        (c["passage_id"], c["indicator"], c["model_version"]): (c["status"], c["score"])
        for c in store.candidates(limit=None)
    }


def test_same_model_again_adds_nothing(store, taxonomy):
    v1 = classifier(taxonomy, ToyEncoder(), 0.05, "v1")
    ingest(store, v1, "a")
    before = rows(store)
    report = reclassify(store, v1)
    assert report.rescored_from_stored == report.passages > 0 and report.re_embedded == 0
    assert report.added == 0 and report.already_there == len(before)  # stored vectors give the very same scores
    assert rows(store) == before


def test_new_version_keeps_decisions_and_adds_beside_them(store, taxonomy):
    toy = ToyEncoder()
    ingest(store, classifier(taxonomy, toy, 0.05, "v1"), "a")
    ingest(store, classifier(taxonomy, toy, 0.05, "v1"), "b")
    decided = sorted(rows(store))[:2]
    with store.write() as s:
        for (pid, ind, mv), status in zip(decided, ("confirmed", "rejected"), strict=True):
            s.execute(
                update(CandidateRow)
                .where(
                    CandidateRow.passage_id == pid, CandidateRow.indicator_id == ind, CandidateRow.model_version == mv
                )
                .values(status=status)
            )
    before = rows(store)
    v2 = classifier(taxonomy, toy, 0.0, "v2")
    run_id, report = reclassify_and_record(store, v2)
    after = rows(store)
    assert {k: after[k] for k in before} == before  # not one old candidate changed, decided or not
    new = {k: v for k, v in after.items() if k not in before}
    assert report.added == len(new) > 0 and all(k[2] == "v2" and v[0] == "pending" for k, v in new.items())
    assert report.kept_decisions == 2  # the decided pairs get no new pending suggestion
    assert not {(p, i) for p, i, _ in new} & {(p, i) for p, i, _ in decided}
    assert report.documents == 2 and report.re_embedded == 0
    again = reclassify(store, v2)  # resumable / idempotent: an interrupted run is simply run again
    assert again.added == 0 and again.already_there == report.added
    [run] = [r for r in store.status()["runs"] if r["id"] == run_id]
    assert run["kind"] == "reclassify" and run["status"] == "finished" and run["summary"]["added"] == report.added


def test_another_encoder_embeds_again_once(store, taxonomy):
    ingest(store, classifier(taxonomy, ToyEncoder(), 0.05, "v1"), "a")
    other = classifier(taxonomy, ToyEncoder(dim=128, name="toy-128"), 0.0, "v3")
    first = reclassify(store, other)
    assert first.re_embedded == first.passages > 0 and first.rescored_from_stored == 0
    assert store.counts()["embeddings"] == 2 * first.passages  # both encoders' vectors are kept
    store_rows = rows(store)
    assert sum(k[2] == "v3" for k in store_rows) == first.added > 0
    second = reclassify(store, other)
    assert second.rescored_from_stored == second.passages and second.re_embedded == 0


def test_one_document_only(store, taxonomy):
    toy = ToyEncoder()
    ingest(store, classifier(taxonomy, toy, 0.05, "v1"), "a")
    ingest(store, classifier(taxonomy, toy, 0.05, "v1"), "b")
    report = reclassify(store, classifier(taxonomy, toy, 0.0, "v2"), document="b.pdf")
    assert report.documents == 1
    assert {k[0][:1] for k in rows(store) if k[2] == "v2"} == {"b"}
