"""Scores to predictions and candidates; zero-shot scoring; the shipped model across languages."""

from __future__ import annotations

import numpy as np
import pytest
from learnkit import TAXONOMY
from toy import ToyEncoder

from pipeline.config import DEFAULT_TAXONOMY, REPO_ROOT
from pipeline.records import LanguageGuess, Passage
from pipeline.stages.classify import Scores, ZeroShotScorer, candidates, predictions

DOMAIN_OF = {i.id: i.domain for i in TAXONOMY.indicators}


def _passage(i: int) -> Passage:
    return Passage("a" * 64, i, 1, i * 10, 1, i * 10 + 9, f"text {i}", LanguageGuess("en", 1.0))


def _scores(rows: list[list[float]], thresholds: list[float]) -> Scores:
    ind = np.asarray(rows, dtype=np.float32)
    dom = np.stack([ind[:, :2].max(axis=1), ind[:, 2]], axis=1)
    return Scores(ind, dom, TAXONOMY.indicator_ids, TAXONOMY.domain_ids, np.asarray(thresholds, dtype=np.float32))


def test_candidates_respect_thresholds_top_k_and_order() -> None:
    s = _scores([[0.9, 0.6, 0.7], [0.1, 0.2, 0.3]], [0.5, 0.5, 0.8])
    cands = candidates([_passage(0), _passage(1)], s, top_k=2, model_version="m1", indicator_domain=DOMAIN_OF)
    assert [(c.indicator_id, c.rank) for c in cands] == [("1.1.1", 1), ("1.1.2", 2)]  # 2.1.1 is under its threshold
    assert all(c.model_version == "m1" and c.passage_id == _passage(0).passage_id for c in cands)


def test_predictions_are_best_first_with_domain() -> None:
    s = _scores([[0.2, 0.3, 0.9]], [0.5] * 3)
    (pred,) = predictions(s, top_k=2, indicator_domain=DOMAIN_OF)
    assert [x.indicator_id for x in pred.indicators] == ["2.1.1", "1.1.2"]
    assert pred.domain == "2" and pred.domain_score == pytest.approx(0.9)


def test_zero_shot_matches_descriptions() -> None:
    scorer = ZeroShotScorer(TAXONOMY, ToyEncoder(), threshold=0.2)
    emb = ToyEncoder().encode(["Migrant children may enrol in public schools and classrooms."])
    s = scorer.score(emb)
    assert s.indicator_ids[int(np.argmax(s.indicator[0]))] == "1.1.2"
    assert scorer.model_version == "zero-shot:toy-hash:tiny@1"
    assert (s.thresholds == np.float32(0.2)).all()


SHIPPED = REPO_ROOT / "models" / "default"
HEALTH = {
    "en": "Foreign nationals, including those in an irregular situation, shall have access to public health care "
    "services on the same terms as citizens.",
    "fr": "Les étrangers, y compris ceux en situation irrégulière, ont accès aux services publics de soins de santé "
    "dans les mêmes conditions que les nationaux.",
    "es": "Las personas extranjeras, incluidas las que se encuentran en situación irregular, tendrán acceso a los "
    "servicios públicos de salud en las mismas condiciones que los nacionales.",
}


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED / "card.json").is_file(), reason="no shipped model in models/default")
def test_shipped_model_puts_three_languages_on_the_same_indicator() -> None:
    from pipeline.learning.factory import build_classifier

    clf = build_classifier(DEFAULT_TAXONOMY, SHIPPED, None)
    _emb, scores = clf.score_texts(list(HEALTH.values()))
    top = [scores.indicator_ids[int(i)] for i in scores.indicator.argmax(axis=1)]
    assert len(set(top)) == 1, top
    assert clf.taxonomy.indicator(top[0]).subarea == "1.1"  # access to basic services
    assert (scores.domain.argmax(axis=1) == 0).all()  # domain 1, migrants' rights
