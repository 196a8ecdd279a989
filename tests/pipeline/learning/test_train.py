"""Training on a tiny fixture: the heads learn, thresholds come from held-out folds, the model
folder round-trips, and bad annotations are refused with a message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from learnkit import TAXONOMY, make_examples
from toy import ToyEncoder

from pipeline.learning.train import (
    Example,
    Params,
    TrainingError,
    best_threshold,
    fit,
    label_matrices,
    load_examples,
    score,
)


@pytest.fixture(scope="module")
def trained():
    enc = ToyEncoder()
    examples = make_examples()
    X = enc.encode([e.text for e in examples])
    heads, report = fit(X, examples, TAXONOMY, enc, Params(folds=3, min_positives=4))
    return enc, examples, heads, report


def test_heads_learn_the_topics(trained) -> None:
    enc, _, heads, report = trained
    test = make_examples(n_groups=2, seed=99)
    s, d = score(heads, enc.encode([e.text for e in test]), TAXONOMY)
    Y, dom = label_matrices(test, TAXONOMY)
    evidence = Y.any(axis=1)
    top1 = s.argmax(axis=1)
    assert np.mean(Y[np.flatnonzero(evidence), top1[evidence]]) > 0.9
    assert np.mean(d.argmax(axis=1) == dom) > 0.9  # the domain head also knows "none"
    assert report.trained_indicators == 3 and report.zero_shot_indicators == []
    assert 0.0 < report.oof_micro_f1 <= 1.0


def test_scores_are_probabilities_and_thresholds_in_range(trained) -> None:
    enc, examples, heads, _ = trained
    s, d = score(heads, enc.encode([e.text for e in examples]), TAXONOMY)
    assert s.min() >= 0 and s.max() <= 1
    assert np.allclose(d.sum(axis=1), 1.0, atol=1e-5)
    assert ((heads.thresholds > 0) & (heads.thresholds < 1)).all()
    assert heads.alpha in (0.0, 0.25, 0.5)


def test_indicator_with_too_few_labels_falls_back_to_zero_shot() -> None:
    enc = ToyEncoder()
    examples = [e for e in make_examples() if e.indicators != ("1.1.2",)]
    examples += [Example("few-1", "pupil school enrol", "en", ("1.1.2",), "gx")]
    X = enc.encode([e.text for e in examples])
    heads, report = fit(X, examples, TAXONOMY, enc, Params(min_positives=4))
    assert report.zero_shot_indicators == ["1.1.2"]
    assert not heads.trained[TAXONOMY.indicator_ids.index("1.1.2")]
    s, _ = score(heads, enc.encode(["Migrant children may enrol in public schools."]), TAXONOMY)
    assert 0.0 <= s[0, 1] <= 1.0


def test_best_threshold_separates_clean_scores() -> None:
    scores = np.asarray([0.9, 0.8, 0.7, 0.2, 0.1])
    labels = np.asarray([True, True, True, False, False])
    t, f1 = best_threshold(scores, labels)
    assert 0.2 < t < 0.7 and f1 == 1.0


def test_unknown_indicator_in_annotations_is_refused() -> None:
    with pytest.raises(TrainingError, match="9.9.9"):
        label_matrices([Example("x", "text", "en", ("9.9.9",), "g")], TAXONOMY)


def test_load_examples_names_the_bad_line(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text(
        json.dumps({"id": "1", "text": "t", "indicators": [], "group": "g"}) + "\n{not json\n", encoding="utf-8"
    )
    with pytest.raises(TrainingError, match=r"a.jsonl line 2"):
        load_examples([f])


def test_seed_annotations_cover_every_indicator_in_three_languages() -> None:
    from pipeline.config import DEFAULT_TAXONOMY, REPO_ROOT
    from pipeline.stages.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)
    examples = load_examples([REPO_ROOT / "annotations" / "seed"])
    Y, _ = label_matrices(examples, taxonomy)  # also checks every id exists
    langs = np.asarray([e.language for e in examples])
    for lang in ("en", "fr", "es"):
        per_indicator = Y[langs == lang].sum(axis=0)
        assert per_indicator.min() >= 2, f"an indicator has fewer than 2 {lang} passages"
    assert Y.sum(axis=0).min() >= 8
    assert sum(not e.indicators for e in examples) >= 400
    assert len({e.id for e in examples}) == len(examples)
