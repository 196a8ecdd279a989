"""Train the indicator classifier on sentence embeddings (scikit-learn), and write a model folder.

The model has two linear heads over the embedding:
* an indicator head: one class-balanced logistic regression per indicator with enough labels,
  calibrated with Platt scaling fitted on out-of-fold decision values (folds by document group);
  indicators with too few labels fall back to zero-shot similarity to their descriptions,
  calibrated the same way;
* a domain head: a class-balanced multinomial logistic regression over the six domains plus
  "none" (text that answers no indicator).
An indicator's score is p(indicator)^(1-alpha) * p(its domain)^alpha; alpha and per-indicator
thresholds are chosen on out-of-fold predictions, never on the rows a head was fitted on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import MgiError
from pipeline.learning.model import CARD, WEIGHTS, LinearHeads, ModelCard, combined_scores, sigmoid
from pipeline.stages.classify import max_similarity, prototype_matrix
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy

log = logging.getLogger(__name__)

MIN_POSITIVES = 4  # fewer labels than this: the indicator is scored zero-shot
ALPHAS = (0.0, 0.25, 0.5)
THRESHOLD_SHRINK = 5.0  # pseudo-count pulling a per-indicator threshold toward the global one


class TrainingError(MgiError, ValueError):
    pass


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    language: str
    indicators: tuple[str, ...]
    group: str
    polarity: str | None = None
    source: str = "seed"


@dataclass
class Params:
    C: float = 4.0
    folds: int = 3
    min_positives: int = MIN_POSITIVES
    seed: int = 0
    head: str = "ridge"  # "ridge": class-balanced least squares, all indicators from one Gram matrix; "logistic"


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """Annotation JSONL files (or folders of them) to examples; problems name file and line."""
    examples: list[Example] = []
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files += sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    if not files:
        raise TrainingError("no annotation files found (expected *.jsonl under annotations/seed)")
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                examples.append(
                    Example(
                        str(d["id"]),
                        d["text"],
                        d.get("language", "unknown"),
                        tuple(d.get("indicators") or ()),
                        str(d.get("group") or d["id"]),
                        d.get("polarity"),
                        d.get("source", f.stem),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise TrainingError(
                    f"{f} line {n}: not a valid annotation ({err}); needs id, text, indicators, group"
                ) from err
    return examples


def data_hash(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.id):
        h.update(json.dumps([e.id, e.text, e.language, list(e.indicators), e.group], ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def label_matrices(examples: Sequence[Example], taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray]:
    """(Y: n x n_indicators bool, domain class per example: 0 = none, k = k-th domain)."""
    index = {iid: i for i, iid in enumerate(taxonomy.indicator_ids)}
    dom_index = {d: k + 1 for k, d in enumerate(taxonomy.domain_ids)}
    unknown = sorted({iid for e in examples for iid in e.indicators if iid not in index})
    if unknown:
        raise TrainingError(f"annotations use indicator ids the taxonomy lacks: {', '.join(unknown[:10])}")
    Y = np.zeros((len(examples), len(index)), dtype=bool)
    dom = np.zeros(len(examples), dtype=int)
    for r, e in enumerate(examples):
        for iid in e.indicators:
            Y[r, index[iid]] = True
        if e.indicators:
            dom[r] = dom_index[taxonomy.indicator(e.indicators[0]).domain]
    return Y, dom


def _group_folds(groups: Sequence[str], k: int, seed: int) -> list[np.ndarray]:
    """Test-index arrays of k folds that never split a document group."""
    uniq = sorted(set(groups))
    rng = np.random.default_rng(seed)
    rng.shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    assign = np.asarray([fold_of[g] for g in groups])
    return [np.flatnonzero(assign == f) for f in range(k)]


def _ridge_heads(X: np.ndarray, Y: np.ndarray, trained: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """One class-balanced ridge regression per indicator (targets +1/-1), solved in closed form.

    Each indicator weighs its positives and negatives to equal total weight, so its normal matrix
    is w_neg * X'X + (w_pos - w_neg) * X_P'X_P: X'X is computed once for all indicators, and only
    the positives' small Gram matrix per indicator. On 5,000 passages this takes seconds where one
    logistic regression per indicator took minutes, at the same held-out quality (see
    docs/evaluation)."""
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1), dtype=X.dtype)]).astype(np.float64)
    G = Xa.T @ Xa
    s_all = Xa.sum(axis=0)
    reg = np.full(d + 1, lam * n)
    reg[-1] = 1e-6 * n  # the intercept is (almost) not shrunk
    W = np.zeros((Y.shape[1], d), dtype=np.float32)
    b = np.full(Y.shape[1], -10.0, dtype=np.float32)
    for i in np.flatnonzero(trained):
        pos = Y[:, i]
        n_pos = int(pos.sum())
        if n_pos in (0, n):
            continue
        w_pos, w_neg = n / (2.0 * n_pos), n / (2.0 * (n - n_pos))
        Xp = Xa[pos]
        A = w_neg * G + (w_pos - w_neg) * (Xp.T @ Xp) + np.diag(reg)
        # X'Wy with y = +1 for positives, -1 for negatives
        rhs = w_pos * Xp.sum(axis=0) - w_neg * (s_all - Xp.sum(axis=0))
        beta = np.linalg.solve(A, rhs)
        W[i], b[i] = beta[:d], beta[d]
    return W, b


def _fit_linear(X: np.ndarray, Y: np.ndarray, dom: np.ndarray, n_dom: int, params: Params):  # noqa: ANN202
    """Indicator head (one linear scorer per indicator with enough labels) and domain head."""
    from sklearn.linear_model import LogisticRegression

    n_ind = Y.shape[1]
    trained = Y.sum(axis=0) >= params.min_positives
    if params.head == "ridge":
        W, b = _ridge_heads(X, Y, trained, 1.0 / (params.C * 250.0))
    else:
        W = np.zeros((n_ind, X.shape[1]), dtype=np.float32)
        b = np.full(n_ind, -10.0, dtype=np.float32)
        for i in np.flatnonzero(trained):
            if Y[:, i].all():
                continue
            lr = LogisticRegression(C=params.C, class_weight="balanced", solver="liblinear", max_iter=2000)
            lr.fit(X, Y[:, i])
            W[i], b[i] = lr.coef_[0], lr.intercept_[0]
    # domain head as softmax logits; a class absent from the data gets a logit that never wins
    dom_w = np.zeros((n_dom, X.shape[1]), dtype=np.float32)
    dom_b = np.full(n_dom, -30.0, dtype=np.float32)
    clf = LogisticRegression(C=params.C, class_weight="balanced", max_iter=2000)
    clf.fit(X, dom)
    if len(clf.classes_) == 2:  # sklearn keeps one row for a binary problem: logit(c1) - logit(c0)
        dom_b[clf.classes_[0]] = 0.0
        dom_w[clf.classes_[1]], dom_b[clf.classes_[1]] = clf.coef_[0], clf.intercept_[0]
    else:
        for row, cls in enumerate(clf.classes_):
            dom_w[cls], dom_b[cls] = clf.coef_[row], clf.intercept_[row]
    return W, b, trained, dom_w, dom_b


def _platt(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    if labels.all() or not labels.any():
        return np.asarray([1.0, 0.0], dtype=np.float32)
    lr = LogisticRegression(C=100.0, max_iter=1000)
    lr.fit(values.reshape(-1, 1), labels)
    return np.asarray([lr.coef_[0, 0], lr.intercept_[0]], dtype=np.float32)


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The cut on ``scores`` that maximises F1 for ``labels`` (and that F1)."""
    if not labels.any():
        return 1.0, 0.0
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    precision = tp / np.arange(1, len(y) + 1)
    recall = tp / y.sum()
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    k = int(np.argmax(f1))
    lower = s[k + 1] if k + 1 < len(s) else s[k] - 1e-3
    return float((s[k] + lower) / 2), float(f1[k])


