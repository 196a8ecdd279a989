"""The recipe behind ``make train`` and ``make evaluate``: which data, which model, which checks.

``load_training_data`` gathers the team-written seed passages and the real labelled passages
(resolved by reference against the corpora they point at); ``train_model`` fits the shipped kind of
model on them (indicator heads + evidence gate when real labels are there); ``evaluate_real``
measures it on real documents held out whole, beside the two baselines that show what each part
buys (the seed-only model, and real labels without the gate).

May import: ``pipeline.stages``, ``pipeline.learning``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.learning.evaluate import embed_texts
from pipeline.learning.evidence import fit_real
from pipeline.learning.model import LinearHeads
from pipeline.learning.realeval import cross_validate
from pipeline.learning.realtext import RealExample, load_labels, resolve
from pipeline.learning.train import Example, Params, fit, load_examples, make_card
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy

log = logging.getLogger(__name__)


@dataclass
class TrainingData:
    seed: list[Example]
    real: list[RealExample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def examples(self) -> list[Example]:
        return self.seed + [r.example for r in self.real]

    @property
    def is_real(self) -> np.ndarray:
        return np.r_[np.zeros(len(self.seed), bool), np.ones(len(self.real), bool)]


def load_training_data(
    seed_paths: Sequence[Path], real_label_paths: Sequence[Path], corpora: Sequence[Path], cache_dir: Path | None
) -> TrainingData:
    seed = load_examples(seed_paths)
    labels = load_labels([p for p in real_label_paths if Path(p).exists()])
    if not labels:
        return TrainingData(seed)
    real, problems = resolve(labels, corpora, cache_dir)
    return TrainingData(seed, real, problems)


def train_model(
    data: TrainingData, taxonomy: Taxonomy, encoder: Encoder, params: Params, cache_dir: Path | None
) -> tuple[LinearHeads, Any, dict[str, Any]]:
    """(heads, card, training summary) of the model trained on ``data``."""
    examples = data.examples
    X, _ = embed_texts(encoder, [e.text for e in examples], cache_dir)
    if data.real:
        heads, rep = fit_real(X, examples, data.is_real, taxonomy, encoder, params)
        base = rep.base
        extra = {
            "evidence_gate": "logistic regression over [embedding, hashed character 3-5-grams, layout]",
            "gate_power": rep.gate_power,
            "global_threshold_real": round(rep.global_threshold, 4),
            "oof_real_pair_f1": round(rep.oof_real_f1, 4),
            "real_passages": len(data.real),
            "real_documents": len({r.example.group for r in data.real}),
        }
    else:
        heads, base = fit(X, examples, taxonomy, encoder, params)
        extra = {}
    card = make_card(heads, base, taxonomy, encoder, examples, params)
    card.params.update(extra)
    return heads, card, extra


def evaluate_real(
    data: TrainingData, taxonomy: Taxonomy, encoder: Encoder, cache_dir: Path | None, folds: int = 5
) -> dict[str, Any]:
    """The shipped recipe and two baselines, each on real documents held out whole."""
    X_seed, _ = embed_texts(encoder, [e.text for e in data.seed], cache_dir)
    X_real, _ = embed_texts(encoder, [r.example.text for r in data.real], cache_dir)
    out: dict[str, Any] = {"encoder": encoder.name, "real_passages": len(data.real), "problems": data.problems}
    variants = {
        "shipped: seed + real labels, evidence gate": {"gate": True, "use_real": True},
        "real labels without the gate": {"gate": False, "use_real": True},
        "seed passages only (the previous model)": {
            "gate": False,
            "use_real": False,
            "params": Params(head="logistic"),
        },
    }
    out["variants"] = {}
    for name, kw in variants.items():
        log.info("evaluating %s on real documents held out", name)
        out["variants"][name] = cross_validate(X_seed, data.seed, X_real, data.real, taxonomy, encoder, k=folds, **kw)
    return out
