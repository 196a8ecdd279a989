"""Build the classifier a run uses from a taxonomy file, an optional model folder and an encoder spec."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import DEFAULT_EMBEDDER
from pipeline.learning.model import ModelCard, TrainedScorer
from pipeline.stages.analyse import Classifier
from pipeline.stages.classify import ZeroShotScorer
from pipeline.stages.embed import get_encoder
from pipeline.stages.taxonomy import load_taxonomy


def build_classifier(taxonomy_path: Path, model_path: Path | None, embedder: str | None) -> Classifier:
    taxonomy = load_taxonomy(taxonomy_path)
    if model_path is not None:
        card = ModelCard.read(model_path)
        encoder = get_encoder(embedder or card.embedder)
        return Classifier(taxonomy, encoder, TrainedScorer(model_path, taxonomy, encoder))
    encoder = get_encoder(embedder or DEFAULT_EMBEDDER)
    return Classifier(taxonomy, encoder, ZeroShotScorer(taxonomy, encoder))
