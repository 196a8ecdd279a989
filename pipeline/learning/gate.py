"""The evidence gate: does this passage govern migration at all, whatever the indicator?

Real legislation is mostly text that answers no indicator: generic labour, civil and procedural
law, definitions, tables of contents, forms. A sentence embedding alone reacts to topic words
("travailleur", "residencia"); the gate adds what the words themselves say, in any language,
through hashed character n-grams (no vocabulary to store, the same features at training and
inference) and a few layout features (length, digits, capitals, lines, the passage kind). One
logistic regression over [embedding, n-grams, layout] gives p(evidence); it is learnt from real
labelled passages (and the seed passages) and calibrated on documents held out of its fit.

May import: ``pipeline.stages``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.stages.kinds import NON_EVIDENCE_KINDS, passage_kind

N_FEATURES = 1 << 18
NGRAMS = (3, 5)
EMB_SCALE = 2.0  # the embedding block's weight against the (L2-normalised) n-gram block
N_LAYOUT = 6 + len(NON_EVIDENCE_KINDS)


def _vectorizer():  # noqa: ANN202 - sklearn HashingVectorizer
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=NGRAMS,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        dtype=np.float32,
    )


def layout(texts: Sequence[str]) -> np.ndarray:
    out = np.zeros((len(texts), N_LAYOUT), dtype=np.float32)
    for r, t in enumerate(texts):
        n = max(len(t), 1)
        lines = [line for line in t.split("\n") if line.strip()]
        out[r, 0] = math.log1p(n) / 8
        out[r, 1] = sum(c.isdigit() for c in t) / n
        out[r, 2] = sum(c.isupper() for c in t) / n
        out[r, 3] = math.log1p(len(lines)) / 4
        out[r, 4] = sum(c in "_.…" for c in t) / n
        out[r, 5] = float(n < 120)
        kind = passage_kind(t)
        if kind in NON_EVIDENCE_KINDS:
            out[r, 6 + NON_EVIDENCE_KINDS.index(kind)] = 1.0
    return out


def features(embeddings: np.ndarray, texts: Sequence[str]):  # noqa: ANN201 - scipy CSR matrix
    from scipy import sparse

    lex = _vectorizer().transform(list(texts))
    return sparse.hstack(
        [sparse.csr_matrix(embeddings.astype(np.float32) * EMB_SCALE), lex, sparse.csr_matrix(layout(texts))],
        format="csr",
    )


@dataclass
class Gate:
    """Weights of the gate over [embedding (dim), n-grams (N_FEATURES), layout (N_LAYOUT)]."""

    w_emb: np.ndarray
    w_lex: np.ndarray
    w_layout: np.ndarray
    b: float
    platt: np.ndarray  # (2,) decision value -> calibrated probability

    def decision(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        lex = _vectorizer().transform(list(texts))
        d = (embeddings.astype(np.float32) * EMB_SCALE) @ self.w_emb + lex @ self.w_lex + layout(texts) @ self.w_layout
        return np.asarray(d, dtype=np.float32).ravel() + self.b

    def probability(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        d = self.decision(embeddings, texts)
        return (1.0 / (1.0 + np.exp(-np.clip(self.platt[0] * d + self.platt[1], -40, 40)))).astype(np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "gate_w_emb": self.w_emb,
            "gate_w_lex": self.w_lex,
            "gate_w_layout": self.w_layout,
            "gate_b": np.asarray(self.b, dtype=np.float32),
            "gate_platt": self.platt,
        }

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray]) -> Gate | None:
        if "gate_w_emb" not in data:
            return None
        return cls(
            data["gate_w_emb"], data["gate_w_lex"], data["gate_w_layout"], float(data["gate_b"]), data["gate_platt"]
        )


def fit_gate(
    embeddings: np.ndarray,
    texts: Sequence[str],
    y: np.ndarray,
    weight: np.ndarray | None = None,
    C: float = 2.0,
    feats=None,  # noqa: ANN001 - the rows' ``features`` when the caller already has them
) -> Gate:
    """Fit the gate's weights (uncalibrated: ``platt`` is the identity until calibrated)."""
    from sklearn.linear_model import LogisticRegression

    X = feats if feats is not None else features(embeddings, texts)
    lr = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=3000)
    lr.fit(X, y.astype(int), sample_weight=weight)
    w = lr.coef_[0].astype(np.float32)
    dim = embeddings.shape[1]
    return Gate(
        w[:dim],
        w[dim : dim + N_FEATURES],
        w[dim + N_FEATURES :],
        float(lr.intercept_[0]),
        np.asarray([1.0, 0.0], np.float32),
    )


def decision_from_features(gate: Gate, feats) -> np.ndarray:  # noqa: ANN001 - scipy CSR matrix
    w = np.concatenate([gate.w_emb * EMB_SCALE, gate.w_lex, gate.w_layout])
    # ``features`` already scaled the embedding block; undo the double scaling
    w[: len(gate.w_emb)] = gate.w_emb
    return np.asarray(feats @ w, dtype=np.float32).ravel() + gate.b
