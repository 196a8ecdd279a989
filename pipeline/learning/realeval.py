"""Evaluation on real documents held out whole: every real labelled passage is scored by a model
fitted without any passage of its document (seed passages are always in the fit).

Reported, overall, per language, per kind of document and per kind of passage: precision of the
queued suggestions, recall of evidence (a right indicator among the queued top 3), domain top-1 on
evidence, the share of passages queued beside the share that is evidence, a reliability curve
(score bucket -> share of top suggestions that are right) and the triage curve (work saved at 95 %
recall when passages are read best score first).

May import: ``pipeline.stages``, ``pipeline.learning``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.learning.evidence import fit_real
from pipeline.learning.model import combined_scores
from pipeline.learning.realtext import RealExample
from pipeline.learning.train import Example, Params, fit
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy

TOP_K = 3
BUCKETS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def document_folds(groups: Sequence[str], k: int, seed: int = 0) -> list[np.ndarray]:
    """Test-index arrays of k folds over whole documents, balanced by passage count."""
    sizes: dict[str, int] = defaultdict(int)
    for g in groups:
        sizes[g] += 1
    rng = np.random.default_rng(seed)
    docs = sorted(sizes, key=lambda g: (-sizes[g], g))
    rng.shuffle(docs[: len(docs)])  # random order of equal sizes would otherwise favour names
    docs.sort(key=lambda g: -sizes[g])
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in docs:  # largest first into the lightest fold
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    assign = np.asarray([fold_of[g] for g in groups])
    return [np.flatnonzero(assign == f) for f in range(k)]


def cross_validate(
    X_seed: np.ndarray,
    seed: Sequence[Example],
    X_real: np.ndarray,
    real: Sequence[RealExample],
    taxonomy: Taxonomy,
    encoder: Encoder,
    *,
    k: int = 5,
    gate: bool = True,
    use_real: bool = True,
    params: Params | None = None,
) -> dict[str, Any]:
    """Scores of every real passage from a model that never saw its document, and the metrics."""
    params = params or Params()
    groups = [r.example.group for r in real]
    folds = document_folds(groups, k)
    n_ind = len(taxonomy.indicator_ids)
    S = np.zeros((len(real), n_ind), dtype=np.float32)
    D = np.zeros((len(real), len(taxonomy.domain_ids) + 1), dtype=np.float32)
    T = np.zeros((len(real), n_ind), dtype=np.float32)
    ind_dom = np.asarray([taxonomy.domain_ids.index(i.domain) for i in taxonomy.indicators])
    held_out: list[list[str]] = []
    for test in folds:
        train = np.setdiff1d(np.arange(len(real)), test)
        if use_real:
            ex = list(seed) + [real[i].example for i in train]
            X = np.vstack([X_seed, X_real[train]])
        else:
            ex, X = list(seed), X_seed
        is_real = np.r_[np.zeros(len(seed), bool), np.ones(len(ex) - len(seed), bool)]
        if gate and use_real:
            heads, _ = fit_real(X, ex, is_real, taxonomy, encoder, params)
        else:
            heads, _ = fit(X, ex, taxonomy, encoder, params)
        texts = [real[i].example.text for i in test]
        s, d = combined_scores(heads, X_real[test], ind_dom, texts)
        S[test], D[test], T[test] = s, d, heads.thresholds[None, :]
        held_out.append(sorted({real[i].file for i in test}))
    report = real_report(S, D, T, real, taxonomy)
    report["held_out_documents"] = held_out
    report["config"] = {"folds": k, "gate": gate, "trained_on_real": use_real, "encoder": encoder.name}
    return report


def _queued(s_row: np.ndarray, t_row: np.ndarray) -> list[int]:
    order = np.argsort(-s_row, kind="stable")[:TOP_K]
    return [int(i) for i in order if s_row[i] >= t_row[i]]


def _metrics(rows: Sequence[int], S, D, T, real, taxonomy) -> dict[str, Any]:  # noqa: ANN001
    ids = taxonomy.indicator_ids
    dom_of = {i.id: i.domain for i in taxonomy.indicators}
    q_pairs = q_right = q_pass = top_right = 0
    n_ev = ev_found = dom_ok = top3_any = 0
    for r in rows:
        truth = set(real[r].example.indicators)
        queued = _queued(S[r], T[r])
        if queued:
            q_pass += 1
            top_right += ids[queued[0]] in truth
        q_pairs += len(queued)
        q_right += sum(ids[i] in truth for i in queued)
        if truth:
            n_ev += 1
            ev_found += any(ids[i] in truth for i in queued)
            dom_ok += taxonomy.domain_ids[int(D[r, 1:].argmax())] in {dom_of[t] for t in truth}
            top3_any += bool(truth & {ids[i] for i in np.argsort(-S[r])[:TOP_K]})
    n = len(rows)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "passages": n,
        "evidence_passages": n_ev,
        "share_evidence": ratio(n_ev, n),
        "share_queued": ratio(q_pass, n),
        "queued_suggestions": q_pairs,
        "precision_of_queued": ratio(q_right, q_pairs),
        "precision_of_top_suggestion": ratio(top_right, q_pass),
        "recall_of_evidence": ratio(ev_found, n_ev),
        "top3_on_evidence_before_threshold": ratio(top3_any, n_ev),
        "domain_top1_on_evidence": ratio(dom_ok, n_ev),
    }


def reliability(S: np.ndarray, real: Sequence[RealExample], taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Top score in buckets -> share of top suggestions that are a right indicator."""
    ids = taxonomy.indicator_ids
    top = S.argmax(axis=1)
    best = S.max(axis=1)
    out = []
    for lo, hi in zip(BUCKETS, BUCKETS[1:], strict=False):
        sel = np.flatnonzero((best >= lo) & (best < hi))
        right = sum(ids[top[r]] in set(real[r].example.indicators) for r in sel)
        out.append(
            {
                "score": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "passages": int(len(sel)),
                "share_right": round(right / len(sel), 4) if len(sel) else None,
            }
        )
    return out


