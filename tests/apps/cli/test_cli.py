"""The `mgi` command's contract: run, status, documents, candidates and classify-text.

The database behind MGI_DB_URL is filled once per session by `mgi run` (the ``cli_db`` fixture)
and only read here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testkit import REPO, SAMPLE_EN, SAMPLE_FR

from apps.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- run


@pytest.mark.slow
def test_run_summary(cli_db):
    summary = cli_db["summary"]
    assert summary["new"] == 2 and summary["failed"] == 2 and summary["skipped"] == 0
    assert summary["languages"] == {"en": 1, "fr": 1}
    assert summary["candidates"] == sum(summary["candidates_by_domain"].values()) > 0
    assert [Path(p).name for p in summary["unsupported"]] == ["notes.txt"]
    reasons = {Path(o["path"]).name: o["reason"] for o in summary["outcomes"] if o["status"] == "failed"}
    assert set(reasons) == {"corrupt.pdf", "not_really.pdf"}
    assert summary["database"] == os.environ["MGI_DB_URL"]


@pytest.mark.slow
def test_rerun_prints_a_readable_summary(cli_db, capsys):
    code, out, _err = run_cli(capsys, "run", str(cli_db["folder"]), "--quiet")
    assert code == 0
    assert "0 new, 2 skipped (already processed), 2 failed" in out
    assert "ignored 1 file(s) of an unsupported type" in out
    assert "FAILED" in out and "corrupt.pdf: damaged or truncated PDF" in out
    assert "mgi status" in out


def test_run_on_a_missing_path_is_a_one_line_error(capsys, tmp_path):
    code, out, err = run_cli(capsys, "run", str(tmp_path / "nowhere"), "--quiet")
    assert code == 2 and out == ""
    assert err.strip() == f"mgi run: no such file or folder: {tmp_path / 'nowhere'}"


# --------------------------------------------------------------------------- status / documents / candidates


@pytest.mark.slow
def test_status_json(cli_db, capsys):
    code, out, _err = run_cli(capsys, "status", "--json")
    assert code == 0
    status = json.loads(out)
    assert {"documents", "passages", "candidates", "failures"} <= set(status)
    assert status["documents"]["processed"] == 2
    assert status["passages"] == cli_db["summary"]["passages"]
    assert status["candidates"] == {"pending": cli_db["summary"]["candidates"]}
    assert {Path(f["path"]).name for f in status["failures"]} == {"corrupt.pdf", "not_really.pdf"}
    assert all(f["reason"] for f in status["failures"])
    assert status["model"] == "zero-shot"
    assert status["home"] == os.environ["MGI_HOME"]


@pytest.mark.slow
def test_status_text(cli_db, capsys):
    code, out, _err = run_cli(capsys, "status")
    assert code == 0
    assert f"Database: {os.environ['MGI_DB_URL']}" in out
    assert "Documents: " in out and "processed 2" in out
    assert "Documents that did not fully succeed:" in out and "corrupt.pdf" in out


@pytest.mark.slow
def test_documents(cli_db, capsys):
    code, out, _err = run_cli(capsys, "documents", "--json")
    assert code == 0
    rows = {Path(r["path"]).name: r for r in json.loads(out)}
    assert set(rows) == {SAMPLE_EN, SAMPLE_FR, "corrupt.pdf", "not_really.pdf"}
    assert rows[SAMPLE_FR]["language"] == "fr" and rows[SAMPLE_FR]["country"] == "République du Valmont"
    assert rows[SAMPLE_EN]["passages"] > 0 and rows["corrupt.pdf"]["status"] == "failed"
    code, out, _err = run_cli(capsys, "documents")
    assert code == 0 and SAMPLE_EN in out and "-> not a PDF (a ZIP container" in out


@pytest.mark.slow
def test_candidates_filters(cli_db, capsys):
    code, out, _err = run_cli(capsys, "candidates", "--json", "--limit", "0")
    everything = json.loads(out)
    assert code == 0 and len(everything) == cli_db["summary"]["candidates"]
    domain = everything[0]["domain"]
    _c, out, _e = run_cli(capsys, "candidates", "--json", "--domain", domain, "--limit", "5")
    rows = json.loads(out)
    assert 0 < len(rows) <= 5 and {r["domain"] for r in rows} == {domain}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    _c, out, _e = run_cli(capsys, "candidates", "--json", "--language", "fr", "--limit", "0")
    assert {r["language"] for r in json.loads(out)} == {"fr"}
    _c, out, _e = run_cli(capsys, "candidates", "--json", "--document", SAMPLE_EN, "--limit", "0")
    assert {r["document"] for r in json.loads(out)} == {SAMPLE_EN}
    _c, out, _e = run_cli(capsys, "candidates", "--json", "--country", "république du valmont", "--limit", "0")
    assert {r["document"] for r in json.loads(out)} == {SAMPLE_FR}
    _c, out, _e = run_cli(capsys, "candidates", "--json", "--min-score", "2")
    assert json.loads(out) == []


@pytest.mark.slow
def test_candidates_text(cli_db, capsys):
    code, out, _err = run_cli(capsys, "candidates", "--limit", "2", "--width", "40")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4  # a header line and a text line per candidate
    assert lines[0].startswith("#") and "score" in lines[0] and " p." in lines[0]
    assert len(lines[1].strip()) <= 41
    code, out, _err = run_cli(capsys, "candidates", "--indicator", "no-such-indicator")
    assert code == 0 and out.strip() == "No candidates match."


# --------------------------------------------------------------------------- classify-text

TEXTS = [
    {"id": "en-1", "text": "Every migrant, whatever his or her status, shall have access to emergency health care."},
    {"id": 2, "text": "Les enfants étrangers sont inscrits à l'école publique quelle que soit leur situation."},
    {"id": "es-3", "text": "La Dirección General de Migración coordinará la política migratoria con los ministerios."},
]


def check_record(record: dict, expected_id, top_k: int) -> None:
    assert {"id", "language", "domain", "domain_score", "indicators"} <= set(record)
    assert record["id"] == expected_id
    assert record["domain"] in set("123456")
    assert -1.0 <= record["domain_score"] <= 1.0  # a cosine (zero-shot) or a probability (trained)
    indicators = record["indicators"]
    assert len(indicators) == top_k
    for item in indicators:
        assert {"id", "domain", "score"} <= set(item)
        assert item["id"].startswith(f"{item['domain']}.")
    scores = [item["score"] for item in indicators]
    assert scores == sorted(scores, reverse=True)
    assert len({item["id"] for item in indicators}) == top_k


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory):
    d = tmp_path_factory.mktemp("classify")
    good = d / "good.jsonl"
    good.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TEXTS), encoding="utf-8")
    mixed = d / "mixed.jsonl"
    mixed.write_text(
        json.dumps(TEXTS[0])
        + "\n"
        + '{"id": "broken", "text": "no closing brace"\n'
        + "\n"
        + json.dumps({"id": "no-text"})
        + "\n"
        + json.dumps(TEXTS[2], ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    tiny = d / "tiny-taxonomy.csv"
    tiny.write_text(
        "id,domain,name_en,description_en,description_es\n"
        "1.1,1,Health care,Migrants' access to public health care.,Acceso de los migrantes a la salud pública.\n"
        "1.2,1,Education,Migrant children's access to public schools.,Acceso de la niñez migrante a la escuela.\n"
        "2.1,2,Migration agency,A government body in charge of migration policy.,Un organismo a cargo de la política migratoria.\n"
        "3.1,3,Labour agreements,Bilateral agreements on labour migration.,Acuerdos bilaterales de migración laboral.\n",
        encoding="utf-8",
    )
    return {"good": good, "mixed": mixed, "dir": d, "tiny": tiny}


@pytest.mark.slow
def test_classify_text_writes_one_line_per_input(jsonl, capsys):
    code, out, err = run_cli(capsys, "classify-text", "--input", str(jsonl["good"]), "--top-k", "4")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(TEXTS)
    for record, text in zip(records, TEXTS, strict=True):
        check_record(record, text["id"], 4)
    assert [r["language"] for r in records] == ["en", "fr", "es"]
    assert "classified 3 text(s)" in err


@pytest.mark.slow
def test_classify_text_reports_bad_lines_and_keeps_good_ones(jsonl, capsys):
    out_file = jsonl["dir"] / "out.jsonl"
    code, out, err = run_cli(
        capsys,
        "classify-text",
        "--input",
        str(jsonl["mixed"]),
        "--output",
        str(out_file),
        "--top-k",
        "2",
        "--taxonomy",
        str(jsonl["tiny"]),
    )
    assert code == 1
    assert out == ""
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["en-1", "es-3"]
    for record in records:
        check_record(record, record["id"], 2)
    err_lines = err.strip().splitlines()
    assert any("line 2: not valid JSON" in line for line in err_lines)
    assert any('line 4: expected an object with "id" and a string "text"' in line for line in err_lines)
    assert not any("line 3" in line for line in err_lines)  # a blank line is not an error
    assert "Traceback" not in err
    assert "skipped 2 bad line(s)" in err


def test_classify_text_missing_input(capsys, tmp_path):
    code, _out, err = run_cli(capsys, "classify-text", "--input", str(tmp_path / "absent.jsonl"))
    assert code == 2 and err.strip() == f"mgi classify-text: input file not found: {tmp_path / 'absent.jsonl'}"


def test_unknown_taxonomy_file_is_a_one_line_error(capsys, tmp_path):
    missing = tmp_path / "official-mgi.yaml"
    for argv in (
        ["classify-text", "--input", "-", "--taxonomy", str(missing)],
        ["indicators", str(missing)],
    ):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2, argv
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err
        assert lines[0].startswith(f"mgi {argv[0]}: taxonomy file not found: {missing}")


@pytest.mark.slow
def test_run_with_unknown_taxonomy_stops_before_any_document(prefect_harness, capsys, tmp_path):
    missing = tmp_path / "official-mgi.yaml"
    code, out, err = run_cli(capsys, "run", str(tmp_path), "--quiet", "--taxonomy", str(missing))
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith(f"mgi run: taxonomy file not found: {missing}")
    assert "Traceback" not in err


def test_invalid_taxonomy_lists_its_problems(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,domain,name,description\n1.1,1,Health,\n1.1,1,Health,Access to care.\n")
    code, _out, err = run_cli(capsys, "indicators", str(bad))
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"mgi indicators: {bad}: ")
    assert "indicator id '1.1' is used 2 times" in err


def test_installed_command_exit_code_and_no_traceback(tmp_path):
    """The real `mgi` entry point, in a fresh process."""
    mgi = Path(sys.executable).parent / "mgi"
    command = [str(mgi)] if mgi.exists() else [sys.executable, "-m", "apps.cli"]
    result = subprocess.run(
        [*command, "classify-text", "--input", "-", "--taxonomy", str(tmp_path / "nope.csv")],
        input="",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"mgi classify-text: taxonomy file not found: {tmp_path / 'nope.csv'} "
        "(set MGI_TAXONOMY or --taxonomy to a YAML/CSV file)"
    ]
