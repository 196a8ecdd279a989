"""Retrain from the seed annotations plus analysts' decisions; promote only a model that is not worse.

1. Examples: the seed annotations, plus the reviewed passages (``pipeline.services.export.training_examples``:
   confirmed = evidence for the indicator decided, all rejected = evidence for none; when that
   module is not there, the candidates' own statuses: confirmed -> positive for its indicator,
   rejected -> negative). A review example's group is its document, so a document never straddles
   a train/test split.
2. The same evaluation for both models, on held-out document groups (``evaluate.split_groups``, one
   split per seed): the candidate recipe is fitted on the training groups of each split and scored
   on its test groups; the current model (``MGI_HOME/models/current``, else the shipped one, else
   zero-shot) is scored, as it is, on the very same rows. Test groups are drawn only from groups
   the current model was not trained on (else it would be judged on its own training data): a
   model trained here records its groups in ``training_groups.json``; for one without that record
   the seed annotations' groups are assumed seen, so the comparison runs on reviewed documents.
3. The candidate is trained on every example and written to ``MGI_HOME/models/<version>/`` with
   ``comparison.json``; it is promoted (``models/current`` re-pointed atomically) only if its
   micro-F1 is not lower than the current model's (minus ``tolerance``). The comparison is also
   appended to ``models/promotions.jsonl`` and stored with the run (``runs`` table, kind "retrain").
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import DEFAULT_EMBEDDER, REPO_ROOT
from pipeline.learning.evaluate import SplitResult, aggregate, embed_texts, split_groups, split_metrics
from pipeline.learning.model import ModelCard, TrainedScorer
from pipeline.learning.train import (
    Example,
    Params,
    TrainingError,
    data_hash,
    fit,
    load_examples,
    make_card,
    score,
    write_model,
)
from pipeline.stages.classify import ZeroShotScorer
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.store import Store

log = logging.getLogger(__name__)

CURRENT = "current"
GROUPS_FILE = "training_groups.json"
COMPARISON_FILE = "comparison.json"
PROMOTIONS_LOG = "promotions.jsonl"
METRIC = "micro_f1"

DEFAULT_SEEDS = REPO_ROOT / "annotations" / "seed"


@dataclass
class RetrainResult:
    status: str  # promoted | kept-current | unchanged | not-compared
    reason: str
    model_version: str | None = None
    folder: str | None = None
    current_model: str | None = None
    examples: dict[str, int] = field(default_factory=dict)
    comparison: dict[str, Any] = field(default_factory=dict)

    @property
    def promoted(self) -> bool:
        return self.status == "promoted"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- examples


def examples_from_candidates(rows: Sequence[dict[str, Any]], taxonomy: Taxonomy | None = None) -> list[Example]:
    """Decided candidates (``Store.decided_candidates``) as examples: a passage with confirmed candidates
    is evidence for those indicators; a passage whose decided candidates were all rejected is evidence
    for none."""
    known = set(taxonomy.indicator_ids) if taxonomy is not None else None
    by_passage: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_passage.setdefault(r["passage_id"], []).append(r)
    out = []
    for pid, decided in by_passage.items():
        confirmed = list(dict.fromkeys(r["indicator"] for r in decided if r["status"] == "confirmed"))
        if known is not None:
            confirmed = [i for i in confirmed if i in known]
            if not confirmed and any(r["status"] == "confirmed" for r in decided):
                continue  # confirmed only for indicators this taxonomy lacks
        first = decided[0]
        out.append(
            Example(
                id=f"review-{pid}",
                text=first["text"],
                language=first["language"] or "unknown",
                indicators=tuple(confirmed),
                group=first["sha256"],
                source="review",
            )
        )
    return out


def decision_examples(store: Store, taxonomy: Taxonomy, source: str = "auto") -> list[Example]:
    """Analysts' decisions as training examples. ``source``: "export" (the review layer's export),
    "store" (the candidates' statuses), or "auto" (the export when that module exists)."""
    if source in ("auto", "export"):
        try:
            from pipeline.services.export import training_examples
        except ImportError:
            if source == "export":
                raise
        else:
            return [
                Example(
                    str(d["id"]),
                    d["text"],
                    d.get("language") or "unknown",
                    tuple(d.get("indicators") or ()),
                    str(d.get("group") or d["id"]),
                    d.get("polarity"),
                    "review",
                )
                for d in training_examples(store, taxonomy=taxonomy)
            ]
    return examples_from_candidates(store.decided_candidates(), taxonomy)


# --------------------------------------------------------------------------- the comparison


def _seen_groups(model: Path | None, seed_examples: Sequence[Example]) -> tuple[set[str], str]:
    """The document groups a model was trained on, and how we know."""
    if model is None:
        return set(), "zero-shot: trained on nothing"
    record = model / GROUPS_FILE
    if record.is_file():
        return set(json.loads(record.read_text(encoding="utf-8"))), f"recorded in {GROUPS_FILE}"
    return {e.group for e in seed_examples}, "not recorded: assumed to be the seed annotations' groups"


def _zero_shot_p_dom(domain_scores: np.ndarray, threshold: float) -> np.ndarray:
    """Zero-shot domain scores with a "none" column first (what ``split_metrics`` expects)."""
    none = np.full((domain_scores.shape[0], 1), threshold, dtype=np.float32)
    return np.hstack([none, domain_scores])


class _Current:
    """The model in use, scored as it is (no refitting)."""

    def __init__(self, model: Path | None, taxonomy: Taxonomy, encoder: Encoder) -> None:
        self.model = model
        self.taxonomy = taxonomy
        if model is None:
            self.scorer: Any = ZeroShotScorer(taxonomy, encoder)
        else:
            self.scorer = TrainedScorer(model, taxonomy, encoder)
        self.version = self.scorer.model_version

    def split_result(self, X: np.ndarray) -> SplitResult:
        if isinstance(self.scorer, TrainedScorer):
            s, d = score(self.scorer.heads, X, self.taxonomy)
            return SplitResult(s, d, self.scorer.heads.thresholds)
        sc = self.scorer.score(X)
        return SplitResult(sc.indicator, _zero_shot_p_dom(sc.domain, float(self.scorer.threshold)), sc.thresholds)


def _summary(agg: dict[str, Any]) -> dict[str, Any]:
    keys = ("micro_f1", "micro_precision", "micro_recall", "macro_f1", "top1", "top3", "domain_top1")
    return {k: (agg.get(k) or {}).get("mean") for k in keys}


def compare(
    X: np.ndarray,
    examples: Sequence[Example],
    taxonomy: Taxonomy,
    encoder: Encoder,
    current: _Current,
    X_current: np.ndarray,
    seen: set[str],
    seeds: Sequence[int],
    test_share: float = 0.2,
    params: Params | None = None,
) -> dict[str, Any]:
    """Both models on the same held-out rows of each split. Test groups are drawn (per language, ``test_share``
    of them) from the groups the current model was not trained on; the candidate is fitted on the rest."""
    cand_runs, cur_runs = [], []
    rows_used, groups_used = 0, set()
    eligible = np.asarray([i for i, e in enumerate(examples) if e.group not in seen], dtype=int)
    if len(eligible) == 0:
        return {"compared": False, "seeds": list(seeds), "rows": 0, "groups": 0}
    for seed in seeds:
        # test groups are drawn from the groups the current model never saw; everything else trains
        _tr, te_local = split_groups([examples[i] for i in eligible], test_share, seed)
        te = eligible[te_local]
        tr = np.setdiff1d(np.arange(len(examples)), te)
        if len(te) == 0 or not any(examples[i].indicators for i in te):
            continue
        heads, _ = fit(X[tr], [examples[i] for i in tr], taxonomy, encoder, params or Params(seed=seed))
        s, d = score(heads, X[te], taxonomy)
        test_examples = [examples[i] for i in te]
        cand_runs.append(split_metrics(SplitResult(s, d, heads.thresholds), test_examples, taxonomy))
        cur_runs.append(split_metrics(current.split_result(X_current[te]), test_examples, taxonomy))
        rows_used += len(te)
        groups_used |= {examples[i].group for i in te}
    if not cand_runs:
        return {"compared": False, "seeds": list(seeds), "rows": 0, "groups": 0}
    return {
        "compared": True,
        "seeds": list(seeds),
        "test_share_of_groups": test_share,
        "splits": len(cand_runs),
        "rows": rows_used,
        "groups": len(groups_used),
        "candidate": _summary(aggregate(cand_runs, taxonomy)),
        "current": _summary(aggregate(cur_runs, taxonomy)),
    }


# --------------------------------------------------------------------------- promotion


def promote(models_dir: Path, folder: Path) -> Path:
    """Point ``models_dir/current`` at ``folder`` atomically (a relative symlink when the folder is inside
    ``models_dir``). A real folder already called ``current`` is kept as ``previous-<time>``."""
    models_dir.mkdir(parents=True, exist_ok=True)
    link = models_dir / CURRENT
    folder = folder.resolve()
    target = folder.name if folder.parent == models_dir.resolve() else str(folder)
    tmp = models_dir / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    if link.exists() and not link.is_symlink():
        link.rename(models_dir / f"previous-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    os.replace(tmp, link)
    return link


# --------------------------------------------------------------------------- the whole step


def retrain(
    store: Store,
    taxonomy: Taxonomy,
    encoder: Encoder,
    models_dir: Path,
    *,
    seed_paths: Sequence[Path],
    current: Path | None = None,
    current_encoder: Callable[[str], Encoder] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    test_share: float = 0.2,
    tolerance: float = 0.0,
    params: Params | None = None,
    promote_if_better: bool = True,
    force: bool = False,
    decisions: str = "auto",
    cache_dir: Path | None = None,
) -> RetrainResult:
    """Train a candidate on seeds + decisions, compare it with ``current`` (the model folder the batch uses;
    None = zero-shot), write it under ``models_dir`` and, if it is not worse, promote it to
    ``models_dir/current``."""
    params = params or Params()
    seed_examples = load_examples(seed_paths)
    review = decision_examples(store, taxonomy, decisions)
    examples = seed_examples + review
    counts = {
        "seed": len(seed_examples),
        "review": len(review),
        "review_positive": sum(bool(e.indicators) for e in review),
        "review_negative": sum(not e.indicators for e in review),
    }
    cur_path = Path(current).resolve() if current else None
    cur_card = ModelCard.read(cur_path) if cur_path else None
    new_hash = data_hash(examples)
    if (
        cur_card is not None
        and not force
        and cur_card.data_hash == new_hash
        and cur_card.embedder == encoder.name
        and cur_card.taxonomy == taxonomy.key
    ):
        return RetrainResult(
            "unchanged",
            f"no new decisions since {cur_card.model_version} was trained (same data {new_hash}): nothing to do",
            cur_card.model_version,
            str(cur_path),
            cur_card.model_version,
            counts,
        )
    texts = [e.text for e in examples]
    X, _ = embed_texts(encoder, texts, cache_dir)
    if cur_card is not None and cur_card.embedder != encoder.name:
        cur_encoder = (current_encoder or _default_encoder)(cur_card.embedder)
        X_current, _ = embed_texts(cur_encoder, texts, cache_dir)
    else:
        cur_encoder, X_current = encoder, X
    current = _Current(cur_path, taxonomy, cur_encoder)
    seen, seen_how = _seen_groups(cur_path, seed_examples)
    comparison = compare(X, examples, taxonomy, encoder, current, X_current, seen, seeds, test_share, params)
    comparison.update(
        metric=METRIC, tolerance=tolerance, current_model=current.version, current_training_groups=seen_how
    )

    heads, report = fit(X, examples, taxonomy, encoder, params)
    metrics = {"comparison": {k: comparison.get(k) for k in ("candidate", "current", "rows", "groups", "seeds")}}
    card = make_card(heads, report, taxonomy, encoder, examples, params, metrics)
    folder = write_model(models_dir / card.model_version, heads, card)
    (folder / GROUPS_FILE).write_text(json.dumps(sorted({e.group for e in examples})) + "\n", encoding="utf-8")
    comparison["candidate_model"] = card.model_version

    if not comparison["compared"]:
        status, why = (
            "not-compared",
            "no held-out example the current model has not seen (confirm or reject more candidates): kept the current model",
        )
        if cur_path is None:  # nothing in use but zero-shot, and nothing to judge with: still keep zero-shot
            why = "no held-out evidence to evaluate on: kept zero-shot"
    else:
        new, old = comparison["candidate"][METRIC] or 0.0, comparison["current"][METRIC] or 0.0
        if new + 1e-12 >= old - tolerance:
            status, why = "promoted", f"{METRIC} {new:.4f} vs {old:.4f} for the current model: not worse"
        else:
            status, why = "kept-current", f"{METRIC} {new:.4f} vs {old:.4f} for the current model: worse, not promoted"
        if status == "promoted" and not promote_if_better:
            status, why = "kept-current", why + " (promotion disabled)"
    comparison.update(decision=status, reason=why, at=datetime.now(UTC).isoformat(timespec="seconds"))
    (folder / COMPARISON_FILE).write_text(json.dumps(comparison, indent=2) + "\n", encoding="utf-8")
    if status == "promoted":
        promote(models_dir, folder)
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / PROMOTIONS_LOG, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(comparison) + "\n")
    return RetrainResult(status, why, card.model_version, str(folder), current.version, counts, comparison)


def _default_encoder(spec: str) -> Encoder:
    from pipeline.stages.embed import get_encoder

    return get_encoder(spec)


def retrain_and_record(store: Store, **kwargs: Any) -> tuple[int, RetrainResult]:
    """``retrain`` as a run of kind "retrain" in the runs table (its summary holds the comparison)."""
    params = {
        k: (str(v) if isinstance(v, Path) else v) for k, v in kwargs.items() if k in ("seeds", "tolerance", "force")
    }
    run_id = store.start_run(params, kind="retrain")
    try:
        result = retrain(store, **kwargs)
    except BaseException as err:
        status = "interrupted" if isinstance(err, KeyboardInterrupt) else "failed"
        store.finish_run(run_id, {"error": f"{type(err).__name__}: {err}"}, status=status)
        raise
    store.finish_run(run_id, result.as_dict())
    return run_id, result


# --------------------------------------------------------------------------- the sequence `mgi retrain` and the flow run


def encoder_spec(embedder: str | None, model: Path | None) -> str:
    """The encoder to retrain with: the one asked for, else the current model's, else the default."""
    if embedder:
        return embedder
    if model is not None:
        return ModelCard.read(model).embedder
    return DEFAULT_EMBEDDER


def retrain_model(
    db_url: str,
    taxonomy_path: str,
    models_dir: str,
    cache_dir: str,
    current: str | None,
    annotations: list[str],
    embedder: str | None,
    seeds: list[int],
    tolerance: float,
    force: bool,
    decisions: str,
    promote_if_better: bool = True,
) -> tuple[int, dict[str, Any]]:
    """Retrain, compare and promote if not worse, as a run of kind "retrain": (run id, result)."""
    from pipeline.stages.embed import get_encoder
    from pipeline.stages.taxonomy import load_taxonomy

    cur = Path(current) if current else None
    run_id, result = retrain_and_record(
        Store(db_url),
        taxonomy=load_taxonomy(Path(taxonomy_path)),
        encoder=get_encoder(encoder_spec(embedder, cur)),
        models_dir=Path(models_dir),
        seed_paths=[Path(p) for p in annotations],
        current=cur,
        seeds=seeds,
        tolerance=tolerance,
        promote_if_better=promote_if_better,
        force=force,
        decisions=decisions,
        cache_dir=Path(cache_dir),
    )
    return run_id, result.as_dict()


def reclassify_passages(
    db_url: str,
    taxonomy_path: str,
    model_path: str | None,
    embedder: str | None,
    top_k: int,
    document: str | None,
    skip_decided: bool,
) -> tuple[int, dict[str, Any]]:
    """Score the stored passages with a model, as a run of kind "reclassify": (run id, report)."""
    from pipeline.services.reclassify import reclassify_and_record
    from pipeline.services.runs import shared_classifier

    classifier = shared_classifier(Path(taxonomy_path), Path(model_path) if model_path else None, embedder)
    run_id, report = reclassify_and_record(
        Store(db_url), classifier, top_k=top_k, document=document, skip_decided=skip_decided
    )
    return run_id, report.as_dict()


def retrain_then_reclassify(
    *,
    db_url: str,
    taxonomy_path: str,
    home: str,
    current: str | None,
    annotations: list[str],
    embedder: str | None,
    seeds: list[int],
    tolerance: float = 0.0,
    force: bool = False,
    decisions: str = "auto",
    promote_if_better: bool = True,
    reclassify_after: bool = True,
    top_k: int = 3,
    retrain_step: Callable[..., tuple[int, dict[str, Any]]] = retrain_model,
    reclassify_step: Callable[..., tuple[int, dict[str, Any]]] = reclassify_passages,
) -> dict[str, Any]:
    """What ``mgi retrain`` and the retrain flow both run: retrain (models in ``home/models``), and if
    the new model is promoted, reclassify the stored passages with it. The flow passes its tasks as
    the two steps. Returns the retrain result with ``run_id`` (and ``reclassify`` when it ran)."""
    run_id, result = retrain_step(
        db_url,
        taxonomy_path,
        str(Path(home) / "models"),
        str(Path(home) / "cache" / "embeddings"),
        current,
        annotations,
        embedder,
        list(seeds),
        tolerance,
        force,
        decisions,
        promote_if_better,
    )
    result["run_id"] = run_id
    if result["status"] == "promoted" and reclassify_after:
        rc_run, report = reclassify_step(db_url, taxonomy_path, result["folder"], None, top_k, None, True)
        result["reclassify"] = {"run_id": rc_run, **report}
    return result


__all__ = [
    "RetrainResult",
    "TrainingError",
    "compare",
    "decision_examples",
    "examples_from_candidates",
    "promote",
    "retrain",
    "retrain_and_record",
    "retrain_then_reclassify",
]
