"""Evaluation mechanics: group splits never straddle, metrics and triage curves are right."""

from __future__ import annotations

import numpy as np
from learnkit import TAXONOMY, make_examples
from toy import ToyEncoder

from pipeline.learning.evaluate import aggregate, held_out, prf, split_groups, triage


def test_split_groups_keeps_groups_whole_and_is_seeded() -> None:
    examples = make_examples(n_groups=10)
    tr, te = split_groups(examples, 0.2, seed=3)
    train_groups = {examples[i].group for i in tr}
    test_groups = {examples[i].group for i in te}
    assert train_groups.isdisjoint(test_groups) and len(test_groups) == 2
    assert (split_groups(examples, 0.2, seed=3)[1] == te).all()
    assert not (split_groups(examples, 0.2, seed=4)[1] == te).all() or len(
        set(split_groups(examples, 0.2, 4)[1])
    ) == len(te)


def test_prf() -> None:
    assert prf(8, 2, 2) == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 10}
    assert prf(0, 0, 0)["f1"] == 0.0


def test_triage_perfect_ranking_saves_the_negatives() -> None:
    is_ev = np.asarray([True] * 20 + [False] * 80)
    scores = np.linspace(1, 0, 100)
    t = triage(scores, is_ev)
    assert t["reviewed_for_95_recall"] == 0.19  # 19 of 20 evidence passages are 95 %
    assert t["work_saved_at_95_recall"] == 0.81
    assert t["curve"][-1]["found"] == 1.0


def test_held_out_reports_every_section() -> None:
    enc = ToyEncoder()
    examples = make_examples(n_groups=10)
    X = enc.encode([e.text for e in examples])
    result = held_out(X, examples, TAXONOMY, enc, seeds=[0, 1])
    assert result["top1"]["mean"] > 0.8
    assert set(result["per_language"]) == {"en"}
    assert set(result["per_indicator"]) == set(TAXONOMY.indicator_ids)
    conf = np.asarray(result["domain_confusion"]["matrix"])
    assert conf.shape == (3, 3) and conf.sum() == sum(len(split_groups(examples, 0.2, s)[1]) for s in (0, 1))
    assert result["triage_curve"][-1]["found_mean"] == 1.0


def test_aggregate_mean_and_spread() -> None:
    run = {
        "micro": prf(1, 1, 1),
        "macro_f1": 0.5,
        "domain_top1": 0.5,
        "domain_or_none_accuracy": 0.5,
        "triage": triage(np.asarray([1.0, 0.0]), np.asarray([True, False])),
        "top1": 0.5,
        "top3": 1.0,
        "top5": 1.0,
        "per_language": {
            "en": {"domain_top1": 0.5, "indicator_top1": 0.5, "indicator_top3": 1.0, "domain_or_none_accuracy": 0.5}
        },
        "_per_indicator_counts": {i: [1, 0, 0] for i in TAXONOMY.indicator_ids},
        "_domain_confusion": np.eye(3, dtype=int).tolist(),
    }
    run2 = dict(run, top1=1.0)
    agg = aggregate([run, run2], TAXONOMY)
    assert agg["top1"] == {"mean": 0.75, "std": 0.25}
    assert agg["per_indicator"]["1.1.1"]["support"] == 2
