"""The unattended batch: incremental, resumable after kill -9, retries then parks, publishes its
summary, and gives the same results on a Dask cluster and on both database backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import batchkit
import pytest
from batchkit import ACTS, copy_folder
from sqlalchemy import select

from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, PageRow, PassageRow

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
# shared fixtures (a conftest.py here would clash with tests/conftest.py)
acts_folder, api_url, backend, db_url, mini_taxonomy = (
    batchkit.acts_folder,
    batchkit.api_url,
    batchkit.backend,
    batchkit.db_url,
    batchkit.mini_taxonomy,
)


def run(folder: Path, db_url: str, taxonomy: Path, **kwargs):  # noqa: ANN003, ANN201
    from flows.process import process_documents

    return process_documents(
        paths=[str(folder)], db_url=db_url, taxonomy_path=str(taxonomy), embedder="use-multilingual", **kwargs
    )


def snapshot(db_url: str) -> dict[str, object]:
    """Everything a clean run determines, independent of run ids, attempt counts and timestamps."""
    store = Store(db_url)
    with store.session() as s:
        candidates = sorted(
            (c.passage_id, c.indicator_id, c.model_version, round(c.score, 4), c.rank, c.status)
            for c in s.scalars(select(CandidateRow))
        )
        passages = sorted((p.id, p.text, p.language) for p in s.scalars(select(PassageRow)))
        documents = sorted(
            (Path(d.path).name, d.status, d.n_passages, d.n_candidates) for d in s.scalars(select(DocumentRow))
        )
        pages = sorted((p.document_sha256, p.number, p.text) for p in s.scalars(select(PageRow)))
    return {
        "counts": store.counts(),
        "documents": documents,
        "pages": pages,
        "passages": passages,
        "candidates": candidates,
    }


@pytest.fixture(scope="module")
def reference(prefect_harness, acts_folder, mini_taxonomy, tmp_path_factory) -> dict[str, object]:
    """A clean run over the acts folder (SQLite), the state every other way of running must reach."""
    db = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'mgi.db'}"
    summary = run(acts_folder, db, mini_taxonomy)
    assert summary.new == len(ACTS) and summary.failed == 2
    return {"summary": summary, "state": snapshot(db), "db_url": db}


# --------------------------------------------------------------------------- incremental, both backends


def test_clean_run_then_unchanged_rerun(reference, acts_folder, mini_taxonomy, db_url):
    first = run(acts_folder, db_url, mini_taxonomy)
    state = snapshot(db_url)
    assert state == reference["state"]  # the same rows on PostgreSQL as on SQLite
    assert first.candidates == reference["summary"].candidates > 0
    second = run(acts_folder, db_url, mini_taxonomy)
    assert (second.new, second.skipped, second.failed, second.candidates) == (0, len(ACTS), 2, 0)
    assert second.model_version == "(no document needed the model)"  # nothing was loaded
    assert snapshot(db_url) == state
    runs = Store(db_url).status()["runs"]
    assert [r["status"] for r in runs[:2]] == ["finished", "finished"]
    assert runs[1]["summary"]["new"] == len(ACTS) and runs[0]["summary"]["skipped"] == len(ACTS)


def test_read_ahead_gives_the_results_of_one_document_after_another(reference, acts_folder, mini_taxonomy, tmp_path):
    """The batch reads each document while the one before it is classified; taking them strictly one
    after another (``process_one``, what a Dask worker does) must give the same rows."""
    from pipeline.records import DocumentMeta
    from pipeline.services.runs import LazyClassifier, process_one

    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    store = Store(db)
    lazy = LazyClassifier(mini_taxonomy, None, "use-multilingual")
    run_id = store.start_run({})
    outcomes = [process_one(p, DocumentMeta(), store, lazy, 3, run_id) for p in sorted(acts_folder.glob("*.pdf"))]
    assert sorted(o.status for o in outcomes) == ["failed", "failed", "new", "new", "new"]
    assert snapshot(db) == reference["state"]


def test_a_changed_file_is_processed_again(reference, acts_folder, mini_taxonomy, tmp_path):
    from pdfgen import write_pdf

    folder = copy_folder(acts_folder, tmp_path / "acts")
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    run(folder, db, mini_taxonomy)
    name = "act_b_health.pdf"
    write_pdf(folder / name, [[*ACTS[name], "Article 3. Entry into force", "This decree enters into force today."]])
    again = run(folder, db, mini_taxonomy)
    assert (again.new, again.skipped) == (1, len(ACTS) - 1)
    assert [Path(o.path).name for o in again.outcomes if o.status == "new"] == [name]
    docs = [d for d in Store(db).documents() if d["path"].endswith(name)]
    assert len(docs) == 2 and {d["status"] for d in docs} == {"processed"}  # the earlier version is kept


# --------------------------------------------------------------------------- kill -9 mid-document

KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pipeline.storage.store as st

    folder, db_url, taxonomy, marker = sys.argv[1:5]
    real_save, real_add_all = st.Store.save_document, st.Session.add_all
    saves = {"n": 0}

    def blocking_add_all(session, rows):
        real_add_all(session, rows)
        session.flush()  # the document's pages are written, inside its still-open transaction
        Path(marker).write_text("inside the second document's transaction")
        time.sleep(600)  # until kill -9

    def save_document(self, *args, **kwargs):
        saves["n"] += 1
        if saves["n"] == 2:
            st.Session.add_all = blocking_add_all
        return real_save(self, *args, **kwargs)

    st.Store.save_document = save_document
    from flows.process import process_documents

    process_documents(paths=[folder], db_url=db_url, taxonomy_path=taxonomy, embedder="use-multilingual")
    """
)


