"""The coverage matrix (and its CSV/XLSX matching the database), reading lists, the overview
numbers, one cell's passages and the CLI commands."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
from pathlib import Path

import pytest
from triage_seed import TESTLAND, expected_cells, seed_coverage_corpus

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.services import coverage as cov
from pipeline.services import overview, reading_lists
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store

TAXONOMY = load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("coverage-home")
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    return {"store": store, "home": home, **seed_coverage_corpus(store, TAXONOMY)}


def test_cells_hold_the_decision_or_the_strongest_suggestion(corpus: dict) -> None:
    m = cov.coverage(corpus["store"], TAXONOMY, "testland")
    a, b, c = corpus["A"].sha256, corpus["B"].sha256, corpus["C"].sha256
    assert m.country == TESTLAND
    assert [d.sha256 for d in m.documents] == [a, c, b]  # oldest first; the other country is left out
    rows = {r.id: r for r in m.rows}
    assert len(rows) == len(TAXONOMY.indicators)
    assert rows["1.1.1"].cell(a).state == "confirmed" and len(rows["1.1.1"].cell(a).suggested) == 1
    assert rows["1.1.1"].cell(b).value() == "0.55"
    assert rows["1.3.1"].cell(a).state == "rejected"
    assert rows["1.2.1"].cell(b).state == "rejected"  # relabelled away by the analyst
    assert rows["1.2.2"].cell(b).state == "gap"
    assert (
        rows["2.1.1"].cell(b).value() == "0.80"
        and rows["2.1.1"].cell(b).best_candidate == corpus["B"].candidate_ids[(0, "2.1.1")]
    )
    assert all(r.cell(c).state == "none" for r in m.rows)
    assert {i: rows[i].overall for i in ("1.1.1", "1.2.2", "2.1.1", "1.3.1", "1.2.1", "6.1.1")} == {
        "1.1.1": "confirmed",
        "1.2.2": "gap",
        "2.1.1": "suggested",
        "1.3.1": "none",
        "1.2.1": "none",
        "6.1.1": "none",
    }
    assert m.totals() == {"confirmed": 1, "gap": 1, "suggested": 1, "none": len(TAXONOMY.indicators) - 3}
    assert m.groups[0].totals()["confirmed"] == 1 and m.groups[1].totals()["suggested"] == 1


def test_csv_matches_the_database(corpus: dict) -> None:
    m = cov.coverage(corpus["store"], TAXONOMY, TESTLAND)
    table = list(csv.reader(io.StringIO(cov.to_csv(m))))
    head, body = table[0], table[1:]
    n = len(cov.MATRIX_HEAD)
    assert head[:n] == cov.MATRIX_HEAD
    shas = [h.rsplit("[", 1)[1].rstrip("]") for h in head[n:]]
    full = {d.sha256[:8]: d.sha256 for d in m.documents}
    assert [full[s] for s in shas] == [d.sha256 for d in m.documents]
    assert [r[2] for r in body] == TAXONOMY.indicator_ids
    expected = expected_cells(corpus["store"], TESTLAND)
    got = {(r[2], full[s]): v for r in body for s, v in zip(shas, r[n:], strict=True) if v}
    assert got == expected
    one = next(r for r in body if r[2] == "1.1.1")
    assert one[4:7] == ["confirmed", "1", "1"]


def test_xlsx_holds_the_same_matrix(corpus: dict, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    m = cov.coverage(corpus["store"], TAXONOMY, TESTLAND)
    path = cov.to_xlsx(m, tmp_path / "out" / "coverage.xlsx")
    wb = load_workbook(path)
    sheet = [[("" if v is None else v) for v in row] for row in wb["coverage"].iter_rows(values_only=True)]
    rows = cov.matrix_rows(m)
    assert sheet[0] == rows[0]
    n = len(cov.MATRIX_HEAD)
    for got, want in zip(sheet[1:], rows[1:], strict=True):
        assert [str(x) for x in got[:n]] == [str(x) for x in want[:n]]
        assert [f"{x:.2f}" if isinstance(x, float) else x for x in got[n:]] == want[n:]
    assert [r[3] for r in wb["documents"].iter_rows(min_row=2, values_only=True)] == [d.sha256 for d in m.documents]
    fill = wb["coverage"].cell(row=2, column=n + 1).fill.start_color.rgb  # 1.1.1 in the Health Act
    assert fill.endswith("2E7D32")


def test_text_rendering_marks_each_cell(corpus: dict) -> None:
    text = cov.to_text(cov.coverage(corpus["store"], TAXONOMY, TESTLAND))
    line = next(x for x in text.splitlines() if x.strip().startswith("1.1.1"))
    assert line.endswith("#.5") and "confirmed" in line  # Health Act, Estrategia, Loi (0.55)


def test_reading_list_ranks_documents_by_evidence(corpus: dict) -> None:
    store = corpus["store"]
    rl = reading_lists.reading_list(store, TAXONOMY, domain="1", country="Testland")
    assert [e.sha256 for e in rl.entries] == [corpus["B"].sha256, corpus["A"].sha256]
    b, a = rl.entries
    assert b.score == pytest.approx(2.55) and a.score == pytest.approx(2.0)  # gap 2 + 0.55 vs confirmed 2
    assert (a.confirmed_passages, a.suggested_passages) == (1, 1)
    assert [p["state"] for p in a.passages] == ["confirmed", "suggested"]
    assert a.passages[0]["excerpt"] == "Every migrant shall have access to emergency health care."
    assert {i["id"]: i["state"] for i in b.indicators} == {"1.2.2": "gap", "1.1.1": "suggested"}
    one = reading_lists.reading_list(store, TAXONOMY, indicator="1.1.1")
    assert [e.title for e in one.entries] == ["Health Act", "Foreign Health Act", "Loi sur le séjour"]
    assert one.scope == "indicator 1.1.1 Migrants' access to public health care"
    assert [e.title for e in reading_lists.reading_list(store, TAXONOMY, domain="2").entries] == ["Loi sur le séjour"]
    with pytest.raises(cov.CoverageError, match="either an indicator or a domain"):
        reading_lists.reading_list(store, TAXONOMY)
    with pytest.raises(cov.CoverageError, match="unknown domain '7'"):
        reading_lists.reading_list(store, TAXONOMY, domain="7")


def test_overview_numbers(corpus: dict) -> None:
    o = overview.overview(corpus["store"], TAXONOMY, "Testland")
    assert o["country"] == TESTLAND
    assert o["documents"]["total"] == 3
    assert o["documents"]["by_language"] == {"en": 1, "es": 1, "fr": 1}
    assert o["documents"]["by_type"] == {"law": 2, "strategy": 1}
    assert o["documents"]["by_year"] == {"2021": 1, "2022": 1, "2023": 1}
    assert o["passages"] == {"total": 7, "by_language": {"en": 3, "fr": 3, "es": 1}}
    d1, d2 = o["domains"][0], o["domains"][1]
    assert (d1["candidates"], d1["pending"], d1["confirmed"], d1["rejected"]) == (5, 2, 2, 1)
    assert d1["passages"] == 5 and d1["reviewed_share"] == pytest.approx(0.6)
    assert d1["indicator_coverage"] == {"confirmed": 1, "gap": 1, "suggested": 0, "none": d1["indicators"] - 2}
    assert (d2["candidates"], d2["pending"], d2["passages"]) == (2, 2, 2)
    assert o["candidates"] == {"total": 7, "by_status": {"pending": 4, "confirmed": 2, "rejected": 1, "conflict": 0}}
    everything = overview.overview(corpus["store"], TAXONOMY)
    assert everything["documents"]["total"] == 4 and everything["documents"]["by_country"][TESTLAND] == 3


def test_cell_passages_list_what_is_behind_a_cell(corpus: dict) -> None:
    cell = cov.cell_passages(corpus["store"], TAXONOMY, TESTLAND, "1.1.1", corpus["A"].sha256)
    assert cell["state"] == "confirmed" and cell["document"]["title"] == "Health Act"
    assert [p["state"] for p in cell["passages"]] == ["confirmed", "suggested"]
    assert cell["passages"][0]["candidates"][0]["candidate_id"] == corpus["A"].candidate_ids[(0, "1.1.1")]
    with pytest.raises(cov.CoverageError, match="among the documents of Republic of Testland"):
        cov.cell_passages(corpus["store"], TAXONOMY, TESTLAND, "1.1.1", corpus["D"].sha256)


# --------------------------------------------------------------------------- CLI


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    from apps.cli import triage as triage_cli

    parser = argparse.ArgumentParser(prog="mgi")
    sub = parser.add_subparsers(dest="command", required=True)
    triage_cli.add_commands(sub, lambda p, model=False: p.add_argument("--taxonomy"))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def env(corpus: dict, monkeypatch) -> dict:  # noqa: ANN001
    monkeypatch.setenv("MGI_HOME", str(corpus["home"]))
    monkeypatch.setenv("MGI_DB_URL", corpus["store"].url)
    return corpus


def test_cli_coverage_csv_xlsx_and_text(env: dict, tmp_path: Path) -> None:
    code, out, _ = run_cli(["coverage", "--country", "Testland"])
    assert code == 0 and out == cov.to_csv(cov.coverage(env["store"], TAXONOMY, TESTLAND))
    code, _out, err = run_cli(["coverage", "--country", "Testland", "--out", str(tmp_path / "m.xlsx")])
    assert code == 0 and (tmp_path / "m.xlsx").stat().st_size > 0 and "92 indicators x 3 documents" in err
    code, out, _ = run_cli(["coverage", "--country", "Testland", "--format", "text"])
    assert code == 0 and "Coverage of Republic of Testland (3 documents" in out


def test_cli_reading_list_and_overview(env: dict) -> None:
    code, out, _ = run_cli(["reading-list", "--domain", "1", "--country", "Testland"])
    assert code == 0 and out.index("Loi sur le séjour") < out.index("Health Act")
    code, out, _ = run_cli(["reading-list", "--indicator", "1.1.1", "--json"])
    assert code == 0 and [e["title"] for e in json.loads(out)["entries"]][0] == "Health Act"
    code, out, _ = run_cli(["overview", "--json"])
    assert code == 0 and json.loads(out)["documents"]["total"] == 4
    code, out, _ = run_cli(["overview", "--country", "Testland"])
    assert code == 0 and "Documents: 3 (processed 3)" in out and "60%" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["coverage", "--country", "Atlantis"], "mgi coverage: no documents for country 'Atlantis'"),
        (["coverage", "--country", "Testland", "--format", "xlsx"], "--format xlsx needs --out FILE.xlsx"),
        (["reading-list", "--indicator", "9.9.9"], "mgi reading-list: unknown indicator '9.9.9'"),
        (["reading-list", "--domain", "8"], "unknown domain '8'"),
        (["overview", "--country", "Atlantis"], "no documents for country 'Atlantis'"),
    ],
)
def test_cli_errors_are_one_line(env: dict, argv: list[str], message: str) -> None:
    code, _out, err = run_cli(argv)
    assert code == 2 and message in err and err.count("\n") == 1
