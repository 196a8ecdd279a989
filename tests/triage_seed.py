"""Seeding a store directly with documents, passages, embeddings and candidates (no PDF
processing), for the search and coverage tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from pipeline.records import Candidate, Document, DocumentMeta, LanguageGuess, Page, Passage
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, PassageRow, ReviewStateRow

MODEL = "zero-shot:test:mgi-national@2026.11"


@dataclass
class SeedPassage:
    text: str
    page: int = 1
    suggest: Sequence[tuple[str, float]] = ()  # (indicator id, score)


@dataclass
class Seeded:
    sha256: str
    passage_ids: list[str]
    candidate_ids: dict[tuple[int, str], int]  # (passage index, indicator) -> candidate id


def seed_document(
    store: Store,
    *,
    title: str,
    country: str,
    language: str,
    passages: Sequence[SeedPassage | str],
    encoder=None,  # noqa: ANN001 - anything with name/encode; None stores no embeddings
    date: str | None = None,
    document_type: str | None = "law",
    model_version: str = MODEL,
) -> Seeded:
    items = [p if isinstance(p, SeedPassage) else SeedPassage(p) for p in passages]
    sha = hashlib.sha256(f"{title}|{country}".encode()).hexdigest()
    n_pages = max(p.page for p in items)
    page_texts: dict[int, str] = {n: "" for n in range(1, n_pages + 1)}
    records: list[Passage] = []
    lang = LanguageGuess(language, 0.99)
    for i, p in enumerate(items):
        start = len(page_texts[p.page]) + (1 if page_texts[p.page] else 0)
        page_texts[p.page] = (page_texts[p.page] + "\n" if page_texts[p.page] else "") + p.text
        records.append(Passage(sha, i, p.page, start, p.page, start + len(p.text), p.text, lang))
    pages = [Page(n, t) for n, t in page_texts.items()]
    doc = Document(
        sha,
        f"/corpus/{sha[:8]}.pdf",
        1000,
        n_pages,
        DocumentMeta(title=title, country=country, date=date, document_type=document_type, level="national"),
    )
    cands = []
    for i, p in enumerate(items):
        for rank, (ind, score) in enumerate(p.suggest, start=1):
            cands.append(Candidate(records[i].passage_id, ind, ind.split(".")[0], score, rank, model_version))
    vectors = encoder.encode([p.text for p in items]) if encoder is not None else None
    store.save_document(doc, pages, lang, records, vectors, encoder.name if encoder else "none", cands)
    ids: dict[tuple[int, str], int] = {}
    pid_index = {r.passage_id: i for i, r in enumerate(records)}
    with store.session() as s:
        for c in s.scalars(select(CandidateRow).where(CandidateRow.passage_id.in_(list(pid_index)))):
            ids[(pid_index[c.passage_id], c.indicator_id)] = c.id
    return Seeded(sha, [r.passage_id for r in records], ids)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


# --------------------------------------------------------------------------- a reviewed corpus for coverage views

TESTLAND = "Republic of Testland"


def seed_coverage_corpus(store: Store, taxonomy, encoder=None) -> dict:  # noqa: ANN001
    """Three Testland documents (en 2021, es 2022, fr 2023) and one of another country, with
    suggestions and analyst decisions:

    * A p0 1.1.1 confirmed; A p1 1.1.1 pending 0.60; A p2 1.3.1 rejected;
    * B p0 1.1.1 pending 0.55 and 2.1.1 pending 0.80; B p1 1.2.1 relabelled to 1.2.2 as a gap;
      B p2 2.1.1 pending 0.45;
    * C nothing; D (Foreignland) 1.1.1 pending 0.99.
    """
    from pipeline.services import accounts, review

    a = seed_document(
        store,
        title="Health Act",
        country=TESTLAND,
        language="en",
        date="2021-05-01",
        encoder=encoder,
        passages=[
            SeedPassage("Every migrant shall have access to emergency health care.", 1, [("1.1.1", 0.9)]),
            SeedPassage("Migrants may register with a family doctor.", 1, [("1.1.1", 0.6)]),
            SeedPassage("Work permits are issued within thirty days.", 2, [("1.3.1", 0.7)]),
        ],
    )
    b = seed_document(
        store,
        title="Loi sur le séjour",
        country=TESTLAND,
        language="fr",
        date="2023-02-01",
        encoder=encoder,
        passages=[
            SeedPassage("Les étrangers ont accès aux soins de santé.", 1, [("1.1.1", 0.55), ("2.1.1", 0.8)]),
            SeedPassage("Le regroupement familial n'est pas prévu par la loi.", 2, [("1.2.1", 0.7)]),
            SeedPassage("Le Conseil national des migrations coordonne les ministères.", 3, [("2.1.1", 0.45)]),
        ],
    )
    c = seed_document(
        store,
        title="Estrategia Nacional",
        country=TESTLAND,
        language="es",
        date="2022-09-30",
        document_type="strategy",
        encoder=encoder,
        passages=["El turismo rural contribuye al desarrollo de las regiones."],
    )
    d = seed_document(
        store,
        title="Foreign Health Act",
        country="Foreignland",
        language="en",
        date="2020-01-01",
        encoder=encoder,
        passages=[SeedPassage("Migrants have access to hospitals.", 1, [("1.1.1", 0.99)])],
    )
    user = accounts.add_user(store, "ana", "password-ana")
    review.sync_items(store)
    review.decide(store, user, a.candidate_ids[(0, "1.1.1")], version=0, status="confirmed", taxonomy=taxonomy)
    review.decide(store, user, a.candidate_ids[(2, "1.3.1")], version=0, status="rejected", taxonomy=taxonomy)
    review.decide(
        store,
        user,
        b.candidate_ids[(1, "1.2.1")],
        version=0,
        status="confirmed",
        indicator="1.2.2",
        polarity="gap",
        taxonomy=taxonomy,
    )
    return {"A": a, "B": b, "C": c, "D": d, "user": user}


def expected_cells(store: Store, country: str) -> dict[tuple[str, str], str]:
    """The matrix computed straight from the tables: confirmed decisions count for the decided
    indicator (gap when every confirmed passage is a gap), otherwise the strongest pending score,
    otherwise 'rejected'."""
    with store.session() as s:
        rows = s.execute(
            select(
                CandidateRow.indicator_id,
                CandidateRow.score,
                ReviewStateRow.status,
                ReviewStateRow.final_indicator,
                ReviewStateRow.polarity,
                DocumentRow.sha256,
            )
            .join(ReviewStateRow, ReviewStateRow.candidate_id == CandidateRow.id)
            .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
            .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
            .where(func.lower(DocumentRow.country) == country.lower())
        ).all()
    confirmed, gaps, best, rejected = set(), set(), {}, set()
    for ind, score, status, final, polarity, sha in rows:
        if status == "confirmed":
            (gaps if polarity == "gap" else confirmed).add((final, sha))
            if final != ind:
                rejected.add((ind, sha))
        elif status == "rejected":
            rejected.add((ind, sha))
        else:
            best[(ind, sha)] = max(score, best.get((ind, sha), 0.0))
    out = {k: f"{v:.2f}" for k, v in best.items()}
    out.update({k: "rejected" for k in rejected if k not in out})
    out.update({k: "gap" for k in gaps})
    out.update({k: "confirmed" for k in confirmed})
    return out
