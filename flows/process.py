"""The batch flows: thin Prefect wrappers over the per-document runner (``pipeline.services.runs``).

* ``process_documents`` — what ``mgi run`` calls: some paths, one country/level for all.
* ``process_inbox`` — what the schedule runs (``flows/deployments.py``): the folders of an inbox
  config (``pipeline/services/inbox.py``), each with its own country/level, as one run.

Here: the document's steps as Prefect tasks (reading is retried on I/O errors), the Dask task
runner (``workers`` for a local cluster, ``dask_address`` for a running one; the same results as
the default in-process runner), the temporary Prefect server started beside the model load, and
the run summary published as artifacts.

May import: ``pipeline`` (core and services), Prefect, prefect-dask; never ``apps``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.records import DocumentMeta, DocumentOutcome
from pipeline.services import runs
from pipeline.services.batch import Job, RunSummary, Source, path_params, path_sources
from pipeline.stages.analyse import Analysis, Classifier, Prepared, classify
from pipeline.stages.ingest import IngestError
from pipeline.storage.store import Store


def _retry_unless_bad_input(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's callback signature
    """Retry I/O hiccups (a network share, a file still being copied), not files that are simply unreadable."""
    try:
        state.result()
    except IngestError:
        return False
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - a bug or a damaged file: the same again next second
        return False
    return False


@task(
    name="prepare-document",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_unless_bad_input,
)
def prepare_document(path: Path, meta: DocumentMeta, sha256: str) -> Prepared:
    """Read the file, detect its language, split it into passages (no model needed)."""
    return runs.prepare_document(path, meta, sha256)


@task(name="classify-document", cache_policy=NO_CACHE)
def classify_document(prepared: Prepared, classifier: Classifier, top_k: int) -> Analysis:
    return classify(prepared, classifier, top_k)


@task(name="store-document", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2)
def store_document(store: Store, prepared: Prepared, result: Analysis, encoder: str, run_id: int) -> int:
    return runs.store_document(store, prepared, result, encoder, run_id)


STEPS = runs.Steps(prepare=prepare_document, classify=classify_document, store=store_document)


def warm_start(taxonomy_path: Path, model_path: Path | None, embedder: str | None) -> None:
    """Before a flow that has work to do: start Prefect's temporary API server (a subprocess; unless
    ``PREFECT_API_URL`` names a server) on a thread while this one loads the classifier, instead of
    one after the other. Errors are left for the flow to meet and report where they belong."""
    from prefect.settings import get_current_settings

    server: threading.Thread | None = None
    if not get_current_settings().api.url:
        from prefect.server.api.server import SubprocessASGIServer

        def start() -> None:
            with contextlib.suppress(Exception):  # the flow starts it again and says what is wrong
                SubprocessASGIServer().start()

        server = threading.Thread(target=start, name="mgi-prefect-server-start", daemon=True)
        server.start()
    try:
        runs.shared_classifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    except Exception:  # noqa: BLE001, S110 - a model that cannot load is reported against each document
        pass
    finally:
        if server is not None:
            server.join()


@task(name="process-document", cache_policy=NO_CACHE)
def process_document(
    job: Job,
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    run_id: int,
    max_attempts: int | None,
) -> tuple[int, DocumentOutcome, int, int]:
    # A task's function reaches a Dask worker pickled by value, with private copies of the module's
    # globals: the per-process caches would be empty for every task. Going through the imported
    # module keeps one classifier and one database engine per worker process.
    from flows import process as module
    from pipeline.services import runs as runner

    return runner.run_job(
        job, db_url, taxonomy_path, model_path, embedder, top_k, run_id, max_attempts, steps=module.STEPS
    )


@flow(name="mgi-process-on-dask", log_prints=False, validate_parameters=False)
def process_on_dask(
    jobs: list[Job],
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    run_id: int,
    max_attempts: int | None,
    on_result: Callable[[Job, DocumentOutcome], None] | None = None,
) -> list[tuple[int, DocumentOutcome, int, int]]:
    """The per-document work of a batch, submitted to the flow's task runner (a Dask cluster)."""
    from prefect.futures import as_completed

    futures = {
        process_document.submit(job, db_url, taxonomy_path, model_path, embedder, top_k, run_id, max_attempts): job
        for job in jobs
    }
    results = []
    for fut in as_completed(list(futures)):
        job = futures[fut]
        try:
            res = fut.result()
        except Exception as err:  # noqa: BLE001 - a worker died or the task crashed outside process_one
            reason = f"worker failed: {type(err).__name__}: {err}"
            store = runs.shared_store(db_url, max_attempts)
            status = store.record_failure(job.path, job.sha256, reason, job.meta, run_id=run_id)
            outcome = DocumentOutcome(job.path, job.sha256, "failed" if status == "failed" else status, reason)
            res = (job.index, outcome, 0, 0)
        results.append(res)
        if on_result is not None:
            on_result(job, res[1])
    return sorted(results, key=lambda r: r[0])


