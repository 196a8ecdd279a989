"""Fixtures for the batch tests: small generated PDFs, a small taxonomy, databases on both backends.

Imported by the test modules that use them (`from batchkit import ...`): a conftest.py below tests/
would clash with tests/conftest.py as a module name."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from minitax import write_mini_taxonomy
from pdfgen import write_docx_like, write_pdf
from pg import BACKENDS, database_url
from testkit import SAMPLE, SAMPLE_EN

ACTS = {
    "act_a_labour.pdf": [
        "LABOUR MIGRATION ACT",
        "Article 1. Work permits",
        "A foreign national may apply for a work permit to the Labour Migration Authority, which shall",
        "decide on the application within thirty days and publish the list of shortage occupations.",
        "Article 2. Recruitment",
        "Private recruitment agencies shall not charge recruitment fees to migrant workers.",
    ],
    "act_b_health.pdf": [
        "MIGRANT HEALTH DECREE",
        "Article 1. Access to health care",
        "Every migrant, whatever his or her status, shall have access to emergency health care and",
        "to primary care services on the same terms as nationals.",
        "Article 2. Education",
        "Children of migrants shall be enrolled in public schools on the same terms as nationals.",
    ],
    "act_c_trafficking.pdf": [
        "ANTI-TRAFFICKING ACT",
        "Article 1. Victims",
        "Victims of trafficking in persons shall receive a residence permit, shelter and legal aid.",
        "Article 2. Coordination",
        "A national commission shall coordinate the fight against trafficking and publish data every year.",
    ],
}


@pytest.fixture(scope="session")
def mini_taxonomy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mini_taxonomy(tmp_path_factory.mktemp("taxonomy") / "mini.yaml")


@pytest.fixture(scope="session")
def acts_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small generated laws (one page each) plus a truncated PDF and a ZIP named .pdf."""
    d = tmp_path_factory.mktemp("acts")
    for name, lines in ACTS.items():
        write_pdf(d / name, [lines])
    whole = (SAMPLE / SAMPLE_EN).read_bytes()
    (d / "corrupt.pdf").write_bytes(whole[: len(whole) // 3])
    write_docx_like(d / "not_really.pdf")
    return d


@pytest.fixture(scope="session")
def api_url(prefect_harness) -> str:
    """The test Prefect API, for processes started by a test (so they do not start servers of their own)."""
    from prefect.settings import get_current_settings

    return str(get_current_settings().api.url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> str:
    """A fresh database on the backend (PostgreSQL tests skip with a message when no server can be started)."""
    return database_url(backend, tmp_path)


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# --------------------------------------------------------------------------- reviewed documents and seeds

INDICATORS = ("3.2.2", "2.4.2", "4.1.1", "2.1.3")


def load_seed_pool() -> dict[str, list[dict]]:
    """Seed annotations of four indicators (one label each) and English negatives, by indicator."""
    from pipeline.config import REPO_ROOT

    by: dict[str, list[dict]] = defaultdict(list)
    for f in sorted((REPO_ROOT / "annotations" / "seed").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            ex = json.loads(line)
            inds = ex.get("indicators") or []
            if inds and inds[0] in INDICATORS and len(inds) == 1:
                by[inds[0]].append(ex)
            elif not inds and ex["language"] == "en":
                by["none"].append(ex)
    return by


def write_seeds(pool: dict[str, list[dict]], path: Path) -> Path:
    """The training part of the pool: ten examples per indicator and thirty negatives."""
    rows = [ex for ind in INDICATORS for ex in pool[ind][:10]] + pool["none"][:30]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def decisions_from(pool: dict[str, list[dict]], start: int, n: int) -> list[tuple[str, str, str]]:
    """(text, indicator, status): confirmed evidence of each indicator, rejected suggestions on text
    that answers none; taken from the part of the pool the seeds leave out."""
    items = [(ex["text"], ind, "confirmed") for ind in INDICATORS for ex in pool[ind][start : start + n]]
    items += [(ex["text"], "2.4.2", "rejected") for ex in pool["none"][30 + start : 30 + start + n]]
    return items


def add_reviewed_document(store, tag: str, items: list[tuple[str, str, str]]) -> None:  # noqa: ANN001
    """A processed document whose passages' candidates an analyst decided (status set on the candidate)."""
    from sqlalchemy import update

    from pipeline.records import Candidate, Document, DocumentMeta, LanguageGuess, Page, Passage
    from pipeline.storage.tables import CandidateRow

    sha = (tag * 64)[:64]
    en = LanguageGuess("en", 0.99)
    page_text = "\n".join(text for text, _, _ in items)
    passages, start = [], 0
    for i, (text, _, _) in enumerate(items):
        passages.append(Passage(sha, i, 1, start, 1, start + len(text), text, en))
        start += len(text) + 1
    cands = [
        Candidate(p.passage_id, ind, ind.split(".")[0], 0.6, 1, "zero-shot:test")
        for p, (_, ind, _) in zip(passages, items, strict=True)
    ]
    doc = Document(sha, f"/x/{tag}.pdf", 100, 1, DocumentMeta())
    store.save_document(doc, [Page(1, page_text)], en, passages, None, "none", cands)
    with store.write() as s:
        for p, (_, ind, status) in zip(passages, items, strict=True):
            s.execute(
                update(CandidateRow)
                .where(CandidateRow.passage_id == p.passage_id, CandidateRow.indicator_id == ind)
                .values(status=status)
            )
