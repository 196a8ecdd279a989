"""Deciding what a batch has to do, and recording a run with nothing to do, without Prefect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdfgen import write_pdf
from testkit import REPO

from pipeline.records import LanguageGuess
from pipeline.services.batch import IDLE_RUNNER, NO_MODEL_NEEDED, batch_params, file_sha256, plan_batch, record_idle_run
from pipeline.stages.ingest import read_pdf, sha256_file
from pipeline.storage.store import Store

LAW = [["MIGRATION ACT", "Article 1. Work permits", "A foreign national may apply for a work permit."]]


@pytest.fixture
def stored_folder(tmp_path: Path) -> tuple[Path, str]:
    """A folder of two laws (one of them twice under another name), the first already processed."""
    folder = tmp_path / "laws"
    folder.mkdir()
    write_pdf(folder / "a.pdf", LAW)
    write_pdf(folder / "b.pdf", [[*LAW[0], "Article 2. Fees", "No recruitment fees shall be charged."]])
    (folder / "a-copy.pdf").write_bytes((folder / "a.pdf").read_bytes())
    (folder / "notes.txt").write_text("not a document")
    db = f"sqlite:///{tmp_path / 'mgi.db'}"
    doc, pages = read_pdf(folder / "a.pdf")
    Store(db).save_document(doc, pages, LanguageGuess("en", 1.0), [], None, "none", [])
    return folder, db


def test_plan_sorts_out_what_needs_work(stored_folder):
    folder, db = stored_folder
    plan = plan_batch([(str(folder), None, None)], Store(db))
    assert [Path(j.path).name for j in plan.todo] == ["b.pdf"]
    why = {Path(o.path).name: (o.status, o.reason) for o in plan.outcomes}
    # "a-copy.pdf" sorts first: it is the one found stored, the other is the same content again
    assert why["a-copy.pdf"] == ("skipped", "already processed")
    assert why["a.pdf"][0] == "skipped" and why["a.pdf"][1].startswith("same content as")
    assert [p.name for p in plan.unsupported] == ["notes.txt"]
    with pytest.raises(ValueError, match="run it in the flow"):
        record_idle_run(plan, Store(db), {})


def test_an_idle_run_is_recorded_like_any_other(stored_folder):
    folder, db = stored_folder
    (folder / "b.pdf").unlink()
    store = Store(db)
    plan = plan_batch([(str(folder), "Norvania", None)], store)
    assert plan.todo == []
    params = batch_params([(str(folder), "Norvania", None)], None, None, 3, IDLE_RUNNER, store.max_attempts)
    summary = record_idle_run(plan, store, params)
    assert (summary.new, summary.skipped, summary.failed, summary.model_version) == (0, 2, 0, NO_MODEL_NEEDED)
    run = store.status()["runs"][0]
    assert run["status"] == "finished" and run["summary"]["runner"] == IDLE_RUNNER


def test_a_remembered_hash_is_dropped_when_the_file_changes(tmp_path):
    path = tmp_path / "a.pdf"
    write_pdf(path, LAW)
    first = file_sha256(path)
    assert first == sha256_file(path) == file_sha256(path)
    write_pdf(path, [[*LAW[0], "Article 2. Entry into force"]])
    os.utime(path, ns=(1, 1))  # even a file rewritten within the clock's resolution changes size or time
    assert file_sha256(path) == sha256_file(path) != first


def test_an_unchanged_rerun_never_starts_prefect(stored_folder, tmp_path):
    """`mgi run` over documents that are all stored records its run without importing Prefect (whose
    temporary server costs seconds per process) or loading a model."""
    folder, db = stored_folder
    (folder / "b.pdf").unlink()
    script = (
        "import json, sys\n"
        "from apps.cli import main\n"
        "code = main(['run', sys.argv[1], '--json', '--quiet'])\n"
        "print(json.dumps({'code': code, 'prefect': 'prefect' in sys.modules, 'torch': 'torch' in sys.modules}))\n"
    )
    env = {**os.environ, "MGI_DB_URL": db, "MGI_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", script, str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    summary, state = json.loads("\n".join(lines[:-1])), json.loads(lines[-1])
    assert state == {"code": 0, "prefect": False, "torch": False}
    assert (summary["new"], summary["skipped"], summary["runner"]) == (0, 2, IDLE_RUNNER)
    assert Store(db).status()["runs"][0]["summary"]["skipped"] == 2
