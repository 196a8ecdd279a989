"""Trained models as artefact folders with a card.

A model folder holds ``card.json`` (what it was trained on, with which embedding model, against
which taxonomy, on which data, and how well it did), ``weights.npz`` (the linear heads as plain
arrays: no pickles, so a model folder is safe to share) and ``README.md`` (the human-readable
model card). Loading a model against another embedding model or taxonomy fails with a message.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import MgiError
from pipeline.learning.gate import Gate
from pipeline.stages.classify import Scores, max_similarity
from pipeline.stages.embed import Encoder
from pipeline.stages.kinds import is_content
from pipeline.stages.taxonomy import Taxonomy

CARD = "card.json"
WEIGHTS = "weights.npz"
NONE_CLASS = "none"


class ModelMismatch(MgiError, ValueError):
    """The model was built for another embedding model or taxonomy."""


@dataclass
class ModelCard:
    model_version: str
    created: str
    embedder: str
    dim: int
    taxonomy: str  # name@version
    indicator_ids: list[str]
    domain_ids: list[str]
    data_hash: str
    n_examples: int
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    training_data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> ModelCard:
        path = Path(folder) / CARD
        if not path.is_file():
            raise FileNotFoundError(f"{folder} is not a model folder (no {CARD}); train one with `mgi train`")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class LinearHeads:
    """Everything a trained model needs at inference time, as arrays."""

    ind_w: np.ndarray  # (n_ind, dim)
    ind_b: np.ndarray  # (n_ind,)
    platt: np.ndarray  # (2,) maps decision values to probabilities
    trained: np.ndarray  # (n_ind,) bool: False = too few labels, zero-shot instead
    zs_platt: np.ndarray  # (2,) maps cosine similarity to a probability
    prototypes: np.ndarray  # (m, dim)
    owners: np.ndarray  # (m,)
    dom_w: np.ndarray  # (n_dom + 1, dim); row 0 is "none"
    dom_b: np.ndarray
    alpha: float  # weight of the domain head in the indicator score
    thresholds: np.ndarray  # (n_ind,)
    gate: Gate | None = None  # the evidence gate (models trained on real text)
    gate_power: float = 1.0  # indicator score x p(evidence) ** gate_power

    def save(self, path: Path) -> None:
        arrays = {k: np.asarray(v) for k, v in self.__dict__.items() if k not in ("gate", "gate_power")}
        if self.gate is not None:
            arrays.update(self.gate.arrays())
            arrays["gate_power"] = np.asarray(self.gate_power, dtype=np.float32)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> LinearHeads:
        with np.load(path, allow_pickle=False) as data:
            values = {k: data[k] for k in data.files}
        gate = Gate.from_arrays(values)
        power = float(values.get("gate_power", 1.0))
        values = {k: v for k, v in values.items() if not k.startswith("gate")}
        values["alpha"] = float(values["alpha"])
        return cls(**values, gate=gate, gate_power=power)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def combined_scores(
    heads: LinearHeads,
    embeddings: np.ndarray,
    indicator_domain_idx: np.ndarray,
    texts: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(indicator scores, domain probabilities incl. "none" in column 0). With ``texts``, a model
    with an evidence gate multiplies every indicator score by p(evidence) ** gate_power, and the
    passages that are document furniture (tables of contents, forms, ...) score 0."""
    decision = embeddings @ heads.ind_w.T + heads.ind_b
    p_ind = sigmoid(heads.platt[0] * decision + heads.platt[1])
    if not heads.trained.all():
        cos = max_similarity(embeddings, heads.prototypes, heads.owners, heads.ind_w.shape[0])
        p_zs = sigmoid(heads.zs_platt[0] * cos + heads.zs_platt[1])
        p_ind = np.where(heads.trained[None, :], p_ind, p_zs)
    p_dom = softmax(embeddings @ heads.dom_w.T + heads.dom_b)
    p_dom_of_ind = p_dom[:, 1:][:, indicator_domain_idx]
    score = p_ind ** (1.0 - heads.alpha) * p_dom_of_ind**heads.alpha
    if texts is not None:
        if heads.gate is not None:
            score = score * heads.gate.probability(embeddings, texts)[:, None] ** heads.gate_power
        score = score * content_mask(texts)[:, None]
    if heads.gate is not None:
        # models trained on real text: a domain's share is the sum of its indicators' scores (on real
        # documents held out this picks the right domain more often than the domain head: 0.61 vs
        # 0.55, docs/evaluation); column 0 keeps the head's p(none)
        n_dom = p_dom.shape[1] - 1
        summed = np.stack([score[:, indicator_domain_idx == k].sum(axis=1) for k in range(n_dom)], axis=1)
        share = summed / np.maximum(summed.sum(axis=1, keepdims=True), 1e-12)
        p_dom = np.concatenate([p_dom[:, :1], share * (1.0 - p_dom[:, :1])], axis=1)
    return score.astype(np.float32), p_dom.astype(np.float32)


def content_mask(texts: Sequence[str]) -> np.ndarray:
    """1 for passages that may be evidence, 0 for document furniture (see ``pipeline.stages.kinds``)."""
    return np.asarray([is_content(t) for t in texts], dtype=np.float32)


class TrainedScorer:
    def __init__(self, folder: Path, taxonomy: Taxonomy, encoder: Encoder) -> None:
        self.folder = Path(folder)
        self.card = ModelCard.read(self.folder)
        check_compatible(self.card, taxonomy, encoder.name, self.folder)
        self.heads = LinearHeads.load(self.folder / WEIGHTS)
        if self.heads.ind_w.shape[1] != encoder.dim:
            raise ModelMismatch(
                f"model {self.folder} expects {self.heads.ind_w.shape[1]}-d embeddings, "
                f"encoder {encoder.name} gives {encoder.dim}-d"
            )
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.model_version = self.card.model_version
        self._dom_idx = np.asarray([self.card.domain_ids.index(i.domain) for i in taxonomy.indicators])

    def score(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> Scores:
        ind, dom = combined_scores(self.heads, embeddings, self._dom_idx, texts)
        return Scores(ind, dom[:, 1:], self.card.indicator_ids, self.card.domain_ids, self.heads.thresholds)


def check_compatible(card: ModelCard, taxonomy: Taxonomy, embedder: str, folder: Path) -> None:
    if card.embedder != embedder:
        raise ModelMismatch(
            f"model {folder} was trained on {card.embedder} embeddings but the encoder is {embedder}: "
            f"unset MGI_EMBEDDER (the model's encoder is used), or retrain with `mgi train --embedder {embedder}`"
        )
    if card.taxonomy != taxonomy.key or card.indicator_ids != taxonomy.indicator_ids:
        raise ModelMismatch(
            f"model {folder} was trained for taxonomy {card.taxonomy} but the taxonomy is {taxonomy.key}: "
            "retrain with `mgi train`, or run zero-shot with MGI_MODEL=none"
        )
