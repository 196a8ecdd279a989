"""A batch of documents before and after the work: which files, which of them need processing, and
the run's summary. Plain Python (no Prefect), so a run with nothing new to do is decided, and
recorded, without starting Prefect at all (``mgi run`` over an unchanged corpus: see
``flows/process.py`` for the work itself).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.records import DocumentMeta, DocumentOutcome
from pipeline.stages.corpus import discover, metadata_for
from pipeline.stages.ingest import sha256_file
from pipeline.storage.store import Store

Source = tuple[str, str | None, str | None]  # path, country, level


def collect(sources: Sequence[Source]) -> tuple[list[tuple[Path, DocumentMeta]], list[Path]]:
    """Every supported file of the sources with its metadata (a source's country/level override the
    manifest), in order, each file once; and the files of unsupported types."""
    seen: dict[Path, DocumentMeta] = {}
    unsupported: list[Path] = []
    for path, country, level in sources:
        found = discover([path])
        meta = metadata_for(found.files, country=country, level=level)
        for f in found.files:
            seen.setdefault(f, meta[f])
        unsupported += [p for p in found.unsupported if p not in unsupported]
    return list(seen.items()), unsupported


@dataclass(frozen=True)
class Job:
    """One document for a worker: everything it needs, picklable."""

    index: int
    path: str
    sha256: str
    meta: DocumentMeta


# --------------------------------------------------------------------------- which files need work

NO_MODEL_NEEDED = "(no document needed the model)"
IDLE_RUNNER = "none (nothing to process)"  # the runner of a run recorded without its flow

_HASHES: dict[str, tuple[int, int, str]] = {}  # path -> (size, mtime_ns, SHA-256): one entry per path
_HASH_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """The file's SHA-256, remembered for this process while its size and modification time stay the
    same (``mgi run`` plans before its flow starts, and the flow asks again). One entry per path, so
    a long-lived process (``mgi schedule serve``) keeps no stale versions."""
    st = os.stat(path)
    key = str(Path(path).resolve())
    with _HASH_LOCK:
        known = _HASHES.get(key)
    if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
        return known[2]
    digest = sha256_file(path)
    with _HASH_LOCK:
        _HASHES[key] = (st.st_size, st.st_mtime_ns, digest)
    return digest


def path_sources(paths: Sequence[str | Path], country: str | None, level: str | None) -> list[Source]:
    """Paths given on a command line, all with the same country and level."""
    return [(str(p), country, level) for p in paths]


def path_params(paths: Sequence[str | Path], country: str | None, level: str | None) -> dict[str, Any]:
    """What a run over paths records of how it was asked for, beside ``batch_params``."""
    return {"paths": [str(p) for p in paths], "country": country, "level": level}


@dataclass
class Plan:
    """The files of a batch sorted out: what to process (``todo``) and what not, with why."""

    todo: list[Job]
    outcomes: list[DocumentOutcome]  # files skipped (stored, parked, a duplicate) or unreadable
    unsupported: list[Path]


def plan_batch(sources: Sequence[Source], store: Store) -> Plan:
    """Hash every file and ask the store, in a few queries, which ones need work (nothing is loaded
    for the others); the same file twice, or two files with the same content, are done once."""
    items, unsupported = collect(sources)
    outcomes: list[DocumentOutcome] = []
    hashed: list[tuple[Path, DocumentMeta, str]] = []
    for path, meta in items:
        try:
            hashed.append((path, meta, file_sha256(path)))
        except OSError as err:
            outcomes.append(DocumentOutcome(str(path), None, "failed", f"cannot read the file: {err.strerror or err}"))
    verdicts = store.triage(sha for _p, _m, sha in hashed)
    first_path: dict[str, Path] = {}
    todo: list[Job] = []
    for path, meta, sha in hashed:
        if sha in first_path:
            outcomes.append(DocumentOutcome(str(path), sha, "skipped", f"same content as {first_path[sha]}"))
            continue
        first_path[sha] = path
        go, why = verdicts[sha]
        if go:
            todo.append(Job(len(todo), str(path), sha, meta))
        else:
            outcomes.append(DocumentOutcome(str(path), sha, "skipped", why))
    return Plan(todo, outcomes, unsupported)


def batch_params(
    sources: Sequence[Source],
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    runner: str,
    max_attempts: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a run records of how it was asked for (the runs table's ``params``)."""
    return {
        **(extra or {}),
        "sources": [list(s) for s in sources],
        "model_path": model_path,
        "embedder": embedder,
        "top_k": top_k,
        "runner": runner,
        "max_attempts": max_attempts,
    }


