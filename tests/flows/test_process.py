"""The main flow end to end: good PDFs are processed, bad files fail with reasons, reruns add nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit import SAMPLE_EN, SAMPLE_ES, make_batch_folder

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.storage.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(prefect_harness, tmp_path_factory):
    from flows.process import process_documents

    folder = make_batch_folder(tmp_path_factory.mktemp("flow-corpus"), [SAMPLE_EN, SAMPLE_ES])
    db_url = f"sqlite:///{tmp_path_factory.mktemp('flow-db') / 'mgi.db'}"
    seen = []
    first = process_documents(
        paths=[str(folder)],
        db_url=db_url,
        taxonomy_path=str(DEFAULT_TAXONOMY),
        model_path=None,
        embedder="use-multilingual",
        progress=lambda outcome, n, total: seen.append((Path(outcome.path).name, n, total)),
    )
    counts_after_first = Store(db_url).counts()
    second = process_documents(paths=[str(folder)], db_url=db_url, taxonomy_path=str(DEFAULT_TAXONOMY))
    return {
        "folder": folder,
        "db_url": db_url,
        "first": first,
        "second": second,
        "seen": seen,
        "counts_after_first": counts_after_first,
    }


def outcomes(summary) -> dict[str, object]:
    return {Path(o.path).name: o for o in summary.outcomes}


def test_good_documents_are_processed(batch):
    first = batch["first"]
    out = outcomes(first)
    assert first.new == 2
    for name, language in ((SAMPLE_EN, "en"), (SAMPLE_ES, "es")):
        o = out[name]
        assert o.status == "new" and o.reason is None
        assert o.language == language
        assert o.passages >= 10
        assert o.candidates == sum(o.candidates_by_domain.values())
    assert first.languages == {"en": 1, "es": 1}
    assert first.passages == out[SAMPLE_EN].passages + out[SAMPLE_ES].passages
    assert first.model_version.startswith("zero-shot:use-multilingual:mgi-national@")
    assert first.candidates > 0 and set(first.candidates_by_domain) <= set("123456")


def test_bad_files_fail_with_reasons_and_the_batch_goes_on(batch):
    first = batch["first"]
    out = outcomes(first)
    assert first.failed == 2
    assert out["corrupt.pdf"].status == "failed"
    assert out["corrupt.pdf"].reason.startswith("damaged or truncated PDF")
    assert out["not_really.pdf"].status == "failed"
    assert out["not_really.pdf"].reason.startswith("not a PDF (a ZIP container")
    assert [Path(p).name for p in first.unsupported] == ["notes.txt"]
    # files are handled in name order, so a bad file came before good ones and did not stop them
    assert [name for name, _n, _total in batch["seen"]] == sorted(out)
    assert [(n, total) for _name, n, total in batch["seen"]] == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_everything_is_stored_with_provenance(batch):
    store = Store(batch["db_url"])
    docs = {Path(d["path"]).name: d for d in store.documents()}
    assert docs[SAMPLE_EN]["status"] == docs[SAMPLE_ES]["status"] == "processed"
    assert docs[SAMPLE_EN]["country"] == "Republic of Norvania"  # from the manifest beside the files
    assert docs["corrupt.pdf"]["status"] == "failed" and docs["corrupt.pdf"]["attempts"] == 2  # both runs tried
    counts = batch["counts_after_first"]
    assert counts["passages"] == counts["embeddings"] == batch["first"].passages
    assert counts["candidates"] == batch["first"].candidates
    pages = {}
    from sqlalchemy import select

    from pipeline.storage.tables import PageRow

    with store.session() as s:
        for row in s.scalars(select(PageRow)):
            pages[(row.document_sha256, row.number)] = row.text
    for cand in store.candidates(limit=20):
        if cand["page"] == cand["page_end"]:
            assert pages[(cand["sha256"], cand["page"])][cand["char_start"] : cand["char_end"]] == cand["text"]


def test_second_run_processes_nothing_and_adds_no_rows(batch):
    second = batch["second"]
    assert second.new == 0 and second.skipped == 2 and second.failed == 2
    assert all(o.reason == "already processed" for o in second.outcomes if o.status == "skipped")
    assert second.candidates == 0 and second.passages == 0
    assert second.model_version == "(no document needed the model)"  # the encoder was never loaded
    assert Store(batch["db_url"]).counts() == batch["counts_after_first"]


def test_runs_are_recorded(batch):
    runs = Store(batch["db_url"]).status()["runs"]
    assert [r["id"] for r in runs[:2]] == [batch["second"].run_id, batch["first"].run_id]
    assert all(r["status"] == "finished" for r in runs)
    assert runs[1]["summary"]["new"] == 2 and runs[0]["summary"]["skipped"] == 2


def test_bad_taxonomy_stops_the_run_before_any_document(prefect_harness, tmp_path):
    from flows.process import process_documents
    from pipeline.stages.taxonomy import TaxonomyError

    db_url = f"sqlite:///{tmp_path / 'mgi.db'}"
    with pytest.raises(TaxonomyError, match="taxonomy file not found"):
        process_documents(paths=[str(tmp_path)], db_url=db_url, taxonomy_path=str(tmp_path / "nope.yaml"))
    assert Store(db_url).counts()["documents"] == 0


def test_process_one_never_raises_for_a_bad_file(prefect_harness, tmp_path, pdfs):
    from pipeline.records import DocumentMeta
    from pipeline.services.runs import LazyClassifier, process_one

    store = Store(f"sqlite:///{tmp_path / 'mgi.db'}")
    lazy = LazyClassifier(DEFAULT_TAXONOMY, None, None)
    outcome = process_one(pdfs["html"], DocumentMeta(), store, lazy, 3, store.start_run({}))
    assert outcome.status == "failed" and outcome.reason.startswith("not a PDF (an HTML page)")
    assert store.document_state(outcome.sha256) == ("failed", 1)


class BrokenClassifier:
    """Stands in for LazyClassifier when loading the model fails for a reason that is not the file's."""

    model_version = "broken"

    def get(self):
        raise RuntimeError("model crashed")