def triage_curve(S: np.ndarray, real: Sequence[RealExample]) -> dict[str, Any]:
    """Read passages best score first (within the corpus): how much must be read for 80/90/95 % of
    the evidence, and the work saved at 95 %."""
    is_ev = np.asarray([bool(r.example.indicators) for r in real])
    order = np.argsort(-S.max(axis=1), kind="stable")
    found = np.cumsum(is_ev[order]) / max(is_ev.sum(), 1)
    out: dict[str, Any] = {}
    for target in (0.8, 0.9, 0.95):
        k = int(np.searchsorted(found, target) + 1)
        out[f"read_for_{int(target * 100)}pct"] = round(k / len(real), 4)
    out["work_saved_at_95pct"] = round(1 - out["read_for_95pct"], 4)
    out["random_reading_for_95pct"] = 0.95
    return out


def real_report(S, D, T, real: Sequence[RealExample], taxonomy: Taxonomy) -> dict[str, Any]:  # noqa: ANN001
    rows = list(range(len(real)))
    by: dict[str, dict[str, list[int]]] = {
        "language": defaultdict(list),
        "document_kind": defaultdict(list),
        "passage_kind": defaultdict(list),
    }
    for r, ex in enumerate(real):
        by["language"][ex.example.language].append(r)
        by["document_kind"][ex.document_kind].append(r)
        by["passage_kind"][ex.kind].append(r)
    report: dict[str, Any] = {"overall": _metrics(rows, S, D, T, real, taxonomy)}
    for name, groups in by.items():
        report[f"per_{name}"] = {
            key: _metrics(idx, S, D, T, real, taxonomy) for key, idx in sorted(groups.items()) if len(idx) >= 10
        }
    report["reliability"] = reliability(S, real, taxonomy)
    report["triage"] = triage_curve(S, real)
    return report
