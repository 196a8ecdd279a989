"""The benchmark report turns measurements into ratios and verdicts correctly (no timing is asserted:
the numbers here are made up, the arithmetic and the verdicts are what is checked)."""

from __future__ import annotations

from bench.micro import markdown
from bench.run import render


def _proc(wall: float, cpu: float, rss: float, out: dict | None = None) -> dict:
    return {"wall": wall, "cpu": cpu, "rss_mb": rss, "out": out or {}, "code": 0}


def _row(pages: int, first: float, extract: float, encode: float, rerun: float, rss: float) -> dict:
    return {
        "pages": pages,
        "documents": pages // 10,
        "config": "default",
        "label": "shipped model (e5-small)",
        "encoder": "e5-small",
        "batch": 64,
        "passages": pages * 6,
        "first": _proc(first, first * 1.2, rss),
        "flow_seconds": first - 5,
        "extract": _proc(extract + 1, extract, 300, {"seconds": extract, "cpu_seconds": extract}),
        "encode": _proc(encode + 1, encode, 400, {"seconds": encode, "cpu_seconds": encode}),
        "rerun": _proc(rerun, rerun, 120),
        "rerun_flow_seconds": 0.01,
    }


def _results(rows: list[dict]) -> dict:
    return {
        "date": "2026-11-21 20:00 UTC",
        "cpus": 2,
        "cpu": "test CPU",
        "memory_gb": "24",
        "python": "3.11",
        "platform": "Linux",
        "shared_note": "Quiet machine.",
        "load": [0.1, 1.9],
        "minutes": 50.0,
        "command": "python -m bench.run",
        "rows": rows,
        "classify_text": [
            {
                "config": "default",
                "label": "shipped model (e5-small)",
                "lines": 10_000,
                "run": _proc(500.0, 900.0, 700),
                "bound": _proc(40.0, 70.0, 600, {"texts": 1000, "seconds": 40.0}),
            }
        ],
    }


def test_targets_met_and_missed_are_told_apart():
    rows = [
        _row(100, first=40.0, extract=8.0, encode=12.0, rerun=1.0, rss=600),  # 2.00 x the bound; re-run 2.5 %
        _row(1000, first=220.0, extract=80.0, encode=120.0, rerun=1.0, rss=630),  # 1.10 x; re-run 0.45 %
    ]
    report = render(_results(rows))
    assert "**2.00**" in report and "**1.10**" in report
    assert "- 100 pages, shipped model (e5-small): throughput 0.50 × the bound (**missed**" in report
    assert "- 1000 pages, shipped model (e5-small): throughput 0.91 × the bound (met" in report
    assert "re-run 2.5% of the first run (**missed**)" in report
    assert "re-run 0.5% of the first run (met)" in report
    assert "spread 5.0% (met), under 1.5 GB (met)" in report
    assert "| 10000 | shipped model (e5-small) | 500.0 | 900.0 | **20.0** | 25.0 | 1.25 | 700 |" in report
    assert "on **2 CPUs**" in report


def test_memory_that_grows_with_the_corpus_is_a_miss():
    rows = [_row(100, 40, 8, 12, 1, rss=600), _row(1000, 220, 80, 120, 1, rss=1700)]
    report = render(_results(rows))
    assert "spread 183.3% (**missed**), under 1.5 GB (**missed**)" in report


def test_micro_report_says_what_was_measured():
    text = markdown(
        {
            "date": "2026-11-21 19:36 UTC",
            "cpus": 2,
            "command": "python -m bench.micro language",
            "language": {
                "texts": 900,
                "langdetect_ms_per_text": 1.4,
                "pipeline_ms_per_text": 0.7,
                "speedup": 2.0,
                "identical": False,
            },
            "use-threads": {
                "pages": 300,
                "run": {
                    "1 thread": {"wall": 61.1, "cpu": 69.4, "flow": 42.1},
                    "2 threads": {"wall": 59.3, "cpu": 93.7, "flow": 41.8},
                },
            },
        }
    )
    assert "langdetect 1.4 ms per text" in text and "**2.0×** faster" in text
    assert "answers identical: **no**" in text
    assert "1 thread: 61.1 s wall, 69.4 s CPU (flow 42.1 s); 2 threads: 59.3 s wall" in text
