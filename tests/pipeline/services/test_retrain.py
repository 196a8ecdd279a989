"""Retraining from seeds + decisions: the same held-out evaluation for the new and the current model,
promotion only when not worse, the comparison stored; a toy encoder keeps it fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchkit import add_reviewed_document, decisions_from, load_seed_pool, write_seeds
from pg import BACKENDS, database_url
from toy import ToyEncoder

from pipeline.config import DEFAULT_TAXONOMY, find_default_model
from pipeline.services.retrain import (
    COMPARISON_FILE,
    GROUPS_FILE,
    PROMOTIONS_LOG,
    examples_from_candidates,
    promote,
    retrain_and_record,
)
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture(scope="module")
def seed_pool() -> dict[str, list[dict]]:
    return load_seed_pool()


@pytest.fixture
def seeds(seed_pool, tmp_path) -> Path:
    return write_seeds(seed_pool, tmp_path / "seed.jsonl")


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'mgi.db'}")


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path) -> Store:
    """Decisions read from either backend (the other tests use SQLite: training does not touch the database)."""
    return Store(database_url(request.param, tmp_path))


def run_retrain(store, taxonomy, seeds, home: Path, current: Path | None, **kw):  # noqa: ANN001, ANN003, ANN201
    return retrain_and_record(
        store,
        taxonomy=taxonomy,
        encoder=ToyEncoder(),
        models_dir=home / "models",
        seed_paths=[seeds],
        current=current,
        seeds=kw.pop("seeds_", (0,)),
        decisions="store",
        **kw,
    )


def test_decided_candidates_become_examples(taxonomy):
    rows = [
        {
            "passage_id": "p1",
            "status": "confirmed",
            "indicator": "1.1.1",
            "text": "t1",
            "language": "en",
            "sha256": "d1",
        },
        {
            "passage_id": "p1",
            "status": "rejected",
            "indicator": "2.1.1",
            "text": "t1",
            "language": "en",
            "sha256": "d1",
        },
        {
            "passage_id": "p2",
            "status": "rejected",
            "indicator": "2.1.1",
            "text": "t2",
            "language": "fr",
            "sha256": "d2",
        },
        {
            "passage_id": "p3",
            "status": "confirmed",
            "indicator": "9.9.9",
            "text": "t3",
            "language": "en",
            "sha256": "d2",
        },
    ]
    examples = examples_from_candidates(rows, taxonomy)
    assert [(e.id, e.indicators, e.group, e.source) for e in examples] == [
        ("review-p1", ("1.1.1",), "d1", "review"),  # confirmed wins; the rejected one is a negative for 2.1.1
        ("review-p2", (), "d2", "review"),  # all rejected: evidence for no indicator
    ]  # p3 was confirmed only for an indicator the taxonomy lacks


def test_first_retrain_against_zero_shot_is_promoted(any_store, taxonomy, seeds, seed_pool, tmp_path):
    store = any_store
    add_reviewed_document(store, "a", decisions_from(seed_pool, 10, 3))
    run_id, result = run_retrain(store, taxonomy, seeds, tmp_path, None, seeds_=(0, 1))
    comp = result.comparison
    assert result.status == "promoted", result.reason
    assert result.examples == {"seed": 70, "review": 15, "review_positive": 12, "review_negative": 3}
    assert comp["compared"] and comp["current_model"].startswith("zero-shot:toy-hash")
    assert comp["candidate"]["micro_f1"] >= comp["current"]["micro_f1"]
    assert comp["rows"] > 0 and comp["splits"] == 2 and comp["metric"] == "micro_f1"
    folder = Path(result.folder)
    assert (tmp_path / "models" / "current").resolve() == folder.resolve()
    assert find_default_model(tmp_path) == folder.resolve()  # what the next batch will use
    assert json.loads((folder / COMPARISON_FILE).read_text())["decision"] == "promoted"
    assert "a" * 64 in json.loads((folder / GROUPS_FILE).read_text())
    assert (
        json.loads((tmp_path / "models" / PROMOTIONS_LOG).read_text().splitlines()[-1])["candidate_model"]
        == result.model_version
    )
    [run] = [r for r in store.status()["runs"] if r["id"] == run_id]
    assert run["kind"] == "retrain" and run["summary"]["comparison"]["candidate"] == comp["candidate"]


def test_nothing_new_means_nothing_to_do(store, taxonomy, seeds, seed_pool, tmp_path):
    add_reviewed_document(store, "a", decisions_from(seed_pool, 10, 3))
    _, first = run_retrain(store, taxonomy, seeds, tmp_path, None)
    _, again = run_retrain(store, taxonomy, seeds, tmp_path, tmp_path / "models" / "current")
    assert again.status == "unchanged" and again.model_version == first.model_version


def test_a_worse_model_is_not_promoted_and_the_comparison_is_kept(store, taxonomy, seeds, seed_pool, tmp_path):
    add_reviewed_document(store, "a", decisions_from(seed_pool, 10, 2))
    _, first = run_retrain(store, taxonomy, seeds, tmp_path, None)
    add_reviewed_document(store, "b", decisions_from(seed_pool, 12, 2))
    current = tmp_path / "models" / "current"
    # a tolerance below zero demands a strict gain larger than any F1 difference: "worse" by construction
    _, second = run_retrain(store, taxonomy, seeds, tmp_path, current, tolerance=-1.0)
    assert second.status == "kept-current" and "worse, not promoted" in second.reason
    comp = second.comparison
    assert comp["current_model"] == first.model_version
    assert comp["current_training_groups"] == f"recorded in {GROUPS_FILE}"
    assert comp["groups"] == 1  # only document b: the current model was trained on the seeds and on a
    assert current.resolve() == Path(first.folder).resolve()  # still the first model
    assert Path(second.folder, COMPARISON_FILE).is_file()
    log = [json.loads(line) for line in (tmp_path / "models" / PROMOTIONS_LOG).read_text().splitlines()]
    assert [entry["decision"] for entry in log] == ["promoted", "kept-current"]


def test_without_unseen_evidence_the_current_model_is_kept(store, taxonomy, seeds, tmp_path):
    from pipeline.learning.train import Params, fit, load_examples, make_card, write_model

    examples = load_examples([seeds])
    enc = ToyEncoder()
    heads, report = fit(enc.encode([e.text for e in examples]), examples, taxonomy, enc, Params())
    old = write_model(tmp_path / "old-model", heads, make_card(heads, report, taxonomy, enc, examples, Params()))
    _, result = run_retrain(store, taxonomy, seeds, tmp_path, old, force=True)
    assert result.status == "not-compared" and "confirm or reject more candidates" in result.reason
    assert result.comparison["current_training_groups"].startswith("not recorded")
    assert not (tmp_path / "models" / "current").exists()


def test_promote_is_atomic_and_keeps_a_real_folder(tmp_path):
    models = tmp_path / "models"
    (models / "current").mkdir(parents=True)
    (models / "current" / "card.json").write_text("{}")
    (models / "v2").mkdir()
    link = promote(models, models / "v2")
    assert link.is_symlink() and Path(link.readlink()) == Path("v2")  # relative: MGI_HOME can move
    assert [p.name.startswith("previous-") for p in models.iterdir() if p.is_dir() and not p.is_symlink()].count(
        True
    ) == 1
    (models / "v3").mkdir()
    promote(models, models / "v3")
    assert (models / "current").resolve() == (models / "v3").resolve()


def test_review_layer_decisions_are_used_when_present(store, taxonomy, seeds, seed_pool, tmp_path):
    review = pytest.importorskip("pipeline.services.review")
    accounts = pytest.importorskip("pipeline.services.accounts")
    from pipeline.services.retrain import decision_examples

    items = decisions_from(seed_pool, 10, 1)
    add_reviewed_document(store, "a", [(t, i, "pending") for t, i, _ in items])
    user = accounts.add_user(store, "ana", "a-long-password-1")
    for cand in store.candidates(limit=None):
        status = (
            "rejected"
            if cand["indicator"] == "2.4.2" and cand["text"] in {t for t, _, s in items if s == "rejected"}
            else "confirmed"
        )
        review.decide(store, user, cand["id"], version=0, status=status, taxonomy=taxonomy)
    examples = decision_examples(store, taxonomy, "auto")
    assert sorted(e.indicators for e in examples) == sorted((i,) if s == "confirmed" else () for _, i, s in items)
