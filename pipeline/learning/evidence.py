"""Training on real text: the indicator heads plus the evidence gate, with the gate's calibration,
its weight and the queue thresholds chosen on real documents held out of each fit.

``fit_real`` is what ``mgi train`` runs when real labels are given: the indicator and domain heads
(``pipeline.learning.train.fit``) on seed and real passages; then, on the same document-group
folds, the gate's out-of-fold decisions; Platt scaling of the gate on real rows; the gate's power
and one global threshold chosen by F1 of (passage, indicator) pairs on real rows; per-indicator
thresholds shrunk toward it. Every number that sets the queue comes from rows whose document was
not in the fit that scored them.

May import: ``pipeline.stages``, ``pipeline.learning``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.learning.gate import Gate, fit_gate
from pipeline.learning.model import LinearHeads, content_mask
from pipeline.learning.train import (
    THRESHOLD_SHRINK,
    Example,
    FitReport,
    Params,
    _platt,
    best_threshold,
    fit,
    label_matrices,
)
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy

GATE_POWERS = (0.5, 1.0, 2.0)
REAL_WEIGHT = 2.0  # a real passage counts twice a team-written one in the gate's fit


@dataclass
class RealFitReport:
    base: FitReport
    gate_power: float
    global_threshold: float
    oof_real_f1: float
    real_rows: int


def fit_real(
    X: np.ndarray,
    examples: Sequence[Example],
    is_real: np.ndarray,
    taxonomy: Taxonomy,
    encoder: Encoder,
    params: Params | None = None,
) -> tuple[LinearHeads, RealFitReport]:
    params = params or Params()
    texts = [e.text for e in examples]
    heads, base = fit(X, examples, taxonomy, encoder, params)
    Y, _dom = label_matrices(examples, taxonomy)
    y = Y.any(axis=1)
    weight = np.where(is_real, REAL_WEIGHT, 1.0)
    oof_dec = np.zeros(len(examples), dtype=np.float32)
    for test_idx in base.folds:
        train_idx = np.setdiff1d(np.arange(len(examples)), test_idx)
        g = fit_gate(X[train_idx], [texts[i] for i in train_idx], y[train_idx], weight[train_idx])
        oof_dec[test_idx] = g.decision(X[test_idx], [texts[i] for i in test_idx])
    rows = np.flatnonzero(is_real) if is_real.sum() >= 50 else np.arange(len(examples))
    platt = _platt(oof_dec[rows], y[rows])
    p_gate = 1.0 / (1.0 + np.exp(-np.clip(platt[0] * oof_dec + platt[1], -40, 40)))
    mask = content_mask(texts)
    best = (-1.0, 1.0, 0.5, None)
    for power in GATE_POWERS:
        comb = base.oof_score * (p_gate**power * mask)[:, None]
        t, f1 = best_threshold(comb[rows].ravel(), Y[rows].ravel())
        if f1 > best[0]:
            best = (f1, power, t, comb)
    f1, power, t_global, comb = best
    thresholds = np.full(Y.shape[1], t_global, dtype=np.float32)
    for i in range(Y.shape[1]):
        n_pos = int(Y[rows, i].sum())
        if n_pos:
            t_i, _ = best_threshold(comb[rows, i], Y[rows, i])
            thresholds[i] = (n_pos * t_i + THRESHOLD_SHRINK * t_global) / (n_pos + THRESHOLD_SHRINK)
    gate = fit_gate(X, texts, y, weight)
    heads.gate = Gate(gate.w_emb, gate.w_lex, gate.w_layout, gate.b, platt)
    heads.gate_power = float(power)
    heads.thresholds = thresholds
    return heads, RealFitReport(base, float(power), float(t_global), float(f1), int(len(rows)))