@dataclass
class FitReport:
    alpha: float
    global_threshold: float
    oof_micro_f1: float
    trained_indicators: int
    zero_shot_indicators: list[str] = field(default_factory=list)
    oof_score: np.ndarray | None = None  # (n, n_ind) out-of-fold scores of the rows fitted on
    folds: list[np.ndarray] = field(default_factory=list)  # the document-group folds behind them


def fit(
    X: np.ndarray, examples: Sequence[Example], taxonomy: Taxonomy, encoder: Encoder, params: Params | None = None
) -> tuple[LinearHeads, FitReport]:
    """Fit both heads on (X, examples); calibration, alpha and thresholds from group-wise OOF predictions."""
    params = params or Params()
    Y, dom = label_matrices(examples, taxonomy)
    if len(set(dom.tolist())) < 2:
        raise TrainingError("training needs examples of at least two classes (domains or 'none')")
    groups = [e.group for e in examples]
    protos, owners = prototype_matrix(taxonomy, encoder)
    cos = max_similarity(X, protos, owners, Y.shape[1])
    folds = _group_folds(groups, max(2, min(params.folds, len(set(groups)))), params.seed)

    n_dom = len(taxonomy.domain_ids) + 1
    oof_dec = np.zeros(Y.shape, dtype=np.float32)
    oof_dom = np.zeros((len(examples), n_dom), dtype=np.float32)
    oof_trained = np.ones(Y.shape, dtype=bool)
    for test_idx in folds:
        train_idx = np.setdiff1d(np.arange(len(examples)), test_idx)
        W, b, trained, dw, db = _fit_linear(X[train_idx], Y[train_idx], dom[train_idx], n_dom, params)
        oof_dec[test_idx] = X[test_idx] @ W.T + b
        oof_trained[test_idx] &= trained[None, :]
        oof_dom[test_idx] = X[test_idx] @ dw.T + db

    W, b, trained, dom_w, dom_b = _fit_linear(X, Y, dom, n_dom, params)
    mask = oof_trained & trained[None, :]
    platt = _platt(oof_dec[mask], Y[mask]) if mask.any() else np.asarray([1.0, 0.0], dtype=np.float32)
    zs_platt = _platt(cos.ravel(), Y.ravel())

    ind_dom = np.asarray([taxonomy.domain_ids.index(i.domain) for i in taxonomy.indicators])
    heads = LinearHeads(
        W, b, platt, trained, zs_platt, protos, owners, dom_w, dom_b, 0.0, np.full(Y.shape[1], 0.5, dtype=np.float32)
    )
    # OOF combined scores for each alpha; pick the best micro-F1
    p_ind = np.where(mask, sigmoid(platt[0] * oof_dec + platt[1]), sigmoid(zs_platt[0] * cos + zs_platt[1]))
    exp = np.exp(oof_dom - oof_dom.max(axis=1, keepdims=True))
    p_dom = exp / exp.sum(axis=1, keepdims=True)
    best = (-1.0, 0.0, 0.5, None)
    for alpha in ALPHAS:
        score = p_ind ** (1 - alpha) * p_dom[:, 1:][:, ind_dom] ** alpha
        t, f1 = best_threshold(score.ravel(), Y.ravel())
        if f1 > best[0]:
            best = (f1, alpha, t, score)
    micro_f1, alpha, t_global, oof_score = best
    thresholds = np.full(Y.shape[1], t_global, dtype=np.float32)
    for i in range(Y.shape[1]):
        n_pos = int(Y[:, i].sum())
        if n_pos:
            t_i, _ = best_threshold(oof_score[:, i], Y[:, i])
            thresholds[i] = (n_pos * t_i + THRESHOLD_SHRINK * t_global) / (n_pos + THRESHOLD_SHRINK)
    heads.alpha, heads.thresholds = float(alpha), thresholds
    report = FitReport(
        alpha,
        t_global,
        micro_f1,
        int(trained.sum()),
        [iid for iid, t in zip(taxonomy.indicator_ids, trained, strict=True) if not t],
        oof_score,
        folds,
    )
    return heads, report


