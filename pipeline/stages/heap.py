"""Keep Python's garbage collector off the models once they are loaded.

A run loads hundreds of thousands of long-lived objects (spaCy pipelines, encoder vocabularies,
Prefect, SQLAlchemy) and then makes millions of short-lived ones (pdfminer's layout objects, one
per character). Every full collection walks all of them, so the same PDFs were read 26 % slower
in a process with the models loaded than in a bare one (300 pages: 28.5 s against 22.6 s; 19.7 s
loaded and frozen; ``python -m bench.micro gc-freeze``, docs/benchmarks.md). ``gc.freeze()``
moves what exists into a permanent generation the collector never scans; garbage made later is
collected as usual. Frozen objects are never freed, so this
is only for things a process keeps until it exits.
"""

from __future__ import annotations

import gc
import threading

_LOCK = threading.Lock()


def freeze_loaded() -> None:
    """Collect what is garbage now, then freeze everything that is left (call after loading models)."""
    with _LOCK:
        gc.collect()
        gc.freeze()