def test_kill_9_mid_document_then_rerun_equals_a_clean_run(
    reference, acts_folder, mini_taxonomy, api_url, db_url, tmp_path
):
    marker = tmp_path / "marker"
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN)
    env = dict(os.environ, PREFECT_API_URL=api_url, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(acts_folder), db_url, str(mini_taxonomy), str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"the batch ended before the kill point:\n{proc.stdout.read().decode()[-3000:]}")
            assert time.monotonic() < deadline, "the batch never reached its second document"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()

    store = Store(db_url)
    with store.session() as s:
        docs = {Path(d.path).name: d for d in s.scalars(select(DocumentRow))}
        half = [d for d in docs.values() if d.status == "processing"]
        # the attempt at the second document was counted before its work began, and so was the third's,
        # which was being read ahead while the second was stored
        assert 1 <= len(half) <= 2
        for d in half:
            assert s.scalars(select(PageRow).where(PageRow.document_sha256 == d.sha256)).all() == []
        assert sum(d.status == "processed" for d in docs.values()) == 1  # the first document is stored whole
    killed = store.status()["runs"][0]
    assert killed["status"] == "interrupted"  # its process is gone: marked on the next look at the database

    rerun = run(acts_folder, db_url, mini_taxonomy)
    assert rerun.new == len(ACTS) - 1 and rerun.skipped == 1
    assert snapshot(db_url) == reference["state"]  # no duplicates, nothing missing
    for d in half:
        assert Store(db_url).document_state(d.sha256) == ("processed", 2)  # the interrupted attempt counts


def test_stale_run_is_marked_interrupted_by_the_next_run(reference, acts_folder, mini_taxonomy, tmp_path):
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    store = Store(db)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with store.write() as s:
        from pipeline.storage.tables import RunRow

        s.add(RunRow(kind="process", params={}, status="running", host=os.uname().nodename, pid=dead.pid))
    summary = run(acts_folder, db, mini_taxonomy)
    assert summary.interrupted_runs == [1] and summary.run_id == 2
    assert [r["status"] for r in Store(db).status()["runs"]] == ["finished", "interrupted"]


# --------------------------------------------------------------------------- failures: retried, then parked


