"""The main flow: a folder of policy documents in, a queue of indicator evidence out.

ingest -> detect language -> split into passages -> classify -> queue, one document at a time;
a document that fails is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.analyse import Analysis, Classifier, analyse
from pipeline.corpus import discover, metadata_for
from pipeline.factory import build_classifier
from pipeline.ingest import IngestError, read_pdf, sha256_file
from pipeline.records import Document, DocumentMeta, DocumentOutcome, Page
from pipeline.store import Store
from pipeline.taxonomy import load_taxonomy

Progress = Callable[[DocumentOutcome, int, int], None]


@dataclass
class RunSummary:
    run_id: int
    database: str
    model_version: str
    new: int = 0
    skipped: int = 0
    failed: int = 0
    unsupported: list[str] = field(default_factory=list)
    passages: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    candidates_by_domain: dict[str, int] = field(default_factory=dict)
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def candidates(self) -> int:
        return sum(self.candidates_by_domain.values())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["candidates"] = self.candidates
        return data


def _retry_unless_bad_input(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's callback signature
    """Retry I/O hiccups, not files that are simply unreadable."""
    try:
        state.result()
    except IngestError:
        return False
    except Exception:
        return True
    return False


@task(
    name="read-document",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_unless_bad_input,
)
def read_document(path: Path, meta: DocumentMeta, sha256: str) -> tuple[Document, list[Page]]:
    return read_pdf(path, meta, sha256)


@task(name="analyse-document", cache_policy=NO_CACHE)
def analyse_document(doc: Document, pages: list[Page], classifier: Classifier, top_k: int) -> Analysis:
    return analyse(doc, pages, classifier, top_k)


@task(name="store-document", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2)
def store_document(store: Store, doc: Document, pages: list[Page], result: Analysis, encoder: str, run_id: int) -> int:
    return store.save_document(
        doc, pages, result.language, result.passages, result.embeddings, encoder, result.candidates, run_id
    )


class LazyClassifier:
    """Loads the encoder and model on first use, so a run with nothing new to do stays fast."""

    def __init__(self, taxonomy_path: Path, model_path: Path | None, embedder: str | None) -> None:
        self._args = (taxonomy_path, model_path, embedder)
        load_taxonomy(taxonomy_path)  # a bad taxonomy file stops the run before any document is touched
        self._classifier: Classifier | None = None

    def get(self) -> Classifier:
        if self._classifier is None:
            self._classifier = build_classifier(*self._args)
        return self._classifier

    @property
    def model_version(self) -> str:
        return self._classifier.model_version if self._classifier else "(no document needed the model)"


def process_one(
    path: Path, meta: DocumentMeta, store: Store, lazy: LazyClassifier, top_k: int, run_id: int
) -> DocumentOutcome:
    """One file through every stage; never raises for a bad file."""
    try:
        sha = sha256_file(path)
    except OSError as err:
        return DocumentOutcome(str(path), None, "failed", f"cannot read the file: {err.strerror or err}")
    todo, why = store.should_process(sha)
    if not todo:
        return DocumentOutcome(str(path), sha, "skipped", why)
    try:
        doc, pages = read_document(path, meta, sha)
        classifier = lazy.get()
        result = analyse_document(doc, pages, classifier, top_k)
        added = store_document(store, doc, pages, result, classifier.encoder.name, run_id)
    except Exception as err:  # noqa: BLE001 - one bad document must not end the batch
        reason = str(err) if isinstance(err, IngestError) else f"{type(err).__name__}: {err}"
        status = store.record_failure(str(path), sha, reason, meta, path.stat().st_size)
        if status == "processed":  # another run stored it meanwhile; this attempt's error changes nothing
            return DocumentOutcome(str(path), sha, "skipped", "already processed")
        return DocumentOutcome(str(path), sha, "failed" if status == "failed" else "parked", reason)
    return DocumentOutcome(
        str(path), sha, "new", None, result.language.code, len(result.passages), added, result.candidates_by_domain()
    )


@flow(name="mgi-process-documents", log_prints=False, validate_parameters=False)
def process_documents(
    paths: list[str],
    db_url: str,
    taxonomy_path: str,
    model_path: str | None = None,
    embedder: str | None = None,
    country: str | None = None,
    level: str | None = None,
    top_k: int = 3,
    progress: Progress | None = None,
) -> RunSummary:
    started = time.perf_counter()
    logger = get_run_logger()
    store = Store(db_url)
    classifier = LazyClassifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    found = discover(paths)
    meta = metadata_for(found.files, country=country, level=level)
    run_id = store.start_run(
        {
            "paths": paths,
            "country": country,
            "level": level,
            "model_path": model_path,
            "embedder": embedder,
            "top_k": top_k,
        }
    )
    summary = RunSummary(run_id, store.url, "", unsupported=[str(p) for p in found.unsupported])
    languages: Counter[str] = Counter()
    by_domain: Counter[str] = Counter()
    for n, path in enumerate(found.files, start=1):
        outcome = process_one(path, meta[path], store, classifier, top_k, run_id)
        summary.outcomes.append(outcome)
        if outcome.status == "new":
            summary.new += 1
            summary.passages += outcome.passages
            languages[outcome.language or "unknown"] += 1
            by_domain.update(outcome.candidates_by_domain)
        elif outcome.status == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
            logger.warning("%s: %s", path, outcome.reason)
        if progress is not None:
            progress(outcome, n, len(found.files))
    summary.model_version = classifier.model_version
    summary.languages = dict(languages.most_common())
    summary.candidates_by_domain = dict(sorted(by_domain.items()))
    summary.seconds = round(time.perf_counter() - started, 2)
    store.finish_run(run_id, {k: v for k, v in summary.as_dict().items() if k != "outcomes"})
    return summary