def record_idle_run(
    plan: Plan,
    store: Store,
    params: dict[str, Any],
    kind: str = "process",
    progress: Callable[[DocumentOutcome, int, int], None] | None = None,
) -> RunSummary:
    """Record a run whose plan has nothing to process, as the flow would have (a run row, its summary),
    without loading a model or starting Prefect: an unchanged re-run costs the hashing and a query.
    ``params``: from ``batch_params`` with the runner ``IDLE_RUNNER``."""
    if plan.todo:
        raise ValueError("this plan has documents to process: run it in the flow")
    started = time.perf_counter()
    interrupted = store.mark_stale_runs()
    run_id = store.start_run(params, kind=kind)
    summary = RunSummary(
        run_id,
        store.display_url,
        NO_MODEL_NEEDED,
        unsupported=[str(p) for p in plan.unsupported],
        runner=IDLE_RUNNER,
        interrupted_runs=interrupted,
    )
    for n, outcome in enumerate(plan.outcomes, start=1):
        summary.outcomes.append(outcome)
        if progress is not None:
            progress(outcome, n, len(plan.outcomes))
    tally(summary)
    summary.seconds = round(time.perf_counter() - started, 2)
    store.finish_run(run_id, summary.stored_dict())
    return summary


# --------------------------------------------------------------------------- the summary


@dataclass
class RunSummary:
    run_id: int
    database: str
    model_version: str
    new: int = 0
    skipped: int = 0  # already processed (or the same file twice in this run)
    failed: int = 0  # failed this run (including those parked by this failure)
    parked: int = 0  # not tried: parked after too many failed attempts
    unsupported: list[str] = field(default_factory=list)
    passages: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    candidates_by_domain: dict[str, int] = field(default_factory=dict)
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    seconds: float = 0.0
    runner: str = "default"
    interrupted_runs: list[int] = field(default_factory=list)  # earlier runs found dead and marked
    workers: dict[str, Any] = field(default_factory=dict)  # Dask: worker processes, classifier loads

    @property
    def candidates(self) -> int:
        return sum(self.candidates_by_domain.values())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["candidates"] = self.candidates
        return data

    def stored_dict(self) -> dict[str, Any]:
        """What goes into the runs table: everything but the per-file outcomes of skipped files."""
        data = {k: v for k, v in self.as_dict().items() if k != "outcomes"}
        data["documents"] = [asdict(o) for o in self.outcomes if o.status not in ("skipped",)][:1000]
        return data


def tally(summary: RunSummary) -> None:
    languages: Counter[str] = Counter()
    by_domain: Counter[str] = Counter()
    summary.new = summary.skipped = summary.failed = summary.parked = summary.passages = 0
    summary.outcomes.sort(key=lambda o: o.path)
    for o in summary.outcomes:
        if o.status == "new":
            summary.new += 1
            summary.passages += o.passages
            languages[o.language or "unknown"] += 1
            by_domain.update(o.candidates_by_domain)
        elif o.status == "skipped" and (o.reason or "").startswith("parked"):
            summary.parked += 1
        elif o.status == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
    summary.languages = dict(languages.most_common())
    summary.candidates_by_domain = dict(sorted(by_domain.items()))
