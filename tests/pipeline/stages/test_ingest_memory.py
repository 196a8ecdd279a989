"""Huge files: pages are streamed, so memory does not grow with the page count.

The peak RSS of reading a 1,000-page PDF vs a 100-page one is reported in the issue; here a
fast check that no pdfplumber page outlives its turn, and a slow one that compares the peak
memory of two sizes in fresh processes (a ratio within one run, never a time).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pdfgen import write_pdf

from pipeline.stages.ingest import iter_raw_pages


def short_pages(n: int) -> list[list[str]]:
    return [
        [f"Article {i}. Duties of employers", f"The employer shall pay the agreed wage to worker number {i}."]
        for i in range(1, n + 1)
    ]


def full_pages(n: int) -> list[list[str]]:
    line = "({k}) Line {k} of article {i}: the employer shall pay the agreed wage and respect the conditions."
    return [[f"Article {i}. Duties"] + [line.format(i=i, k=k) for k in range(1, 25)] for i in range(1, n + 1)]


def live_pdfplumber_pages() -> int:
    from pdfplumber.page import Page

    gc.collect()
    return sum(isinstance(o, Page) for o in gc.get_objects())


def test_no_page_object_outlives_its_turn(tmp_path):
    path = write_pdf(tmp_path / "forty.pdf", short_pages(40))
    before = live_pdfplumber_pages()
    seen = []
    for text in iter_raw_pages(path):
        seen.append(text)
        assert live_pdfplumber_pages() - before <= 1  # only the page being read, if any
    assert len(seen) == 40 and live_pdfplumber_pages() == before


PROBE = """
import json, resource, sys
from pipeline.stages.ingest import Limits, read_document
read_document(sys.argv[2])  # a one-page warm-up: everything imported before the baseline
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc, pages = read_document(sys.argv[1], None, None, Limits(max_pages=5000))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"pages": len(pages), "delta_kb": peak - base}))
"""


def peak_delta_kb(path: Path) -> dict:
    warm_up = write_pdf(path.with_name("warm-up.pdf"), full_pages(1))
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), str(warm_up)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_page_count(tmp_path):
    small = peak_delta_kb(write_pdf(tmp_path / "small.pdf", full_pages(15)))
    large = peak_delta_kb(write_pdf(tmp_path / "large.pdf", full_pages(150)))
    assert (small["pages"], large["pages"]) == (15, 150)
    print(f"peak RSS growth: 15 pages {small['delta_kb'] / 1024:.1f} MB, 150 pages {large['delta_kb'] / 1024:.1f} MB")
    # ten times the pages may cost a little more (the text itself, pdfminer's object cache), not ten times:
    # keeping pdfplumber's pages (and their text maps) cost ~4 MB a page of this size, ~600 MB here
    assert large["delta_kb"] < small["delta_kb"] * 3 + 40 * 1024
