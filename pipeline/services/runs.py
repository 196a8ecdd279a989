"""The per-document runner: folders of policy documents in, a queue of indicator evidence out.

ingest -> detect language -> split into passages -> classify -> store, one document at a time; a
document that fails is recorded with its reason and the batch goes on. ``run_batch`` is the body of
both batch flows (``flows/process.py``) and so of ``mgi run``; ``process_one`` is what a Dask worker
does with one document.

Incremental (a document already stored, by SHA-256, is skipped before anything is loaded),
resumable (an attempt is counted before the work starts and a document is written in one
transaction, so a run killed anywhere leaves nothing half-written and the next run finishes the
job). The three steps of a document are called directly, or through ``Steps`` (the flows make them
Prefect tasks with retries); work handed to a Dask cluster comes back through ``on_dask``.

Also here: the per-process caches (one classifier and one database engine per process, however many
documents it is given), the read-ahead thread and the run's heartbeat.

May import: ``pipeline.records``, ``pipeline.config``, ``pipeline.stages``, ``pipeline.learning``,
``pipeline.services.batch``, ``pipeline.storage.store``; never Prefect, ``flows`` or ``apps``.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.learning.factory import build_classifier
from pipeline.records import DocumentMeta, DocumentOutcome
from pipeline.services.batch import NO_MODEL_NEEDED, Job, RunSummary, Source, batch_params, plan_batch, tally
from pipeline.stages.analyse import Analysis, Classifier, Prepared, classify, prepare
from pipeline.stages.heap import freeze_loaded
from pipeline.stages.ingest import IngestError, Limits, sha256_file
from pipeline.stages.ingest import read_document as ingest_document
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store

Progress = Callable[[DocumentOutcome, int, int], None]
Result = tuple[int, DocumentOutcome, int, int]  # job index, outcome, worker pid, classifier loads there
OnDask = Callable[[list[Job], int, Callable[[DocumentOutcome], None]], list[Result]]
HEARTBEAT_SECONDS = 30.0


def prepare_document(path: Path, meta: DocumentMeta, sha256: str) -> Prepared:
    """Read the file, detect its language, split it into passages (no model needed)."""
    doc, pages = ingest_document(path, meta, sha256, Limits.from_env())
    return prepare(doc, pages)


def store_document(store: Store, prepared: Prepared, result: Analysis, encoder: str, run_id: int) -> int:
    """Store a classified document with everything it produced, in one transaction."""
    return store.save_document(
        prepared.doc,
        prepared.pages,
        result.language,
        result.passages,
        result.embeddings,
        encoder,
        result.candidates,
        run_id,
    )


@dataclass(frozen=True)
class Steps:
    """How a document's three steps are called: directly (None, the default) or through a wrapper
    with the same signature (the flows pass Prefect tasks, which add retries and run records)."""

    prepare: Callable[[Path, DocumentMeta, str], Prepared] | None = None
    classify: Callable[[Prepared, Classifier, int], Analysis] | None = None
    store: Callable[[Store, Prepared, Analysis, str, int], int] | None = None

    def prepare_document(self, path: Path, meta: DocumentMeta, sha256: str) -> Prepared:
        return (self.prepare or prepare_document)(path, meta, sha256)

    def classify_document(self, prepared: Prepared, classifier: Classifier, top_k: int) -> Analysis:
        return (self.classify or classify)(prepared, classifier, top_k)

    def store_document(self, store: Store, prepared: Prepared, result: Analysis, encoder: str, run_id: int) -> int:
        return (self.store or store_document)(store, prepared, result, encoder, run_id)


DIRECT = Steps()


# --------------------------------------------------------------------------- per-process caches
# A Dask worker (or the flow's own process) loads the encoder and model once and opens the database
# once, however many documents it is given.

_LOCK = threading.Lock()
_CLASSIFIERS: dict[tuple[Any, ...], Classifier] = {}
_STORES: dict[tuple[str, int | None], Store] = {}
_LOADS = {"classifier": 0}


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path is not None else None
    except OSError:
        return None


def shared_classifier(taxonomy_path: Path, model_path: Path | None, embedder: str | None) -> Classifier:
    """The classifier for these settings, built once per process (rebuilt if the model or taxonomy file changes)."""
    model_path = Path(model_path).resolve() if model_path else None
    key = (
        str(Path(taxonomy_path).resolve()),
        _mtime(Path(taxonomy_path)),
        str(model_path) if model_path else None,
        _mtime(model_path / "card.json") if model_path else None,
        embedder,
    )
    with _LOCK:
        if key not in _CLASSIFIERS:
            _CLASSIFIERS[key] = build_classifier(Path(taxonomy_path), model_path, embedder)
            _LOADS["classifier"] += 1
            freeze_loaded()  # kept for the life of the process: out of the garbage collector's sight
        return _CLASSIFIERS[key]


def shared_store(db_url: str, max_attempts: int | None = None) -> Store:
    with _LOCK:
        key = (db_url, max_attempts)
        if key not in _STORES:
            _STORES[key] = Store(db_url, max_attempts=max_attempts)
        return _STORES[key]


class LazyClassifier:
    """Loads the encoder and model on first use, so a run with nothing new to do stays fast."""

    def __init__(self, taxonomy_path: Path, model_path: Path | None, embedder: str | None) -> None:
        self._args = (Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
        load_taxonomy(self._args[0])  # a bad taxonomy file stops the run before any document is touched
        self._classifier: Classifier | None = None

    def get(self) -> Classifier:
        if self._classifier is None:
            self._classifier = shared_classifier(*self._args)
        return self._classifier

    @property
    def model_version(self) -> str:
        return self._classifier.model_version if self._classifier else NO_MODEL_NEEDED


# --------------------------------------------------------------------------- one document


def process_one(
    path: Path,
    meta: DocumentMeta,
    store: Store,
    lazy: LazyClassifier,
    top_k: int,
    run_id: int,
    sha: str | None = None,
    steps: Steps = DIRECT,
) -> DocumentOutcome:
    """One file through every stage; never raises for a bad file. ``sha``: its SHA-256 if already known
    (the batch hashes every file first, to skip the stored ones before loading anything)."""
    started = begin_one(path, meta, store, run_id, sha)
    if isinstance(started, DocumentOutcome):
        return started
    try:
        prepared = steps.prepare_document(path, meta, started.sha256)
    except Exception as err:  # noqa: BLE001 - one bad document must not end the batch
        return fail_one(started, err, store, run_id)
    return finish_one(started, prepared, store, lazy, top_k, run_id, steps)


@dataclass(frozen=True)
class Started:
    """A document whose attempt is counted: what finishing it needs to know."""

    path: Path
    meta: DocumentMeta
    sha256: str
    size: int


def begin_one(
    path: Path, meta: DocumentMeta, store: Store, run_id: int, sha: str | None = None
) -> Started | DocumentOutcome:
    """Hash (unless known), skip what is stored, and count an attempt before any work is done."""
    if sha is None:
        try:
            sha = sha256_file(path)
        except OSError as err:
            return DocumentOutcome(str(path), None, "failed", f"cannot read the file: {err.strerror or err}")
        todo, why = store.should_process(sha)
        if not todo:
            return DocumentOutcome(str(path), sha, "skipped", why)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    go, why = store.begin_attempt(str(path), sha, run_id, meta, size)  # counted before any work: see store.py
    if not go:
        return DocumentOutcome(str(path), sha, "skipped", why)
    return Started(path, meta, sha, size)


def fail_one(started: Started, err: BaseException, store: Store, run_id: int) -> DocumentOutcome:
    """Record why a document failed (an IngestError says it itself; anything else by its type)."""
    reason = str(err) if isinstance(err, IngestError) else f"{type(err).__name__}: {err}"
    path, sha = str(started.path), started.sha256
    status = store.record_failure(path, sha, reason, started.meta, started.size, run_id=run_id)
    if status == "processed":  # another run stored it meanwhile; this attempt's error changes nothing
        return DocumentOutcome(path, sha, "skipped", "already processed")
    return DocumentOutcome(path, sha, "failed" if status == "failed" else "parked", reason)


def finish_one(
    started: Started,
    prepared: Prepared,
    store: Store,
    lazy: LazyClassifier,
    top_k: int,
    run_id: int,
    steps: Steps = DIRECT,
) -> DocumentOutcome:
    """Classify a prepared document and store it with everything it produced, in one transaction."""
    try:
        classifier = lazy.get()
        result = steps.classify_document(prepared, classifier, top_k)
        added = steps.store_document(store, prepared, result, classifier.encoder.name, run_id)
    except Exception as err:  # noqa: BLE001 - one bad document must not end the batch
        return fail_one(started, err, store, run_id)
    doc = prepared.doc
    if doc.reason:  # read only in part (e.g. pages that could not be OCRed): processed, with the reason kept
        _note_partial(store, started.sha256, doc.reason)
    return DocumentOutcome(
        str(started.path),
        started.sha256,
        "new",
        doc.reason,
        result.language.code,
        len(result.passages),
        added,
        result.candidates_by_domain(),
    )


class ReadAhead:
    """One document being prepared (the ``prepare-document`` task) on a thread of its own.

    A daemon thread, with the flow's context copied to it, rather than Prefect's thread pool: the
    pool's threads are joined when Python exits, so a Ctrl-C waited for the document being read
    ahead (24 s for the 563-page act of the real corpus, against 2 s one document at a time).
    Nothing is written on this thread (the attempt is counted, and the results stored, by the
    caller), so a thread cut short at exit loses nothing.
    """

    def __init__(self, started: Started, steps: Steps = DIRECT) -> None:
        self.started = started
        self.steps = steps
        self._done = threading.Event()
        self._result: Prepared | None = None
        self._error: BaseException | None = None
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(self._run,), name="mgi-read-ahead", daemon=True)
        thread.start()

    def _run(self) -> None:
        try:
            self._result = self.steps.prepare_document(self.started.path, self.started.meta, self.started.sha256)
        except BaseException as err:  # noqa: BLE001 - handed to the caller by result()
            self._error = err
        finally:
            self._done.set()

    def result(self) -> Prepared:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def process_pipelined(
    jobs: Sequence[Job],
    store: Store,
    lazy: LazyClassifier,
    top_k: int,
    run_id: int,
    report: Callable[[DocumentOutcome], None],
    steps: Steps = DIRECT,
) -> None:
    """The documents in order, each read and split on a thread of its own while the one before it
    is classified and stored here.

    Reading (pdfplumber) and splitting are pure Python; encoding mostly runs in native code that
    releases the interpreter lock. So the two halves overlap instead of taking turns (the
    before/after of this change, with the others made with it, is in docs/benchmarks.md). One
    document is read at a time and at most two are in memory; results and their order are those of
    one document after another. The model is loaded for the first document that reads well (while
    the second is read), so a run of only unreadable files never loads it.
    """

    def submit(job: Job) -> ReadAhead | None:
        started = begin_one(Path(job.path), job.meta, store, run_id, job.sha256)
        if isinstance(started, DocumentOutcome):
            report(started)
            return None
        return ReadAhead(started, steps)

    queue = list(jobs)
    ahead: ReadAhead | None = None
    while ahead is not None or queue:
        while queue and ahead is None:
            ahead = submit(queue.pop(0))
        if ahead is None:
            break
        current, ahead = ahead, None
        try:
            prepared = current.result()
        except Exception as err:  # noqa: BLE001 - one bad document must not end the batch
            report(fail_one(current.started, err, store, run_id))
            continue
        while queue and ahead is None:  # the next one is read and split while this one is classified
            ahead = submit(queue.pop(0))
        report(finish_one(current.started, prepared, store, lazy, top_k, run_id, steps))


def _note_partial(store: Store, sha256: str, reason: str) -> None:
    """Keep a processed document's "partial: ..." reason (``Store.save_document`` clears the reason)."""
    from pipeline.storage.tables import DocumentRow

    with store.session() as s, s.begin():
        row = s.get(DocumentRow, sha256)
        if row is not None:
            row.reason = reason