def score(heads: LinearHeads, X: np.ndarray, taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray]:
    ind_dom = np.asarray([taxonomy.domain_ids.index(i.domain) for i in taxonomy.indicators])
    return combined_scores(heads, X, ind_dom)


def write_model(folder: Path, heads: LinearHeads, card: ModelCard) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    heads.save(folder / WEIGHTS)
    (folder / CARD).write_text(card.to_json() + "\n", encoding="utf-8")
    (folder / "README.md").write_text(render_card(card), encoding="utf-8")
    return folder


def make_card(
    heads: LinearHeads,
    report: FitReport,
    taxonomy: Taxonomy,
    encoder: Encoder,
    examples: Sequence[Example],
    params: Params,
    metrics: dict[str, Any] | None = None,
) -> ModelCard:
    h = data_hash(examples)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    langs: dict[str, int] = {}
    for e in examples:
        langs[e.language] = langs.get(e.language, 0) + 1
    return ModelCard(
        model_version=f"mgi-{taxonomy.version}-{encoder.name}-{h[:8]}",
        created=created,
        embedder=encoder.name,
        dim=encoder.dim,
        taxonomy=taxonomy.key,
        indicator_ids=taxonomy.indicator_ids,
        domain_ids=taxonomy.domain_ids,
        data_hash=h,
        n_examples=len(examples),
        metrics=metrics or {},
        params={
            "C": params.C,
            "folds": params.folds,
            "min_positives": params.min_positives,
            "alpha": report.alpha,
            "global_threshold": round(report.global_threshold, 4),
            "oof_micro_f1": round(report.oof_micro_f1, 4),
        },
        training_data={
            "languages": langs,
            "positives": sum(bool(e.indicators) for e in examples),
            "negatives": sum(not e.indicators for e in examples),
            "groups": len({e.group for e in examples}),
            "sources": sorted({e.source for e in examples}),
            "zero_shot_indicators": report.zero_shot_indicators,
        },
    )


