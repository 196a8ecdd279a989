"""Store bookkeeping for unattended runs: counted attempts, dead runs, parking, adding suggestions
beside analysts' decisions; on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import numpy as np
import pytest
from pg import BACKENDS, database_url
from sqlalchemy import select, update
from test_store import make_doc, save

from pipeline.errors import ConfigError
from pipeline.records import Candidate, DocumentMeta, Page
from pipeline.storage.engine import DatabaseUnavailable
from pipeline.storage.store import HOST, Store
from pipeline.storage.tables import CandidateRow, DocumentRow, PageRow, RunRow, now


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def url(backend, tmp_path) -> str:
    return database_url(backend, tmp_path)


@pytest.fixture
def store(url) -> Store:
    return Store(url)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def add_run(store: Store, **values) -> int:
    with store.write() as s:
        run = RunRow(kind="process", params={}, status="running", **values)
        s.add(run)
        s.flush()
        return run.id


# --------------------------------------------------------------------------- attempts


def test_an_attempt_is_counted_before_the_work(store):
    doc, *_ = parts = make_doc("a")
    run = store.start_run({})
    assert store.begin_attempt(doc.path, doc.sha256, run, doc.meta, 99) == (True, None)
    row = store.documents()[0]
    assert (row["status"], row["attempts"], row["passages"]) == ("processing", 1, 0)
    assert row["title"] == "Act a"  # the manifest's metadata is kept from the start
    save(store, parts, run_id=run)
    assert store.document_state(doc.sha256) == ("processed", 1)  # the same attempt, not a second one
    assert store.begin_attempt(doc.path, doc.sha256, store.start_run({})) == (False, "already processed")


def test_failure_after_a_counted_attempt_is_not_counted_twice(store):
    run = store.start_run({})
    store.begin_attempt("/x/bad.pdf", "b" * 64, run)
    assert store.record_failure("/x/bad.pdf", "b" * 64, "damaged", run_id=run) == "failed"
    assert store.document_state("b" * 64) == ("failed", 1)


def test_a_document_being_processed_by_a_live_run_is_left_to_it(store):
    other = add_run(store, host=HOST, pid=None, heartbeat_at=now())
    store.begin_attempt("/x/a.pdf", "a" * 64, other)
    mine = store.start_run({})
    assert store.begin_attempt("/x/a.pdf", "a" * 64, mine) == (False, f"being processed by run #{other}")


def test_triage_answers_for_many_documents_at_once(store):
    save(store, make_doc("a"))
    store.record_failure("/x/b.pdf", "b" * 64, "bad")
    for _ in range(store.max_attempts):
        store.record_failure("/x/c.pdf", "c" * 64, "bad")
    verdicts = store.triage(["a" * 64, "b" * 64, "c" * 64, "d" * 64])
    assert verdicts == {
        "a" * 64: (False, "already processed"),
        "b" * 64: (True, None),
        "c" * 64: (False, f"parked after {store.max_attempts} failed attempts"),
        "d" * 64: (True, None),
    }


def test_max_attempts_is_configurable(url):
    store = Store(url, max_attempts=1)
    assert store.record_failure("/x/bad.pdf", "b" * 64, "damaged") == "parked"
    assert Store(url, max_attempts=5).should_process("b" * 64) == (True, None)  # a higher limit lets it try again
    with pytest.raises(ValueError, match="at least 1"):
        Store(url, max_attempts=-2)


def test_unpark_gives_fresh_attempts(store):
    for _ in range(store.max_attempts):
        store.record_failure("/x/bad.pdf", "b" * 64, "damaged")
    assert store.status()["parked"][0]["reason"] == "damaged"
    assert store.unpark("nothing-like-it") == 0
    assert store.unpark("bad.pdf") == 1
    assert store.should_process("b" * 64) == (True, None)
    assert store.document_state("b" * 64) == ("failed", 0)


# --------------------------------------------------------------------------- dead runs


def test_a_run_whose_process_died_is_marked_interrupted(store):
    run = add_run(store, host=HOST, pid=dead_pid(), heartbeat_at=now())
    store.begin_attempt("/x/a.pdf", "a" * 64, run)
    assert store.mark_stale_runs() == [run]
    assert store.status()["runs"][0]["status"] == "interrupted"
    row = store.documents()[0]
    assert row["status"] == "failed" and f"run #{run} was interrupted" in row["reason"]
    assert store.should_process("a" * 64) == (True, None)  # tried again next time
    assert store.mark_stale_runs() == []


def test_a_run_on_another_host_is_judged_by_its_heartbeat(url):
    store = Store(url, stale_after=timedelta(minutes=10))
    alive = add_run(store, host="elsewhere", pid=1, heartbeat_at=now() - timedelta(minutes=2))
    dead = add_run(store, host="elsewhere", pid=1, heartbeat_at=now() - timedelta(hours=1))
    assert store.mark_stale_runs() == [dead]
    store.heartbeat(alive)
    assert {r["id"]: r["status"] for r in store.status()["runs"]} == {alive: "running", dead: "interrupted"}


def test_a_document_that_keeps_killing_its_run_is_parked(url):
    store = Store(url, max_attempts=2)
    for _ in range(2):
        run = add_run(store, host=HOST, pid=dead_pid(), heartbeat_at=now())
        assert store.begin_attempt("/x/huge.pdf", "h" * 64, run) == (True, None)
        store.mark_stale_runs()
    [parked] = store.status()["parked"]
    assert parked["attempts"] == 2 and "parked until it changes" in parked["reason"]
    assert store.begin_attempt("/x/huge.pdf", "h" * 64, store.start_run({}))[0] is False


def test_finishing_a_run_releases_the_documents_it_left(store):
    run = store.start_run({})
    store.begin_attempt("/x/a.pdf", "a" * 64, run)
    store.finish_run(run, {}, status="failed")
    assert store.documents()[0]["status"] == "failed"


# --------------------------------------------------------------------------- what PostgreSQL refuses


def test_nul_characters_are_stored_without_moving_offsets(store):
    doc, pages, language, passages, emb, cands = make_doc("a")
    pages = [Page(1, "Article 1.\x00Scope"), pages[1]]
    store.save_document(doc, pages, language, passages, emb, "enc", cands)
    with store.session() as s:
        text = s.scalar(select(PageRow.text).where(PageRow.number == 1))
    assert text == "Article 1.\ufffdScope" and len(text) == len(pages[0].text)


def test_long_metadata_and_model_versions_fit(store):
    doc, pages, language, passages, emb, cands = make_doc("a")
    from dataclasses import replace

    doc = replace(doc, meta=DocumentMeta(title="T" * 3000, country="C" * 300, date="D" * 200, document_type="X" * 300))
    long_version = "zero-shot:st:/very/long/path/" + "m" * 300
    cands = [replace(c, model_version=long_version) for c in cands]
    store.save_document(doc, pages, language, passages, emb, "st:/very/long/path/" + "e" * 300, cands)
    assert store.counts()["candidates"] == 3


def test_unusable_database_urls_say_what_to_do(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="not a database URL"):
        Store("not a url")
    with pytest.raises(DatabaseUnavailable, match="cannot open the database postgresql"):
        Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/mgi")
    try:
        Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/mgi")
    except ConfigError as err:
        assert "secret" not in str(err)  # passwords never reach messages


# --------------------------------------------------------------------------- reclassification support


def decide(store: Store, **by_indicator: str) -> None:
    with store.write() as s:
        for indicator, status in by_indicator.items():
            s.execute(update(CandidateRow).where(CandidateRow.indicator_id == indicator).values(status=status))


def test_new_suggestions_are_added_beside_decisions(store):
    doc, pages, language, passages, emb, cands = parts = make_doc("a")
    save(store, parts)
    decide(store, **{"1.1.0": "confirmed", "2.1.1": "rejected"})
    before = {
        (c["passage_id"], c["indicator"], c["model_version"]): (c["status"], c["score"])
        for c in store.candidates(limit=None)
    }
    new = [
        Candidate(passages[0].passage_id, "1.1.0", "1", 0.99, 1, "v2"),  # pair already confirmed
        Candidate(passages[1].passage_id, "2.1.1", "2", 0.10, 1, "v2"),  # pair already rejected
        Candidate(passages[1].passage_id, "3.1.1", "3", 0.70, 2, "v2"),  # new
        Candidate(passages[2].passage_id, "1.1.2", "1", 0.80, 1, "v2"),  # pending pair: new version beside it
    ]
    vectors = {passages[0].passage_id: np.ones(4, dtype=np.float32)}
    counts = store.add_suggestions(doc.sha256, new, vectors, "enc-2")
    assert counts == {"added": 2, "already_there": 0, "kept_decisions": 2}
    after = {
        (c["passage_id"], c["indicator"], c["model_version"]): (c["status"], c["score"])
        for c in store.candidates(limit=None)
    }
    assert {k: v for k, v in after.items() if k in before} == before  # nothing existing changed
    assert sorted((k[1], k[2], v[0]) for k, v in after.items() if k not in before) == [
        ("1.1.2", "v2", "pending"),
        ("3.1.1", "v2", "pending"),
    ]
    assert store.add_suggestions(doc.sha256, new, vectors, "enc-2") == {
        "added": 0,
        "already_there": 2,
        "kept_decisions": 2,
    }
    assert store.add_suggestions(doc.sha256, new[:1], {}, "enc-2", skip_decided=False)["added"] == 1
    assert store.counts()["embeddings"] == 4  # the enc-2 vector beside the enc-test ones
    assert store.documents()[0]["candidates"] == 6


def test_decided_candidates_for_training(store):
    save(store, make_doc("a"))
    decide(store, **{"1.1.0": "confirmed", "2.1.1": "rejected"})
    rows = store.decided_candidates()
    assert [(r["indicator"], r["status"]) for r in rows] == [("1.1.0", "confirmed"), ("2.1.1", "rejected")]
    assert rows[0]["text"] == "passage 0 of a" and rows[0]["sha256"] == "a" * 64


def test_processed_documents_and_their_stored_vectors(store):
    parts = make_doc("a")
    save(store, parts)
    store.record_failure("/x/bad.pdf", "b" * 64, "bad")
    assert store.processed_documents() == ["a" * 64]
    assert store.processed_documents("a.pdf") == ["a" * 64] and store.processed_documents("zzz") == []
    rows = store.passages_with_embeddings("a" * 64, "enc-test")
    assert [r[0] for r in rows] == [p.passage_id for p in parts[3]]
    np.testing.assert_array_equal(np.vstack([r[2] for r in rows]), parts[4])
    assert all(r[2] is None for r in store.passages_with_embeddings("a" * 64, "other-encoder"))


def test_sqlite_writers_queue_instead_of_failing(tmp_path):
    """Two processes writing at once (Dask workers on one SQLite file) both succeed."""
    url = f"sqlite:///{tmp_path / 'mgi.db'}"
    Store(url)
    code = (
        "import sys; from pipeline.storage.store import Store; s = Store(sys.argv[1]); run = s.start_run({})\n"
        "for i in range(40): s.record_failure(f'/x/{sys.argv[2]}{i}.pdf', (sys.argv[2] * 64)[:60] + f'{i:04d}', 'bad', run_id=run)"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, url, tag]) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Store(url).session() as s:
        assert len(s.scalars(select(DocumentRow)).all()) == 80
