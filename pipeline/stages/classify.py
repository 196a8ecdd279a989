"""Classify: passage embeddings to indicator and domain scores, and scores to candidates.

Two scorers share one interface:

* ``ZeroShotScorer`` — cosine similarity between a passage and each indicator's descriptions (in
  every language the taxonomy has; the best match counts). Used when no trained model exists.
* ``TrainedScorer`` — the linear heads of a trained model folder (see ``pipeline.learning.model``):
  a calibrated one-vs-rest indicator head, a domain head (six domains plus "none"), zero-shot
  similarity for indicators that had too few labels, and per-indicator thresholds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.records import Candidate, IndicatorScore, Passage, Prediction
from pipeline.stages.embed import Encoder
from pipeline.stages.kinds import is_content
from pipeline.stages.taxonomy import Taxonomy

# Cosine similarity above which a zero-shot match becomes a candidate, per encoder (measured on
# the seed annotations; e5's similarities sit in a narrow high band, see docs/embeddings.md).
ZERO_SHOT_THRESHOLDS = {"use-multilingual": 0.42, "e5-small": 0.86, "minilm": 0.45}
DEFAULT_ZERO_SHOT_THRESHOLD = 0.45


@dataclass(frozen=True)
class Scores:
    """Scores for a batch of texts: ``indicator`` is (n, n_indicators), ``domain`` (n, n_domains)."""

    indicator: np.ndarray
    domain: np.ndarray
    indicator_ids: list[str]
    domain_ids: list[str]
    thresholds: np.ndarray  # (n_indicators,)


_PROTOTYPES: dict[tuple[str, str, int], tuple[np.ndarray, np.ndarray]] = {}


def prototype_matrix(taxonomy: Taxonomy, encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of every indicator description and, for each row, the indicator's index.

    Memoised per (taxonomy, encoder): training and evaluation ask for them many times."""
    texts, owners = [], []
    for idx, ind in enumerate(taxonomy.indicators):
        for _lang, text in taxonomy.prototype_texts(ind):
            texts.append(text)
            owners.append(idx)
    key = (encoder.name, hashlib.sha256("\x00".join(texts).encode()).hexdigest())
    if key not in _PROTOTYPES:
        _PROTOTYPES[key] = (encoder.encode(texts), np.asarray(owners))
    return _PROTOTYPES[key]


def max_similarity(embeddings: np.ndarray, prototypes: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """For each text and indicator, the best cosine over that indicator's prototypes."""
    sims = embeddings @ prototypes.T
    out = np.full((embeddings.shape[0], n), -1.0, dtype=np.float32)
    for idx in range(n):
        cols = owners == idx
        if cols.any():
            out[:, idx] = sims[:, cols].max(axis=1)
    return out


def domain_max(indicator_scores: np.ndarray, indicator_domains: Sequence[str], domain_ids: Sequence[str]) -> np.ndarray:
    doms = np.asarray(indicator_domains)
    return np.stack([indicator_scores[:, doms == d].max(axis=1) for d in domain_ids], axis=1)


class ZeroShotScorer:
    def __init__(self, taxonomy: Taxonomy, encoder: Encoder, threshold: float | None = None) -> None:
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.prototypes, self.owners = prototype_matrix(taxonomy, encoder)
        self.threshold = (
            threshold if threshold is not None else ZERO_SHOT_THRESHOLDS.get(encoder.name, DEFAULT_ZERO_SHOT_THRESHOLD)
        )
        self.model_version = f"zero-shot:{encoder.name}:{taxonomy.key}"

    def score(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> Scores:
        ind = max_similarity(embeddings, self.prototypes, self.owners, len(self.taxonomy.indicators))
        if texts is not None:  # document furniture (tables of contents, forms, ...) is never evidence
            ind = np.where(np.asarray([is_content(t) for t in texts])[:, None], ind, -1.0).astype(np.float32)
        domains = self.taxonomy.domain_ids
        dom = domain_max(ind, [i.domain for i in self.taxonomy.indicators], domains)
        thresholds = np.full(len(self.taxonomy.indicators), self.threshold, dtype=np.float32)
        return Scores(ind, dom, self.taxonomy.indicator_ids, domains, thresholds)


def predictions(scores: Scores, top_k: int, indicator_domain: dict[str, str]) -> list[Prediction]:
    """One ``Prediction`` per row: the top-k indicators (best first) and the best domain."""
    out = []
    k = min(top_k, scores.indicator.shape[1])
    for row, drow in zip(scores.indicator, scores.domain, strict=True):
        best = np.argsort(-row, kind="stable")[:k]
        d = int(np.argmax(drow))
        out.append(
            Prediction(
                domain=scores.domain_ids[d],
                domain_score=round(float(drow[d]), 4),
                indicators=tuple(
                    IndicatorScore(
                        scores.indicator_ids[i], indicator_domain[scores.indicator_ids[i]], round(float(row[i]), 4)
                    )
                    for i in best
                ),
            )
        )
    return out


def candidates(
    passages: Sequence[Passage], scores: Scores, top_k: int, model_version: str, indicator_domain: dict[str, str]
) -> list[Candidate]:
    """Top-k indicators per passage whose score reaches the indicator's threshold."""
    out = []
    for passage, row in zip(passages, scores.indicator, strict=True):
        above = np.flatnonzero(row >= scores.thresholds)
        ranked = above[np.argsort(-row[above], kind="stable")][:top_k]
        for rank, i in enumerate(ranked, start=1):
            iid = scores.indicator_ids[i]
            out.append(
                Candidate(passage.passage_id, iid, indicator_domain[iid], round(float(row[i]), 4), rank, model_version)
            )
    return out
