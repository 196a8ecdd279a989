"""Sending a search result to the review queue: a candidate for the indicator the analyst chose,
with the query, encoder, similarity and rank kept as provenance (``search_sends``).

May import: ``pipeline.services.search``, ``pipeline.services.review``, ``pipeline.storage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    func,
    select,
    update,
)

from pipeline.services.search import SearchError
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    DocumentRow,
    PassageRow,
    SearchSendRow,
)

# --------------------------------------------------------------------------- sending to the queue


@dataclass
class SendOutcome:
    candidate_id: int
    created: bool
    message: str


def send_to_queue(
    store: Store,
    *,
    passage_id: str,
    indicator: str,
    taxonomy: Any,
    encoder: str,
    query: str,
    similarity: float | None = None,
    result_rank: int | None = None,
    user: str | None = None,
    via: str = "cli",
) -> SendOutcome:
    """Queue a passage found by search as a candidate for ``indicator`` (an id or a unique part of
    its name). A passage already suggested for that indicator is not queued twice."""
    from pipeline.services.review import resolve_indicator, sync_items
    from pipeline.storage.engine import write_session

    ind = resolve_indicator(taxonomy, indicator)
    with write_session(store) as s:
        passage = s.get(PassageRow, passage_id)
        if passage is None:
            raise SearchError(f"no passage {passage_id!r} in the database: run the search again")
        existing = s.execute(
            select(CandidateRow.id, CandidateRow.status, CandidateRow.model_version).where(
                CandidateRow.passage_id == passage_id, CandidateRow.indicator_id == ind.id
            )
        ).first()
        if existing is not None:
            cid, status, mv = existing
            return SendOutcome(
                cid, False, f"already in the queue as #{cid} for {ind.id} ({status}, suggested by {mv}); nothing added"
            )
        rank = (s.scalar(select(func.max(CandidateRow.rank)).where(CandidateRow.passage_id == passage_id)) or 0) + 1
        score = 0.0 if similarity is None else float(min(1.0, max(0.0, similarity)))
        cand = CandidateRow(
            passage_id=passage_id,
            indicator_id=ind.id,
            domain=ind.domain,
            score=score,
            rank=rank,
            model_version=f"search:{encoder}",
            run_id=None,
        )
        s.add(cand)
        s.flush()
        s.add(
            SearchSendRow(
                candidate_id=cand.id,
                passage_id=passage_id,
                indicator_id=ind.id,
                query=query,
                encoder=encoder,
                similarity=similarity,
                result_rank=result_rank,
                user=user,
                via=via,
            )
        )
        s.execute(
            update(DocumentRow)
            .where(DocumentRow.sha256 == passage.document_sha256)
            .values(n_candidates=DocumentRow.n_candidates + 1)
            .execution_options(synchronize_session=False)
        )
        cid = cand.id
    sync_items(store)
    return SendOutcome(
        cid, True, f"queued as #{cid}: passage for {ind.id} {ind.label()} (from search, score {score:.2f})"
    )
