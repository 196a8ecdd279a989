"""`mgi inspect` (apps/cli/ingest.py), run through its own small parser."""

from __future__ import annotations

import argparse
import json

from hostile import SCAN_LINES, write_scan_pdf
from pdfgen import write_pdf

from apps.cli import ingest as ingest_cli


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mgi")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest_cli.add_commands(sub, lambda p, model=False: None)
    args = parser.parse_args(argv)
    return args.func(args)


def test_inspect_shows_pages_that_need_ocr(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MGI_OCR", "0")  # fast: no Tesseract
    path = write_scan_pdf(
        tmp_path / "mixed.pdf", [None, SCAN_LINES], text_pages=[["Article 1. " + "Text of the law. " * 9]]
    )
    assert run(["inspect", str(path), "--read"]) == 0
    out = capsys.readouterr().out
    assert "2 pages, 1 need OCR" in out and "page    2:      0 letters, garbage 1.00 no text layer" in out
    assert "partial: page 2 has no text layer and OCR is off (MGI_OCR=0)" in out


def test_inspect_json_and_missing_files(tmp_path, capsys):
    good = write_pdf(
        tmp_path / "good.pdf", [["Article 1. Scope", "This Act governs the admission of foreign nationals."]]
    )
    assert run(["inspect", str(good), str(tmp_path / "absent.pdf"), "--json", "--read"]) == 1
    captured = capsys.readouterr()
    (result,) = json.loads(captured.out)
    assert result["format"] == "pdf" and result["pages"][0]["needs_ocr"] is False
    assert result["read"]["status"] == "processed" and result["read"]["reason"] is None
    assert "absent.pdf: no such file" in captured.err