def test_unexpected_errors_are_recorded_with_their_type(prefect_harness, tmp_path, pdfs):
    from pipeline.records import DocumentMeta
    from pipeline.services.runs import process_one

    store = Store(f"sqlite:///{tmp_path / 'mgi.db'}")
    outcome = process_one(pdfs["gazette"], DocumentMeta(), store, BrokenClassifier(), 3, store.start_run({}))
    assert (outcome.status, outcome.reason) == ("failed", "RuntimeError: model crashed")
    assert store.counts()["passages"] == 0


def test_late_failure_does_not_undo_another_runs_work(prefect_harness, tmp_path, pdfs):
    from pipeline.records import DocumentMeta, LanguageGuess
    from pipeline.services.runs import process_one
    from pipeline.stages.ingest import read_pdf

    store = Store(f"sqlite:///{tmp_path / 'mgi.db'}")
    doc, pages = read_pdf(pdfs["gazette"])
    store.save_document(doc, pages, LanguageGuess("en", 1.0), [], None, "none", [])
    before = store.counts()
    store.should_process = lambda sha: (True, None)  # what a worker saw before the other one saved
    outcome = process_one(pdfs["gazette"], DocumentMeta(), store, BrokenClassifier(), 3, store.start_run({}))
    assert outcome.status == "skipped"
    assert store.document_state(doc.sha256) == ("processed", 1)
    assert store.counts() == before


def test_a_document_read_ahead_never_holds_up_exit_and_hands_back_its_error(monkeypatch, tmp_path):
    """The read-ahead runs on a daemon thread (Python's exit, e.g. after Ctrl-C, does not wait for a
    563-page act to finish reading) and its result or error reaches the caller."""
    import threading

    import pipeline.services.runs as fp
    from pipeline.records import DocumentMeta
    from pipeline.stages.ingest import IngestError

    release = threading.Event()

    def slow_prepare(path, meta, sha):  # noqa: ANN001, ANN202
        release.wait(30)
        if path.name == "bad.pdf":
            raise IngestError("damaged PDF")
        return f"prepared {path.name}"

    monkeypatch.setattr(fp, "prepare_document", slow_prepare)
    good = fp.ReadAhead(fp.Started(tmp_path / "good.pdf", DocumentMeta(), "a" * 64, 1))
    bad = fp.ReadAhead(fp.Started(tmp_path / "bad.pdf", DocumentMeta(), "b" * 64, 1))
    threads = [t for t in threading.enumerate() if t.name == "mgi-read-ahead"]
    assert len(threads) == 2 and all(t.daemon for t in threads)
    release.set()
    assert good.result() == "prepared good.pdf"
    with pytest.raises(IngestError, match="damaged PDF"):
        bad.result()
