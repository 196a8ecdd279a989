"""One document through the analysis stages: language, passages, embeddings, scores, candidates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.records import Candidate, Document, LanguageGuess, Page, Passage
from pipeline.stages.classify import Scores, candidates
from pipeline.stages.embed import Encoder
from pipeline.stages.language import detect_document
from pipeline.stages.segment import segment
from pipeline.stages.taxonomy import Taxonomy


@dataclass
class Analysis:
    language: LanguageGuess
    passages: list[Passage]
    embeddings: np.ndarray
    candidates: list[Candidate]

    def candidates_by_domain(self) -> dict[str, int]:
        return dict(sorted(Counter(c.domain for c in self.candidates).items()))


class Classifier:
    """An encoder and a scorer (zero-shot or trained) bound to one taxonomy."""

    def __init__(self, taxonomy: Taxonomy, encoder: Encoder, scorer) -> None:  # noqa: ANN001 - Zero-shot or Trained
        self.taxonomy = taxonomy
        self.encoder = encoder
        self.scorer = scorer
        self.model_version: str = scorer.model_version
        self.indicator_domain = {i.id: i.domain for i in taxonomy.indicators}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode(list(texts))

    def score_texts(self, texts: Sequence[str]) -> tuple[np.ndarray, Scores]:
        emb = self.embed(texts)
        return emb, self.scorer.score(emb, texts)


@dataclass
class Prepared:
    """A document read and split, before any model is involved: the pure-Python half of the work."""

    doc: Document
    pages: list[Page]
    language: LanguageGuess
    passages: list[Passage]


def prepare(doc: Document, pages: Sequence[Page]) -> Prepared:
    """Language of the document, then its passages (each with its own language)."""
    language = detect_document([p.text for p in pages])
    if not language.known and doc.meta.language_hint:
        language = LanguageGuess(doc.meta.language_hint, 0.0)
    return Prepared(doc, list(pages), language, segment(doc.sha256, pages, language))


def classify(prepared: Prepared, classifier: Classifier, top_k: int = 3) -> Analysis:
    """Embeddings, scores and candidates of a prepared document's passages: the model's half."""
    passages = prepared.passages
    emb, scores = classifier.score_texts([p.text for p in passages])
    cands = candidates(passages, scores, top_k, classifier.model_version, classifier.indicator_domain)
    return Analysis(prepared.language, passages, emb, cands)


def analyse(doc: Document, pages: Sequence[Page], classifier: Classifier, top_k: int = 3) -> Analysis:
    return classify(prepare(doc, pages), classifier, top_k)
