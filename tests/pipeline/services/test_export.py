"""Exports: evidence as CSV / XLSX / JSONL (round trips), and decisions as training annotations
that `mgi train` reads."""

from __future__ import annotations

import csv
import json

import pytest
from review_seed import MODEL, NORVANIA, VALMONT, candidate_id, mgi, seeded

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.learning.train import load_examples
from pipeline.services import accounts, export, review
from pipeline.stages.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture
def reviewed(tmp_path, taxonomy):
    """Seeded store with: 1.2.1 (Act) confirmed, 1.2.2 rejected, 4.3.4 confirmed as a gap with a note,
    2.3.1 rejected, 1.2.1 (Valmont) relabelled to 1.2.2; the other three pending."""
    store = seeded(tmp_path)
    alice, bob = accounts.get_user(store, "alice"), accounts.get_user(store, "bob")
    review.decide(
        store, alice, candidate_id(store, "1.2.1", "Migration Act"), version=0, status="confirmed", taxonomy=taxonomy
    )
    review.decide(store, alice, candidate_id(store, "1.2.2"), version=0, status="rejected")
    review.decide(
        store,
        bob,
        candidate_id(store, "4.3.4"),
        version=0,
        status="confirmed",
        polarity="gap",
        note="no agreement with the main destination yet",
        taxonomy=taxonomy,
    )
    review.decide(store, bob, candidate_id(store, "2.3.1"), version=0, status="rejected")
    review.decide(
        store,
        alice,
        candidate_id(store, "1.2.1", "Loi"),
        version=0,
        status="confirmed",
        indicator="1.2.2",
        taxonomy=taxonomy,
    )
    return store


def test_evidence_rows_carry_provenance(reviewed, taxonomy):
    rows = export.evidence_rows(reviewed, taxonomy=taxonomy)
    assert [r["indicator"] for r in rows] == ["1.2.2", "1.2.1", "4.3.4"]  # document then page order
    relabelled = rows[0]
    assert (relabelled["suggested_indicator"], relabelled["indicator"], relabelled["analyst"]) == (
        "1.2.1",
        "1.2.2",
        "alice",
    )
    gap = rows[2]
    assert gap["polarity"] == "gap" and gap["note"].startswith("no agreement") and gap["analyst"] == "bob"
    assert gap["document_title"] == "Migration Act 2021" and gap["page"] == 2 and gap["model_version"] == MODEL
    assert gap["passage"].startswith("Article 3. Labour agreements") and gap["indicator_name"]
    assert set(export.EXPORT_COLUMNS) <= set(gap)
    assert len(export.evidence_rows(reviewed, status="rejected")) == 2
    assert len(export.evidence_rows(reviewed, status="all")) == 8
    assert [r["country"] for r in export.evidence_rows(reviewed, country="valmont")] == [VALMONT]
    with pytest.raises(review.ReviewError, match="no documents for country 'Atlantis'"):
        export.evidence_rows(reviewed, country="Atlantis")


def _as_text(rows):
    return [{k: "" if v is None else str(v) for k, v in r.items() if k in export.EXPORT_COLUMNS} for r in rows]


def test_csv_round_trip(reviewed, tmp_path):
    rows = export.evidence_rows(reviewed, status="all")
    out = tmp_path / "e.csv"
    assert export.export(reviewed, "csv", out, status="all") == 8
    with open(out, newline="", encoding="utf-8") as fh:
        back = list(csv.DictReader(fh))
    assert back == _as_text(rows)


def test_jsonl_round_trip(reviewed, tmp_path):
    rows = export.evidence_rows(reviewed)
    out = tmp_path / "e.jsonl"
    export.export(reviewed, "jsonl", out)
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == rows


def test_xlsx_round_trip(reviewed, tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="xlsx export needs openpyxl")
    rows = export.evidence_rows(reviewed, status="all")
    out = tmp_path / "e.xlsx"
    export.export(reviewed, "xlsx", out, status="all")
    sheet = openpyxl.load_workbook(out, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == export.EXPORT_COLUMNS
    back = [{k: "" if v is None else str(v) for k, v in zip(values[0], row, strict=True)} for row in values[1:]]
    assert back == _as_text(rows)


def test_xlsx_keeps_formula_like_text_as_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    row = {c: "" for c in export.EXPORT_COLUMNS} | {"passage": '=HYPERLINK("http://x")', "page": 1}
    export.write_xlsx([row], tmp_path / "f.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "f.xlsx").active.cell(
        row=2, column=export.EXPORT_COLUMNS.index("passage") + 1
    )
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_decisions_become_training_examples_that_train_reads(reviewed, tmp_path, taxonomy):
    examples = export.training_examples(reviewed, taxonomy=taxonomy)
    by_text = {e["text"][:20]: e for e in examples}
    # the family article: 1.2.1 confirmed, 1.2.2 rejected -> positive for 1.2.1 only
    assert by_text["Article 2. Family re"]["indicators"] == ["1.2.1"]
    assert by_text["Article 3. Labour ag"]["polarity"] == "gap"
    assert by_text["Article 10. Entry in"]["indicators"] == [] and by_text["Article 10. Entry in"]["polarity"] is None
    assert (
        by_text["Article 12. Le resso"]["indicators"] == ["1.2.2"]
        and by_text["Article 12. Le resso"]["language"] == "fr"
    )
    assert len(examples) == 4  # pending passages are left out
    for e in examples:
        assert e["group"] == e["sha256"] and len(e["group"]) == 64 and e["source"] == "review"
    out = tmp_path / "review.jsonl"
    assert export.export(reviewed, "training", out) == 4
    loaded = load_examples([out])
    assert sorted(x.indicators for x in loaded) == sorted(tuple(e["indicators"]) for e in examples)
    assert {x.group for x in loaded} == {"a" * 64, "c" * 64}


def test_mgi_export_command(reviewed, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MGI_DB_URL", reviewed.url)
    out = tmp_path / "x.csv"
    code, _, err = mgi(capsys, "export", "--format", "csv", "--country", "Norvania", "--out", str(out))
    assert code == 0 and "exported 2 confirmed item(s)" in err
    assert {r["country"] for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())} == {NORVANIA}
    code, stdout, _ = mgi(capsys, "export", "--format", "jsonl", "--status", "rejected")
    assert code == 0 and len(stdout.splitlines()) == 2
    code, _, err = mgi(capsys, "export", "--format", "xlsx")
    assert code == 2 and err.strip() == "mgi export: xlsx is a binary format: give --out FILE.xlsx"
    code, _, err = mgi(capsys, "export", "--format", "training", "--out", str(tmp_path / "t.jsonl"))
    assert code == 0 and "exported 4 training example(s)" in err