def _api_url() -> str | None:
    """The Prefect API this process talks to (a real server, or the temporary one it started)."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if url:
        return str(url)
    try:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        if getattr(server, "running", False) or getattr(server, "server_process", None) is not None:
            return server.api_url
    except Exception:  # noqa: BLE001 - best effort: workers then start their own temporary server
        return None
    return None


@contextmanager
def _environment_for_workers() -> Iterator[None]:
    """Local Dask workers inherit this process's environment: point them at this run's Prefect API (else
    every worker starts a temporary server of its own) and keep distributed's logging quiet."""
    keys = ("PREFECT_API_URL", "DASK_LOGGING__DISTRIBUTED", "DASK_DISTRIBUTED__WORKER__DAEMON")
    saved = {k: os.environ.get(k) for k in keys}
    url = _api_url()
    if url:
        os.environ["PREFECT_API_URL"] = url
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def dask_runner(workers: int | None, dask_address: str | None):  # noqa: ANN201
    """A DaskTaskRunner: on the scheduler at ``dask_address``, else a LocalCluster of ``workers`` processes."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as err:  # pragma: no cover - prefect-dask is a dependency
        raise RuntimeError("running on Dask needs the prefect-dask package: pip install prefect-dask") from err
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": int(workers or 1),
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # any free port: never collides with another cluster's 8787
        }
    )


def on_dask(
    workers: int | None,
    dask_address: str | None,
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    max_attempts: int | None,
) -> runs.OnDask:
    """What ``runs.run_batch`` calls to hand a batch's new documents to a Dask cluster."""

    def submit(todo: list[Job], run_id: int, report: Callable[[DocumentOutcome], None]) -> list[runs.Result]:
        with _environment_for_workers():
            return process_on_dask.with_options(task_runner=dask_runner(workers, dask_address))(
                todo,
                db_url,
                str(taxonomy_path),
                str(model_path) if model_path else None,
                embedder,
                top_k,
                run_id,
                max_attempts,
                on_result=lambda _job, outcome: report(outcome),
            )

    return submit


def run_batch(
    sources: Sequence[Source],
    db_url: str,
    taxonomy_path: str,
    model_path: str | None = None,
    embedder: str | None = None,
    top_k: int = 3,
    progress: runs.Progress | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    max_attempts: int | None = None,
    kind: str = "process",
    params: dict[str, Any] | None = None,
) -> RunSummary:
    """``runs.run_batch`` inside a flow: the steps as tasks, the flow's logger, Dask, artifacts."""
    return runs.run_batch(
        sources,
        db_url,
        taxonomy_path,
        model_path,
        embedder,
        top_k,
        progress,
        workers,
        dask_address,
        max_attempts,
        kind,
        params,
        steps=STEPS,
        logger=get_run_logger(),
        on_dask=on_dask(workers, dask_address, db_url, taxonomy_path, model_path, embedder, top_k, max_attempts),
        publish=publish_artifacts,
    )


def publish_artifacts(summary: RunSummary) -> None:
    """The run summary as Prefect artifacts (markdown, and a table of the documents that were tried)."""
    logger = get_run_logger()
    try:
        from prefect.artifacts import create_markdown_artifact, create_table_artifact

        create_markdown_artifact(
            key="mgi-run-summary", markdown=runs.summary_markdown(summary), description=f"MGI run #{summary.run_id}"
        )
        rows = [
            {
                "file": Path(o.path).name,
                "status": o.status,
                "language": o.language or "",
                "passages": o.passages,
                "candidates": o.candidates,
                "reason": o.reason or "",
            }
            for o in summary.outcomes
            if o.status != "skipped"
        ]
        if rows:
            create_table_artifact(
                key="mgi-run-documents", table=rows[:2000], description=f"documents tried in MGI run #{summary.run_id}"
            )
    except Exception as err:  # noqa: BLE001 - the run is stored; the artifact is a convenience
        logger.warning("could not publish the run summary as a Prefect artifact: %s", err)


# --------------------------------------------------------------------------- the flows


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
    progress: runs.Progress | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    max_attempts: int | None = None,
) -> RunSummary:
    return run_batch(
        path_sources(paths, country, level),
        db_url,
        taxonomy_path,
        model_path,
        embedder,
        top_k,
        progress,
        workers,
        dask_address,
        max_attempts,
        params=path_params(paths, country, level),
    )


@flow(name="mgi-batch-inbox", log_prints=False, validate_parameters=False)
def process_inbox(
    config: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
) -> dict[str, Any]:
    """The scheduled batch: every folder of the inbox config (default ``MGI_HOME/inbox.yaml``), with the
    database, taxonomy and model of the environment (``MGI_*``); returns the run summary."""
    from pipeline.config import Settings
    from pipeline.services.inbox import load_inbox

    settings = Settings.from_env()
    inbox = load_inbox(Path(config) if config else None, settings.home)
    summary = run_batch(
        [(str(f.path), f.country, f.level) for f in inbox.folders],
        settings.db_url,
        str(settings.taxonomy_path),
        str(settings.model_path) if settings.model_path else None,
        settings.embedder,
        inbox.top_k,
        None,
        workers if workers is not None else inbox.workers,
        dask_address or inbox.dask_address,
        inbox.max_attempts,
        kind="batch",
        params={"inbox": str(inbox.source)},
    )
    data = summary.stored_dict()
    data["documents"] = [asdict(o) for o in summary.outcomes if o.status in ("failed", "parked")]
    return data
