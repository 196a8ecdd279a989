"""Retraining and reclassifying as flows: thin wrappers over ``pipeline.services.retrain`` (the same
``retrain_then_reclassify`` that ``mgi retrain`` runs, with its two steps as Prefect tasks).

``retrain_flow``: seed annotations + analysts' decisions -> a candidate model, compared with the
model in use on the same held-out groups, promoted to ``MGI_HOME/models/current`` only if it is
not worse; then (if promoted) the stored passages are reclassified with it, adding its suggestions
beside the analysts' decisions. The comparison is stored in the model folder, in
``models/promotions.jsonl`` and in the runs table, and published as a Prefect artifact.

May import: ``pipeline`` (core and services), Prefect; never ``apps``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.config import Settings, model_override
from pipeline.services import retrain

# the services' two steps as Prefect tasks (a task run each in the UI)
retrain_task = task(name="retrain-model", cache_policy=NO_CACHE)(retrain.retrain_model)
reclassify_task = task(name="reclassify-passages", cache_policy=NO_CACHE)(retrain.reclassify_passages)


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
    result = retrain.retrain_then_reclassify(
        db_url=settings.db_url,
        taxonomy_path=str(settings.taxonomy_path),
        home=str(settings.home),
        current=str(settings.model_path) if settings.model_path else None,
        annotations=annotations or [str(retrain.DEFAULT_SEEDS)],
        embedder=embedder,
        seeds=list(seeds if seeds is not None else (0, 1, 2)),
        tolerance=tolerance,
        force=force,
        decisions=decisions,
        reclassify_after=reclassify_after,
        top_k=top_k,
        retrain_step=retrain_task,
        reclassify_step=reclassify_task,
    )
    run_id = result["run_id"]
    logger.info("retrain: %s (%s)", result["status"], result["reason"])
    if result["status"] == "promoted" and model_override():
        logger.warning(
            "MGI_MODEL=%s is set, so batches keep using that model, not the promoted %s in MGI_HOME/models/current",
            model_override(),
            result["model_version"],
        )
    _publish("mgi-retrain", f"MGI retraining (run #{run_id}): {result['status']}", result)
    return result
