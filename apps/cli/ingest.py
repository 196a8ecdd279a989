"""`mgi inspect`: how ingest sees a file, page by page, without storing anything.

For each file: the format found by content, every page's text-layer quality (letters, garbage
score 0-1) and whether it needs OCR; with ``--read``, what reading it gives (OCRed pages, the
"partial: ..." reason or the one-line reason it cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def inspect_file(path: Path, read: bool) -> dict[str, Any]:
    from pipeline.stages.formats import sniff
    from pipeline.stages.ingest import IngestError, Limits, iter_raw_pages, read_document
    from pipeline.stages.ocr import GARBAGE_THRESHOLD, text_quality

    with open(path, "rb") as fh:
        kind = sniff(fh.read(4096))
    out: dict[str, Any] = {"path": str(path), "format": kind, "pages": []}
    limits = Limits.from_env()
    if kind == "pdf":
        try:
            for number, text in enumerate(iter_raw_pages(path, limits.max_pages), start=1):
                q = text_quality(text)
                out["pages"].append(
                    {
                        "page": number,
                        "letters": q.letters,
                        "garbage": q.garbage,
                        "needs_ocr": not q.usable,
                        "why": "no text layer" if q.empty else ("garbled" if q.garbage >= GARBAGE_THRESHOLD else ""),
                    }
                )
        except IngestError as err:
            out["error"] = str(err)
    if read:
        started = time.perf_counter()
        try:
            doc, pages = read_document(path, None, None, limits)
        except IngestError as err:
            out["read"] = {"status": "failed", "reason": str(err)}
        else:
            out["read"] = {
                "status": "processed",
                "source_format": doc.source_format,
                "pages": doc.n_pages,
                "ocr_pages": [p.number for p in pages if p.ocr],
                "reason": doc.reason,
            }
        out["read"]["seconds"] = round(time.perf_counter() - started, 2)
    return out


def cmd_inspect(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).is_file()]
    for p in missing:
        print(f"{p}: no such file", file=sys.stderr)
    results = [inspect_file(Path(p), args.read) for p in args.paths if p not in missing]
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 1 if missing else 0
    for r in results:
        print(f"{r['path']} ({r['format']})")
        if r.get("error"):
            print(f"  cannot read the pages: {r['error']}")
        flagged = [p for p in r["pages"] if p["needs_ocr"]]
        if r["pages"]:
            worst = max(p["garbage"] for p in r["pages"])
            print(f"  {len(r['pages'])} pages, {len(flagged)} need OCR, highest garbage score {worst:.2f}")
        for p in r["pages"] if args.all_pages else flagged:
            print(f"  page {p['page']:>4}: {p['letters']:>6} letters, garbage {p['garbage']:.2f} {p['why']}")
        if "read" in r:
            rd = r["read"]
            if rd["status"] == "failed":
                print(f"  read: FAILED: {rd['reason']} ({rd['seconds']} s)")
            else:
                print(
                    f"  read: {rd['source_format']}, {rd['pages']} pages, OCRed pages {rd['ocr_pages'] or 'none'}"
                    f" ({rd['seconds']} s)" + (f"\n  {rd['reason']}" if rd["reason"] else "")
                )
    return 1 if missing else 0


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    p = sub.add_parser("inspect", help="how ingest sees files: format, text-layer quality per page, OCR needed")
    p.add_argument("paths", nargs="+", metavar="FILE")
    p.add_argument("--read", action="store_true", help="also read each file as `mgi run` would (OCR included)")
    p.add_argument("--all-pages", action="store_true", help="list every page, not only those that need OCR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inspect)