def test_failed_documents_are_retried_then_parked(
    prefect_harness, acts_folder, mini_taxonomy, tmp_path, monkeypatch, capsys
):
    """(SQLite only: the store's tests check the same bookkeeping on PostgreSQL.)"""
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("corrupt.pdf", "not_really.pdf"):
        (folder / name).write_bytes((acts_folder / name).read_bytes())
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    summaries = [run(folder, db, mini_taxonomy, max_attempts=2) for _ in range(3)]
    assert [(s.failed, s.parked) for s in summaries] == [(2, 0), (2, 0), (0, 2)]
    assert {o.status for o in summaries[1].outcomes} == {"parked"}  # parked by its second failure
    status = Store(db, max_attempts=2).status()
    assert sorted(Path(p["path"]).name for p in status["parked"]) == ["corrupt.pdf", "not_really.pdf"]
    assert all(p["attempts"] == 2 and p["reason"] for p in status["parked"])

    from apps.cli import main

    monkeypatch.setenv("MGI_DB_URL", db)
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "parked  " in out and "damaged or truncated PDF" in out  # `mgi status` names them and why

    assert Store(db).unpark("corrupt.pdf") == 1
    fourth = run(folder, db, mini_taxonomy, max_attempts=2)
    assert (fourth.failed, fourth.parked) == (1, 1)  # the unparked file was tried once more


# --------------------------------------------------------------------------- Dask


def test_dask_runner_gives_the_same_results(reference, acts_folder, mini_taxonomy, tmp_path):
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    summary = run(acts_folder, db, mini_taxonomy, workers=2)
    assert summary.runner == "dask:local(2 workers)"
    assert (summary.new, summary.failed, summary.candidates) == (len(ACTS), 2, reference["summary"].candidates)
    assert snapshot(db) == reference["state"]
    # the encoder and model were loaded once per worker process, not once per document
    assert 1 <= summary.workers["classifier_loads"] == summary.workers["processes"] <= 2
    assert os.environ.get("PREFECT_API_URL") is None  # the workers' environment was restored


# --------------------------------------------------------------------------- the inbox flow


def test_inbox_flow_maps_folders_and_publishes_its_summary(
    reference, acts_folder, mini_taxonomy, tmp_path, monkeypatch
):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.process import process_inbox

    a, b = tmp_path / "inbox" / "norvania", tmp_path / "inbox" / "valmont"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    for name in ("act_a_labour.pdf", "act_b_health.pdf"):
        (a / name).write_bytes((acts_folder / name).read_bytes())
    (b / "act_c_trafficking.pdf").write_bytes((acts_folder / "act_c_trafficking.pdf").read_bytes())
    config = tmp_path / "inbox.yaml"
    config.write_text(
        "folders:\n"
        "  - {path: inbox/norvania, country: Norvania, level: national}\n"
        "  - {path: inbox/valmont, country: Valmont, level: local}\n"
    )
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    monkeypatch.setenv("MGI_DB_URL", db)
    monkeypatch.setenv("MGI_TAXONOMY", str(mini_taxonomy))
    monkeypatch.setenv("MGI_EMBEDDER", "use-multilingual")
    result = process_inbox(config=str(config))
    assert (result["new"], result["failed"], result["candidates"]) == (3, 0, reference["summary"].candidates)
    docs = {Path(d["path"]).name: d for d in Store(db).documents()}
    assert (docs["act_a_labour.pdf"]["country"], docs["act_a_labour.pdf"]["level"]) == ("Norvania", "national")
    assert (docs["act_c_trafficking.pdf"]["country"], docs["act_c_trafficking.pdf"]["level"]) == ("Valmont", "local")
    [stored] = [r for r in Store(db).status()["runs"] if r["id"] == result["run_id"]]
    assert stored["kind"] == "batch" and stored["summary"]["candidates"] == result["candidates"]

    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mgi-run-summary"])))
        tables = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mgi-run-documents"]))
        )
    mine = [x for x in arts if f"# MGI run #{result['run_id']}\n" in str(x.data) and db in str(x.data)]
    assert mine and f"candidates added: **{result['candidates']}**" in str(mine[0].data)
    assert any("act_c_trafficking.pdf" in str(t.data) for t in tables)
