"""The hostile corpus through the whole flow: every file ends with a stored status and reason, the
batch goes on, OCRed pages are marked, a rerun loses nothing, and a document read only in part is
stored as processed with a "partial: ..." reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile import EXPECTED, HOSTILE_LIMITS, SCAN_LINES, build_hostile_corpus, write_scan_pdf

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.stages.ocr import INSTALL_HINT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason=f"Tesseract is not installed: {INSTALL_HINT}"),
]


def run(folder: Path, db_url: str):
    from flows.process import process_documents

    return process_documents(
        paths=[str(folder)], db_url=db_url, taxonomy_path=str(DEFAULT_TAXONOMY), embedder="use-multilingual"
    )


@pytest.fixture(scope="module")
def batch(prefect_harness, tmp_path_factory):
    from pipeline.storage.store import Store

    folder = tmp_path_factory.mktemp("hostile-batch")
    build_hostile_corpus(folder)
    (folder / "notes.txt").write_text("not a document\n")
    db_url = f"sqlite:///{tmp_path_factory.mktemp('hostile-db') / 'mgi.db'}"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in HOSTILE_LIMITS.items():
            mp.setenv(name, value)
        first = run(folder, db_url)
        counts = Store(db_url).counts()
        second = run(folder, db_url)
    return {"folder": folder, "db_url": db_url, "first": first, "second": second, "counts": counts}


def test_every_file_is_recorded_with_its_status_and_reason(batch):
    from pipeline.storage.store import Store

    first = batch["first"]
    outcome = {Path(o.path).name: o for o in first.outcomes}
    assert set(outcome) == set(EXPECTED)  # every file was tried: one bad file never ends the batch
    assert [Path(p).name for p in first.unsupported] == ["notes.txt"]
    rows = {Path(r["path"]).name: r for r in Store(batch["db_url"]).documents()}
    for name, expected in EXPECTED.items():
        row = rows[name]
        assert row["status"] == expected.status, (name, row)
        if expected.reason is None:
            assert row["reason"] is None, (name, row["reason"])
        else:
            assert expected.reason in row["reason"] and "\n" not in row["reason"], (name, row["reason"])
        if expected.status == "processed":
            assert outcome[name].status == "new" and row["passages"] >= 1
            assert row["ocr_pages"] == expected.ocr_pages, name
        else:
            assert outcome[name].status == "failed" and outcome[name].reason == row["reason"]


def test_status_lists_every_failed_file_with_its_reason(batch):
    from pipeline.storage.store import Store

    failures = {Path(f["path"]).name: f["reason"] for f in Store(batch["db_url"]).status()["failures"]}
    assert failures.keys() == {name for name, e in EXPECTED.items() if e.status == "failed"}
    assert all(failures.values())


def test_ocred_pages_are_marked_and_their_passages_point_at_them(batch):
    from sqlalchemy import select

    from pipeline.storage.store import Store
    from pipeline.storage.tables import DocumentRow, PageRow, PassageRow

    store = Store(batch["db_url"])
    with store.session() as s:
        doc = s.scalars(select(DocumentRow).where(DocumentRow.filename == "scan_mixed.pdf")).one()
        pages = {p.number: p for p in s.scalars(select(PageRow).where(PageRow.document_sha256 == doc.sha256))}
        passages = list(s.scalars(select(PassageRow).where(PassageRow.document_sha256 == doc.sha256)))
    assert (pages[1].ocr, pages[2].ocr) == (False, True)
    on_scan = [p for p in passages if p.page == 2]
    assert on_scan and all(p.text in pages[2].text for p in on_scan)
    assert any("recruitment" in p.text.lower() or "coordination" in p.text.lower() for p in on_scan)


def test_a_rerun_loses_nothing_and_adds_nothing(batch):
    from pipeline.storage.store import Store

    second = batch["second"]
    assert second.new == 0
    assert Store(batch["db_url"]).counts() == batch["counts"]
    processed = {n for n, e in EXPECTED.items() if e.status == "processed"}
    skipped = {Path(o.path).name for o in second.outcomes if o.status == "skipped"}
    assert skipped == processed


def test_a_document_read_in_part_is_processed_with_a_partial_reason(batch, tmp_path, monkeypatch):
    from pipeline.storage.store import Store

    folder = tmp_path / "partial"
    folder.mkdir()
    body = ["Article 1. Scope", "This regulation applies to every recruitment agency licensed in Testland."]
    write_scan_pdf(folder / "half_scanned.pdf", [None, SCAN_LINES[7:]], text_pages=[body])
    monkeypatch.setenv("MGI_OCR", "0")
    summary = run(folder, batch["db_url"])
    (outcome,) = summary.outcomes
    reason = "partial: page 2 has no text layer and OCR is off (MGI_OCR=0)"
    assert (outcome.status, outcome.reason) == ("new", reason)
    row = next(r for r in Store(batch["db_url"]).documents() if r["path"].endswith("half_scanned.pdf"))
    assert (row["status"], row["reason"], row["ocr_pages"], row["passages"] >= 1) == ("processed", reason, 0, True)
    # `mgi status` lists every file that did not fully succeed, partial ones included
    listed = {f["path"]: f["reason"] for f in Store(batch["db_url"]).status()["failures"]}
    assert listed[row["path"]] == reason
