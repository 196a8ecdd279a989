"""Store: one transaction per document, idempotent saves, failure bookkeeping, and the read views,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from pg import BACKENDS, database_url
from sqlalchemy.exc import IntegrityError

from pipeline.records import Candidate, Document, DocumentMeta, LanguageGuess, Page, Passage
from pipeline.storage.store import MAX_ATTEMPTS, Store

EN, ES = LanguageGuess("en", 0.99), LanguageGuess("es", 0.98)


def make_doc(tag: str, *, country: str = "Norvania", language: LanguageGuess = EN, n_passages: int = 3):
    sha = (tag * 64)[:64]
    pages = [
        Page(1, "Article 1. Scope\nThis Act applies to migrant workers.", removed_lines=2),
        Page(2, "Article 2. Health\nMigrants have access to health care.", ocr=True),
    ]
    doc = Document(
        sha, f"/corpus/{tag}.pdf", 1234, len(pages), DocumentMeta(title=f"Act {tag}", country=country, level="national")
    )
    passages = [
        Passage(sha, i, 1 + i % 2, 0, 1 + i % 2, 10 + i, f"passage {i} of {tag}", language, heading="Article 1")
        for i in range(n_passages)
    ]
    embeddings = np.arange(n_passages * 4, dtype=np.float32).reshape(n_passages, 4)
    domains = ["1", "2", "1"]
    candidates = [
        Candidate(p.passage_id, f"{domains[i % 3]}.1.{i}", domains[i % 3], round(0.5 + 0.1 * i, 2), 1, "zero-shot:test")
        for i, p in enumerate(passages)
    ]
    return doc, pages, language, passages, embeddings, candidates


def save(store: Store, parts, run_id=None) -> int:
    doc, pages, language, passages, embeddings, candidates = parts
    return store.save_document(doc, pages, language, passages, embeddings, "enc-test", candidates, run_id)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store(backend, tmp_path):
    return Store(database_url(backend, tmp_path))


EMPTY = {"documents": 0, "pages": 0, "passages": 0, "embeddings": 0, "candidates": 0}


def test_save_document_stores_everything(store):
    parts = make_doc("a")
    assert save(store, parts) == 3
    assert store.counts() == {"documents": 1, "pages": 2, "passages": 3, "embeddings": 3, "candidates": 3}
    [row] = store.documents()
    assert row["status"] == "processed" and row["reason"] is None
    assert (row["pages"], row["ocr_pages"], row["passages"], row["candidates"]) == (2, 1, 3, 3)
    assert row["language"] == "en" and row["title"] == "Act a" and row["country"] == "Norvania"
    assert store.should_process(parts[0].sha256) == (False, "already processed")


def test_embeddings_round_trip(store):
    from sqlalchemy import select

    from pipeline.storage.tables import EmbeddingRow

    parts = make_doc("a")
    save(store, parts)
    with store.session() as s:
        rows = {r.passage_id: r for r in s.scalars(select(EmbeddingRow))}
    for passage, vector in zip(parts[3], parts[4], strict=True):
        assert rows[passage.passage_id].encoder == "enc-test"
        np.testing.assert_array_equal(np.frombuffer(rows[passage.passage_id].vector, dtype=np.float32), vector)


def test_save_is_one_transaction_when_a_candidate_is_dangling(store):
    save(store, make_doc("b"))
    before = store.counts()
    doc, pages, language, passages, embeddings, candidates = make_doc("a")
    dangling = Candidate("no-such-passage", "1.1.1", "1", 0.9, 1, "zero-shot:test")
    with pytest.raises(IntegrityError):
        store.save_document(doc, pages, language, passages, embeddings, "enc-test", [*candidates, dangling])
    assert store.counts() == before  # not a page, passage or embedding of "a" was kept
    assert store.document_state(doc.sha256) is None
    assert store.should_process(doc.sha256) == (True, None)


def test_save_is_one_transaction_when_the_database_fails_midway(store, monkeypatch):
    from sqlalchemy.orm import Session

    real_add_all = Session.add_all
    calls = {"n": 0}

    def failing_add_all(self, instances):
        calls["n"] += 1
        if calls["n"] == 3:  # pages and passages are in; embeddings fail
            raise OSError("disk full")
        return real_add_all(self, instances)

    monkeypatch.setattr(Session, "add_all", failing_add_all)
    with pytest.raises(OSError, match="disk full"):
        save(store, make_doc("a"))
    monkeypatch.undo()
    assert store.counts() == EMPTY
    assert save(store, make_doc("a")) == 3  # and the document can be saved afterwards


def test_embeddings_must_match_passages(store):
    doc, pages, language, passages, embeddings, candidates = make_doc("a")
    with pytest.raises(ValueError):
        store.save_document(doc, pages, language, passages, embeddings[:2], "enc-test", candidates)
    assert store.counts() == EMPTY


def test_second_save_of_a_processed_document_adds_nothing(store):
    parts = make_doc("a")
    save(store, parts)
    before = store.counts()
    attempts = store.document_state(parts[0].sha256)
    assert save(store, parts) == 0
    assert save(store, make_doc("a", n_passages=1)) == 0  # even with different analysis results
    assert store.counts() == before
    assert store.document_state(parts[0].sha256) == attempts


def test_save_without_embeddings(store):
    doc, pages, language, passages, _emb, candidates = make_doc("a")
    store.save_document(doc, pages, language, passages, None, "enc-test", candidates)
    assert store.counts()["embeddings"] == 0 and store.counts()["passages"] == 3


def test_record_failure_counts_attempts_and_parks(store):
    save(store, make_doc("b"))
    before = store.counts()
    sha = "f" * 64
    statuses = [store.record_failure("/corpus/bad.pdf", sha, f"reason {n}", size_bytes=10) for n in range(MAX_ATTEMPTS)]
    assert statuses == ["failed"] * (MAX_ATTEMPTS - 1) + ["parked"]
    assert store.document_state(sha) == ("parked", MAX_ATTEMPTS)
    assert store.should_process(sha) == (False, f"parked after {MAX_ATTEMPTS} failed attempts")
    failed = [d for d in store.documents() if d["sha256"] == sha][0]
    assert failed["reason"] == f"reason {MAX_ATTEMPTS - 1}" and failed["attempts"] == MAX_ATTEMPTS
    after = store.counts()
    assert after["documents"] == before["documents"] + 1
    assert {k: v for k, v in after.items() if k != "documents"} == {k: v for k, v in before.items() if k != "documents"}


def test_failed_document_is_retried_until_parked(store):
    sha = "e" * 64
    store.record_failure("/corpus/flaky.pdf", sha, "timeout")
    assert store.should_process(sha) == (True, None)
    store.record_failure("/corpus/flaky.pdf", sha, "timeout")
    assert store.should_process(sha) == (True, None)


def test_document_that_failed_once_can_then_be_processed(store):
    parts = make_doc("a")
    store.record_failure(parts[0].path, parts[0].sha256, "temporary problem")
    assert save(store, parts) == 3
    [row] = store.documents()
    assert row["status"] == "processed" and row["reason"] is None and row["attempts"] == 2
    assert store.status()["failures"] == []


def test_late_failure_does_not_undo_a_processed_document(store):
    parts = make_doc("a")
    save(store, parts)
    before = store.counts()
    assert store.record_failure(parts[0].path, parts[0].sha256, "worker crashed") == "processed"
    assert store.document_state(parts[0].sha256)[0] == "processed"
    assert store.counts() == before


def test_failure_keeps_manifest_metadata(store):
    store.record_failure("/corpus/x.pdf", "d" * 64, "bad", DocumentMeta(title="X Act", country="Valmont"), 99)
    [row] = store.documents()
    assert (row["title"], row["country"], row["status"]) == ("X Act", "Valmont", "failed")


def test_status_summarises_the_database(store):
    save(store, make_doc("a"))
    save(store, make_doc("b", language=ES, country="Costa Serena"))
    store.record_failure("/corpus/bad.pdf", "c" * 64, "not a PDF (an HTML page): convert it")
    run = store.start_run({"paths": ["/corpus"], "when": object()})
    store.finish_run(run, {"new": 2, "failed": 1})
    status = store.status()
    assert {"documents", "passages", "candidates", "failures", "runs", "database"} <= set(status)
    assert status["documents"] == {"processed": 2, "failed": 1}
    assert status["passages"] == 6 and status["passage_languages"] == {"en": 3, "es": 3}
    assert status["candidates"] == {"pending": 6}
    assert [f["reason"] for f in status["failures"]] == ["not a PDF (an HTML page): convert it"]
    assert status["runs"][0]["id"] == run and status["runs"][0]["status"] == "finished"
    assert status["runs"][0]["summary"] == {"new": 2, "failed": 1}


def test_documents_are_listed_by_path(store):
    save(store, make_doc("b"))
    save(store, make_doc("a"))
    assert [d["path"] for d in store.documents()] == ["/corpus/a.pdf", "/corpus/b.pdf"]


def test_candidate_filters(store):
    save(store, make_doc("a"))
    save(store, make_doc("b", language=ES, country="Costa Serena"))
    everything = store.candidates(limit=None)
    assert len(everything) == 6
    assert [c["score"] for c in everything] == sorted((c["score"] for c in everything), reverse=True)
    assert {c["domain"] for c in store.candidates(domain="2")} == {"2"}
    assert len(store.candidates(domain="2")) == 2
    assert {c["indicator"] for c in store.candidates(indicator="1.1.0")} == {"1.1.0"}
    assert {c["document"] for c in store.candidates(country="costa serena")} == {"b.pdf"}
    assert {c["language"] for c in store.candidates(language="es")} == {"es"}
    assert all(c["score"] >= 0.6 for c in store.candidates(min_score=0.6))
    assert len(store.candidates(min_score=0.6)) == 4
    assert {c["document"] for c in store.candidates(document="a.pdf")} == {"a.pdf"}
    assert {c["sha256"][:8] for c in store.candidates(document="bbbbbbbb")} == {"bbbbbbbb"}
    assert store.candidates(status="confirmed") == []
    assert len(store.candidates(status="pending", limit=2)) == 2
    row = store.candidates(document="a.pdf", limit=1)[0]
    assert row["passage_id"].startswith("a" * 16) and row["model_version"] == "zero-shot:test"
    assert {"page", "char_start", "char_end", "text", "title"} <= set(row)


def test_store_creates_the_database_folder(tmp_path):
    path = tmp_path / "deep" / "er" / "mgi.db"
    Store(f"sqlite:///{path}")
    assert path.is_file()
