"""Model folders: the card round-trips, and a model built for another encoder or taxonomy is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from learnkit import TAXONOMY, make_examples
from toy import ToyEncoder

from pipeline.learning.model import ModelCard, ModelMismatch, TrainedScorer
from pipeline.learning.train import Params, fit, make_card, write_model
from pipeline.stages.taxonomy import from_mapping


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    enc = ToyEncoder()
    examples = make_examples()
    heads, report = fit(enc.encode([e.text for e in examples]), examples, TAXONOMY, enc, Params())
    card = make_card(heads, report, TAXONOMY, enc, examples, Params(), {"top1": 0.9})
    return write_model(tmp_path_factory.mktemp("model") / "m", heads, card)


def test_card_round_trip(model_dir: Path) -> None:
    card = ModelCard.read(model_dir)
    assert card.embedder == "toy-hash" and card.dim == 256
    assert card.taxonomy == "tiny@1" and card.indicator_ids == ["1.1.1", "1.1.2", "2.1.1"]
    assert card.metrics == {"top1": 0.9}
    assert len(card.data_hash) == 16 and card.model_version.startswith("mgi-1-toy-hash-")
    assert json.loads((model_dir / "card.json").read_text())["n_examples"] == card.n_examples
    readme = (model_dir / "README.md").read_text()
    assert card.model_version in readme and "toy-hash" in readme


def test_trained_scorer_scores_like_training(model_dir: Path) -> None:
    enc = ToyEncoder()
    scorer = TrainedScorer(model_dir, TAXONOMY, enc)
    s = scorer.score(enc.encode(["the hospital shall give medical treatment by a doctor"]))
    assert s.indicator_ids[int(np.argmax(s.indicator[0]))] == "1.1.1"
    assert s.domain.shape == (1, 2) and scorer.model_version == ModelCard.read(model_dir).model_version


def test_refuses_another_encoder(model_dir: Path) -> None:
    with pytest.raises(ModelMismatch, match="trained on toy-hash embeddings but the encoder is other"):
        TrainedScorer(model_dir, TAXONOMY, ToyEncoder(name="other"))


def test_refuses_another_taxonomy(model_dir: Path) -> None:
    other = from_mapping(
        {
            "name": "tiny",
            "version": "2",
            "domains": [{"id": "1", "name": "R", "indicators": [{"id": "1.1", "name": "x", "description": "y"}]}],
        }
    )
    with pytest.raises(ModelMismatch, match="taxonomy tiny@1 but the taxonomy is tiny@2"):
        TrainedScorer(model_dir, other, ToyEncoder())


def test_refuses_wrong_dimension(model_dir: Path) -> None:
    with pytest.raises(ModelMismatch, match="expects 256-d"):
        TrainedScorer(model_dir, TAXONOMY, ToyEncoder(dim=64))


def test_missing_card_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a model folder"):
        ModelCard.read(tmp_path)


def test_weights_hold_no_pickles(model_dir: Path) -> None:
    with np.load(model_dir / "weights.npz", allow_pickle=False) as data:
        assert {"ind_w", "dom_w", "thresholds", "prototypes"} <= set(data.files)
    assert replace(ModelCard.read(model_dir), metrics={}).metrics == {}
