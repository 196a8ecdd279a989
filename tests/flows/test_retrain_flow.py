"""The retrain and reclassify flows end to end: decisions -> new model -> promoted -> its suggestions
added beside the analysts' decisions; the result stored and published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchkit import add_reviewed_document, decisions_from, load_seed_pool, write_seeds
from toy import use_toy_encoder

from pipeline.storage.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def toy_encoders(monkeypatch):
    return use_toy_encoder(monkeypatch)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MGI_HOME", str(tmp_path))
    monkeypatch.setenv("MGI_DB_URL", f"sqlite:///{tmp_path / 'mgi.db'}")
    monkeypatch.setenv("MGI_MODEL", "none")
    monkeypatch.delenv("MGI_EMBEDDER", raising=False)
    return tmp_path


def test_retrain_flow_promotes_and_reclassifies(prefect_harness, toy_encoders, home, seed_pool_file, monkeypatch):
    from flows.retrain import retrain_flow

    seeds_path, pool = seed_pool_file
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    add_reviewed_document(store, "a", decisions_from(pool, 10, 3))
    before = {c["id"]: (c["status"], c["model_version"]) for c in store.candidates(limit=None)}
    monkeypatch.setenv("MGI_MODEL", "none")
    result = retrain_flow(annotations=[str(seeds_path)], embedder="toy", seeds=[0], decisions="store")
    assert result["status"] == "promoted", result["reason"]
    assert (home / "models" / "current").resolve() == Path(result["folder"]).resolve()
    rc = result["reclassify"]
    assert rc["model_version"] == result["model_version"] and rc["passages"] == 15 and rc["re_embedded"] == 15
    after = {c["id"]: (c["status"], c["model_version"]) for c in store.candidates(limit=None)}
    assert {k: after[k] for k in before} == before  # every decision kept as it was
    assert sum(v[1] == result["model_version"] for v in after.values()) == rc["added"]
    assert rc["kept_decisions"] > 0
    kinds = [r["kind"] for r in store.status(last_runs=10)["runs"]]
    assert kinds[:2] == ["reclassify", "retrain"]
    assert json.loads(Path(result["folder"], "comparison.json").read_text())["decision"] == "promoted"


def test_reclassify_flow_with_the_model_in_use(prefect_harness, toy_encoders, home, seed_pool_file):
    from flows.retrain import reclassify_flow

    _, pool = seed_pool_file
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    add_reviewed_document(store, "a", decisions_from(pool, 10, 2))
    first = reclassify_flow()
    assert first["model_version"].startswith("zero-shot:toy-hash") and first["re_embedded"] == 10
    again = reclassify_flow(model="none")
    assert again["rescored_from_stored"] == 10 and again["added"] == 0


@pytest.fixture
def seed_pool_file(tmp_path):
    pool = load_seed_pool()
    return write_seeds(pool, tmp_path / "seed.jsonl"), pool