def run_job(
    job: Job,
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    run_id: int,
    max_attempts: int | None,
    steps: Steps = DIRECT,
) -> tuple[int, DocumentOutcome, int, int]:
    """A document on a worker: (job index, outcome, worker pid, classifier loads in that process)."""
    store = shared_store(db_url, max_attempts)
    lazy = LazyClassifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    outcome = process_one(Path(job.path), job.meta, store, lazy, top_k, run_id, sha=job.sha256, steps=steps)
    return job.index, outcome, os.getpid(), _LOADS["classifier"]


class Heartbeat:
    """Refreshes the run's heartbeat while it is alive, so other processes can tell a dead run from a long one."""

    def __init__(self, store: Store, run_id: int, every: float = HEARTBEAT_SECONDS) -> None:
        self._stop = threading.Event()

        def beat() -> None:
            while not self._stop.wait(every):
                try:
                    store.heartbeat(run_id)
                except Exception:  # noqa: BLE001, S112 - a missed beat is harmless
                    continue

        self._thread = threading.Thread(target=beat, name=f"mgi-run-{run_id}-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()


# --------------------------------------------------------------------------- a batch


def run_batch(
    sources: Sequence[Source],
    db_url: str,
    taxonomy_path: str,
    model_path: str | None = None,
    embedder: str | None = None,
    top_k: int = 3,
    progress: Progress | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    max_attempts: int | None = None,
    kind: str = "process",
    params: dict[str, Any] | None = None,
    *,
    steps: Steps = DIRECT,
    logger: logging.Logger | logging.LoggerAdapter | None = None,
    on_dask: OnDask | None = None,
    publish: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """A batch: plan it, record the run, process what is new (here, or on Dask through ``on_dask``),
    record the summary (and ``publish`` it). The body of both batch flows."""
    started = time.perf_counter()
    logger = logger or logging.getLogger("mgi.runs")
    store = Store(db_url, max_attempts=max_attempts)
    lazy = LazyClassifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    interrupted = store.mark_stale_runs()
    if interrupted:
        logger.warning("runs %s had died mid-way; marked interrupted", ", ".join(f"#{i}" for i in interrupted))
    # hash every file and skip, in a few queries, what is stored or parked: nothing is loaded for them
    plan = plan_batch(sources, store)
    use_dask = bool(workers and workers > 0) or bool(dask_address)
    runner = (
        (f"dask:{dask_address}" if dask_address else f"dask:local({int(workers or 1)} workers)")
        if use_dask
        else "default"
    )
    run_id = store.start_run(
        batch_params(sources, model_path, embedder, top_k, runner, store.max_attempts, params), kind=kind
    )
    summary = RunSummary(run_id, store.display_url, "", unsupported=[str(p) for p in plan.unsupported], runner=runner)
    summary.interrupted_runs = interrupted
    heartbeat = Heartbeat(store, run_id)
    total = len(plan.todo) + len(plan.outcomes)
    done = 0

    def report(outcome: DocumentOutcome) -> None:
        nonlocal done
        done += 1
        summary.outcomes.append(outcome)
        if outcome.status in ("failed", "parked"):
            logger.warning("%s: %s", outcome.path, outcome.reason)
        if progress is not None:
            progress(outcome, done, total)

    try:
        for outcome in plan.outcomes:
            report(outcome)
        todo = plan.todo
        # the new and changed documents
        if todo and use_dask:
            if on_dask is None:
                raise RuntimeError("running on Dask needs the flows (flows.process), which submit the work")
            results = on_dask(todo, run_id, report)
            loads = {pid: n for _i, _o, pid, n in results if pid}
            summary.workers = {"processes": len(loads), "classifier_loads": sum(loads.values())}
            summary.model_version = _model_version_of(lazy, results)
        else:
            process_pipelined(todo, store, lazy, top_k, run_id, report, steps)
            summary.model_version = lazy.model_version
        tally(summary)
        summary.seconds = round(time.perf_counter() - started, 2)
        store.finish_run(run_id, summary.stored_dict())
    except BaseException as err:
        tally(summary)
        summary.seconds = round(time.perf_counter() - started, 2)
        status = "interrupted" if isinstance(err, KeyboardInterrupt) else "failed"
        data = summary.stored_dict() | {"error": f"{type(err).__name__}: {err}"}
        try:
            store.finish_run(run_id, data, status=status)
        except Exception:  # noqa: BLE001 - the original error matters more
            logger.exception("could not record the end of run #%s", run_id)
        raise
    finally:
        heartbeat.stop()
    if publish is not None:
        publish(summary)
    return summary


def _model_version_of(lazy: LazyClassifier, results: list[tuple[int, DocumentOutcome, int, int]]) -> str:
    if not any(o.status == "new" for _i, o, _p, _n in results):
        return NO_MODEL_NEEDED
    return lazy.get().model_version  # the same settings as the workers'; cached after the first load


def summary_markdown(summary: RunSummary) -> str:
    lines = [
        f"# MGI run #{summary.run_id}",
        "",
        f"- finished in {summary.seconds:.1f} s on the {summary.runner} runner, model `{summary.model_version}`",
        f"- documents: **{summary.new} new**, {summary.skipped} skipped (already processed), "
        f"**{summary.failed} failed**, {summary.parked} parked (not tried again)",
        f"- passages: {summary.passages}; candidates added: **{summary.candidates}**",
        f"- database: `{summary.database}`",
    ]
    if summary.interrupted_runs:
        lines.append(f"- earlier runs found interrupted: {', '.join(f'#{i}' for i in summary.interrupted_runs)}")
    if summary.unsupported:
        lines.append(f"- ignored {len(summary.unsupported)} file(s) of an unsupported type")
    if summary.candidates_by_domain:
        lines += ["", "| domain | candidates |", "|---|---:|"]
        lines += [f"| {d} | {n} |" for d, n in summary.candidates_by_domain.items()]
    bad = [o for o in summary.outcomes if o.status in ("failed", "parked")]
    if bad:
        lines += ["", "## Failures", ""]
        lines += [f"- `{Path(o.path).name}` ({o.status}): {o.reason}" for o in bad[:100]]
    return "\n".join(lines) + "\n"
