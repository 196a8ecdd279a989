"""Retraining and reclassifying as flows (thin wrappers over ``pipeline.retrain`` / ``pipeline.reclassify``).

``retrain_flow``: seed annotations + analysts' decisions -> a candidate model, compared with the
model in use on the same held-out groups, promoted to ``MGI_HOME/models/current`` only if it is
not worse; then (if promoted) the stored passages are reclassified with it, adding its suggestions
beside the analysts' decisions. The comparison is stored in the model folder, in
``models/promotions.jsonl`` and in the runs table, and published as a Prefect artifact.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.config import DEFAULT_EMBEDDER, REPO_ROOT, Settings
from pipeline.store import Store

DEFAULT_SEEDS = REPO_ROOT / "annotations" / "seed"


def _encoder_spec(embedder: str | None, model: Path | None) -> str:
    if embedder:
        return embedder
    if model is not None:
        from pipeline.learning.model import ModelCard

        return ModelCard.read(model).embedder
    return DEFAULT_EMBEDDER


@task(name="retrain-model", cache_policy=NO_CACHE)
def retrain_task(
    db_url: str,
    taxonomy_path: str,
    home: str,
    current: str | None,
    annotations: list[str],
    embedder: str | None,
    seeds: list[int],
    tolerance: float,
    force: bool,
    decisions: str,
) -> tuple[int, dict[str, Any]]:
    from pipeline.stages.embed import get_encoder
    from pipeline.retrain import retrain_and_record
    from pipeline.stages.taxonomy import load_taxonomy

    cur = Path(current) if current else None
    encoder = get_encoder(_encoder_spec(embedder, cur))
    run_id, result = retrain_and_record(
        Store(db_url),
        taxonomy=load_taxonomy(Path(taxonomy_path)),
        encoder=encoder,
        models_dir=Path(home) / "models",
        seed_paths=[Path(p) for p in annotations],
        current=cur,
        seeds=seeds,
        tolerance=tolerance,
        force=force,
        decisions=decisions,
        cache_dir=Path(home) / "cache" / "embeddings",
    )
    return run_id, result.as_dict()


@task(name="reclassify-passages", cache_policy=NO_CACHE)
def reclassify_task(
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    document: str | None,
    skip_decided: bool,
) -> tuple[int, dict[str, Any]]:
    from flows.process import shared_classifier
    from pipeline.reclassify import reclassify_and_record

    classifier = shared_classifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    run_id, report = reclassify_and_record(
        Store(db_url), classifier, top_k=top_k, document=document, skip_decided=skip_decided
    )
    return run_id, report.as_dict()


def _publish(key: str, title: str, data: dict[str, Any]) -> None:
    try:
        from prefect.artifacts import create_markdown_artifact

        body = f"# {title}\n\n```json\n{json.dumps(data, indent=2, default=str)}\n```\n"
        create_markdown_artifact(key=key, markdown=body, description=title)
    except Exception as err:  # noqa: BLE001 - the result is stored; the artifact is a convenience
        get_run_logger().warning("could not publish %s as a Prefect artifact: %s", key, err)


@flow(name="mgi-reclassify", log_prints=False, validate_parameters=False)
def reclassify_flow(
    model: str | None = None,
    embedder: str | None = None,
    document: str | None = None,
    top_k: int = 3,
    include_decided: bool = False,
) -> dict[str, Any]:
    """Score the stored passages with ``model`` (default: the model in use; "none" = zero-shot)."""
    settings = Settings.from_env()
    if model is None:
        model_path = settings.model_path
    else:
        model_path = None if model.lower() in {"none", "zero-shot"} else Path(model)
    run_id, report = reclassify_task(
        settings.db_url,
        str(settings.taxonomy_path),
        str(model_path) if model_path else None,
        embedder or settings.embedder,
        top_k,
        document,
        not include_decided,
    )
    report["run_id"] = run_id
    _publish("mgi-reclassify", f"MGI reclassification (run #{run_id})", report)
    return report


@flow(name="mgi-retrain", log_prints=False, validate_parameters=False)
def retrain_flow(
    annotations: list[str] | None = None,
    embedder: str | None = None,
    seeds: list[int] | None = None,
    tolerance: float = 0.0,
    reclassify_after: bool = True,
    force: bool = False,
    decisions: str = "auto",
    top_k: int = 3,
) -> dict[str, Any]:
    """Retrain, compare, promote if not worse, then reclassify with the promoted model."""
    logger = get_run_logger()
    settings = Settings.from_env()
    run_id, result = retrain_task(
        settings.db_url,
        str(settings.taxonomy_path),
        str(settings.home),
        str(settings.model_path) if settings.model_path else None,
        annotations or [str(DEFAULT_SEEDS)],
        embedder,
        list(seeds if seeds is not None else (0, 1, 2)),
        tolerance,
        force,
        decisions,
    )
    result["run_id"] = run_id
    logger.info("retrain: %s (%s)", result["status"], result["reason"])
    if result["status"] == "promoted":
        if os.environ.get("MGI_MODEL"):
            logger.warning(
                "MGI_MODEL=%s is set, so batches keep using that model, not the promoted %s in MGI_HOME/models/current",
                os.environ["MGI_MODEL"],
                result["model_version"],
            )
        if reclassify_after:
            rc_run, report = reclassify_task(
                settings.db_url, str(settings.taxonomy_path), result["folder"], None, top_k, None, True
            )
            result["reclassify"] = {"run_id": rc_run, **report}
    _publish("mgi-retrain", f"MGI retraining (run #{run_id}): {result['status']}", result)
    return result