def render_card(card: ModelCard) -> str:
    td = card.training_data
    lines = [
        f"# Model card: {card.model_version}",
        "",
        "Classifies passages of migration-policy documents against the indicators of the taxonomy "
        f"`{card.taxonomy}` ({len(card.indicator_ids)} indicators in {len(card.domain_ids)} domains).",
        "",
        "| | |",
        "|---|---|",
        f"| created | {card.created} |",
        f"| embedding model | `{card.embedder}` ({card.dim}-d) |",
        f"| taxonomy | `{card.taxonomy}` |",
        f"| training data | {card.n_examples} passages ({td.get('positives')} evidence, {td.get('negatives')} no indicator), "
        f"{td.get('groups')} document groups; hash `{card.data_hash}` |",
        f"| languages | {', '.join(f'{k} {v}' for k, v in sorted(td.get('languages', {}).items()))} |",
        f"| heads | one-vs-rest logistic regression (C={card.params.get('C')}, class-balanced, Platt-calibrated on "
        f"group-wise out-of-fold values) + domain head (6 domains + none); alpha={card.params.get('alpha')} |",
        f"| zero-shot fallback | {len(td.get('zero_shot_indicators', []))} indicators with < {card.params.get('min_positives')} labels |",
        f"| out-of-fold micro-F1 (training data) | {card.params.get('oof_micro_f1')} |",
        "",
        "## Intended use",
        "Ranking candidate evidence for analysts to confirm. Scores are calibrated probabilities on data like the "
        "training data (passages written in the style of legislation and strategies by the project team); on real "
        "legislation they are lower and thresholds should be read as a triage order, not a decision.",
        "",
        "## Limitations",
        "Trained on team-written passages, not on the official MGI questionnaire or expert-labelled corpora. "
        "Languages beyond en/fr/es rely on the encoder's cross-lingual alignment only. See docs/evaluation/ for measured "
        "results, including results on real legislation.",
    ]
    if card.metrics:
        lines += [
            "",
            "## Metrics (held-out document groups)",
            "",
            "```json",
            json.dumps(card.metrics, indent=2, ensure_ascii=False),
            "```",
        ]
    return "\n".join(lines) + "\n"
