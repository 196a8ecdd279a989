"""Queries over the queue, written once.

* ``evidence_join``: candidate ⋈ review state ⋈ passage ⋈ document, the join behind the review
  queue, exports, profiles and coverage;
* ``QueueQueries``: the ``Store``'s reading side (status, documents, candidates, counts) and what
  reclassifying reads and adds;
* ``candidate_row``: a ``Candidate`` record as a row.

May import: SQLAlchemy, numpy, ``pipeline.records``, ``pipeline.storage.tables``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import numpy as np
from sqlalchemy import (
    Select,
    func,
    select,
    update,
)
from sqlalchemy.exc import OperationalError

from pipeline.records import (
    Candidate,
    CandidateStatus,
    DocumentStatus,
)
from pipeline.storage.tables import (
    CandidateRow,
    DocumentRow,
    EmbeddingRow,
    PageRow,
    PassageRow,
    ReviewStateRow,
    RunRow,
)


def evidence_join(query: Select, *, outer: bool = False) -> Select:
    """``query`` over candidates joined to their review state, passage and document. ``outer``:
    keep candidates that have no review-state row yet (they count as their own status)."""
    state = ReviewStateRow.candidate_id == CandidateRow.id
    q = query.select_from(CandidateRow)
    q = q.outerjoin(ReviewStateRow, state) if outer else q.join(ReviewStateRow, state)
    return q.join(PassageRow, PassageRow.id == CandidateRow.passage_id).join(
        DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256
    )


def candidate_row(c: Candidate, run_id: int | None) -> CandidateRow:
    return CandidateRow(
        passage_id=c.passage_id,
        indicator_id=c.indicator_id,
        domain=c.domain,
        score=c.score,
        rank=c.rank,
        model_version=c.model_version,
        run_id=run_id,
    )


class QueueQueries:
    """The reading side of ``Store`` (a mixin: it needs ``session()`` and ``write()``)."""

    # ------------------------------------------------------------------ reclassifying
    def processed_documents(self, document: str | None = None) -> list[str]:
        """SHA-256 of every processed document (or those matching a SHA-256 prefix or file name), in order."""
        q = select(DocumentRow.sha256).where(DocumentRow.status == DocumentStatus.PROCESSED.value)
        if document:
            q = q.where(DocumentRow.sha256.startswith(document.lower()) | (DocumentRow.filename == document))
        with self.session() as s:
            return list(s.scalars(q.order_by(DocumentRow.path, DocumentRow.sha256)))

    def passages_with_embeddings(self, sha256: str, encoder: str) -> list[tuple[str, str, np.ndarray | None]]:
        """(passage id, text, stored vector for ``encoder`` or None) for a document's passages, in order."""
        with self.session() as s:
            rows = s.execute(
                select(PassageRow.id, PassageRow.text, EmbeddingRow.vector)
                .outerjoin(EmbeddingRow, (EmbeddingRow.passage_id == PassageRow.id) & (EmbeddingRow.encoder == encoder))
                .where(PassageRow.document_sha256 == sha256)
                .order_by(PassageRow.idx)
            ).all()
        return [
            (pid, text, np.frombuffer(vec, dtype=np.float32) if vec is not None else None) for pid, text, vec in rows
        ]

    def add_suggestions(
        self,
        sha256: str,
        candidates: Sequence[Candidate],
        new_embeddings: dict[str, np.ndarray],
        encoder: str,
        run_id: int | None = None,
        *,
        skip_decided: bool = True,
    ) -> dict[str, int]:
        """Add a new model version's suggestions for one document, in one transaction, beside what is there.

        Nothing existing is changed: a suggestion already stored (same passage, indicator and model
        version) is left alone, and with ``skip_decided`` a passage/indicator pair an analyst already
        confirmed or rejected (under any model version) gets no new pending suggestion: the decision
        stands. Embeddings computed for this encoder are stored too. Returns counts."""
        decided = {CandidateStatus.CONFIRMED.value, CandidateStatus.REJECTED.value}
        with self.write() as s:
            existing = s.execute(
                select(
                    CandidateRow.passage_id, CandidateRow.indicator_id, CandidateRow.model_version, CandidateRow.status
                )
                .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
                .where(PassageRow.document_sha256 == sha256)
            ).all()
            have = {(p, i, m) for p, i, m, _ in existing}
            decided_pairs = {(p, i) for p, i, _, st in existing if st in decided}
            if new_embeddings:
                stored = set(
                    s.scalars(
                        select(EmbeddingRow.passage_id).where(
                            EmbeddingRow.encoder == encoder, EmbeddingRow.passage_id.in_(list(new_embeddings))
                        )
                    )
                )
                s.add_all(
                    EmbeddingRow(passage_id=pid, encoder=encoder, vector=np.asarray(v, dtype=np.float32).tobytes())
                    for pid, v in new_embeddings.items()
                    if pid not in stored
                )
            added = kept_decided = already = 0
            for c in candidates:
                if (c.passage_id, c.indicator_id, c.model_version) in have:
                    already += 1
                elif skip_decided and (c.passage_id, c.indicator_id) in decided_pairs:
                    kept_decided += 1
                else:
                    s.add(candidate_row(c, run_id))
                    have.add((c.passage_id, c.indicator_id, c.model_version))
                    added += 1
            s.flush()
            total = s.scalar(
                select(func.count())
                .select_from(CandidateRow)
                .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
                .where(PassageRow.document_sha256 == sha256)
            )
            s.execute(
                update(DocumentRow)
                .where(DocumentRow.sha256 == sha256)
                .values(n_candidates=total)
                .execution_options(synchronize_session=False)
            )
        return {"added": added, "already_there": already, "kept_decisions": kept_decided}

    def decided_candidates(self) -> list[dict[str, Any]]:
        """Every candidate an analyst confirmed or rejected, with its passage and document (for training)."""
        with self.session() as s:
            rows = s.execute(
                select(CandidateRow, PassageRow, DocumentRow)
                .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
                .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
                .where(CandidateRow.status.in_([CandidateStatus.CONFIRMED.value, CandidateStatus.REJECTED.value]))
                .order_by(PassageRow.document_sha256, PassageRow.idx, CandidateRow.id)
            ).all()
        return [
            {
                "candidate_id": c.id,
                "status": c.status,
                "indicator": c.indicator_id,
                "model_version": c.model_version,
                "passage_id": p.id,
                "text": p.text,
                "language": p.language,
                "sha256": d.sha256,
                "document_type": d.document_type,
            }
            for c, p, d in rows
        ]

    # ------------------------------------------------------------------ reading
    def status(self, last_runs: int = 5) -> dict[str, Any]:
        with suppress(OperationalError):  # a read-only (or busy) database still shows its status
            self.mark_stale_runs()  # a run whose process died is shown as interrupted, not running
        with self.session() as s:
            docs = dict(s.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all())
            cands = dict(s.execute(select(CandidateRow.status, func.count()).group_by(CandidateRow.status)).all())
            n_passages = s.scalar(select(func.count()).select_from(PassageRow)) or 0
            langs = dict(s.execute(select(PassageRow.language, func.count()).group_by(PassageRow.language)).all())
            failures = [
                {"path": r.path, "sha256": r.sha256, "status": r.status, "reason": r.reason, "attempts": r.attempts}
                for r in s.scalars(
                    select(DocumentRow)
                    # failed and parked documents, and processed ones read only in part ("partial: ...")
                    .where((DocumentRow.status != DocumentStatus.PROCESSED.value) | DocumentRow.reason.is_not(None))
                    .order_by(DocumentRow.updated_at.desc())
                )
            ]
            runs = [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "status": r.status,
                    "host": r.host,
                    "pid": r.pid,
                    "started_at": r.started_at.isoformat(timespec="seconds"),
                    "finished_at": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
                    "summary": r.summary,
                }
                for r in s.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(last_runs))
            ]
        return {
            "database": self.display_url,
            "documents": docs,
            "passages": n_passages,
            "passage_languages": langs,
            "candidates": cands,
            "failures": failures,
            "parked": [f for f in failures if f["status"] == DocumentStatus.PARKED.value],
            "max_attempts": self.max_attempts,
            "runs": runs,
        }

    def documents(self) -> list[dict[str, Any]]:
        with self.session() as s:
            return [
                {
                    "path": r.path,
                    "sha256": r.sha256,
                    "status": r.status,
                    "reason": r.reason,
                    "title": r.title,
                    "country": r.country,
                    "level": r.level,
                    "language": r.language,
                    "pages": r.n_pages,
                    "ocr_pages": r.ocr_pages,
                    "passages": r.n_passages,
                    "candidates": r.n_candidates,
                    "attempts": r.attempts,
                }
                for r in s.scalars(select(DocumentRow).order_by(DocumentRow.path))
            ]

    def candidates(
        self,
        *,
        status: str | None = None,
        domain: str | None = None,
        indicator: str | None = None,
        country: str | None = None,
        language: str | None = None,
        min_score: float | None = None,
        document: str | None = None,
        limit: int | None = 50,
    ) -> list[dict[str, Any]]:
        q = (
            select(CandidateRow, PassageRow, DocumentRow)
            .join(PassageRow, CandidateRow.passage_id == PassageRow.id)
            .join(DocumentRow, PassageRow.document_sha256 == DocumentRow.sha256)
        )
        if status:
            q = q.where(CandidateRow.status == status)
        if domain:
            q = q.where(CandidateRow.domain == domain)
        if indicator:
            q = q.where(CandidateRow.indicator_id == indicator)
        if country:
            q = q.where(func.lower(DocumentRow.country) == country.lower())
        if language:
            q = q.where(PassageRow.language == language)
        if min_score is not None:
            q = q.where(CandidateRow.score >= min_score)
        if document:
            q = q.where((DocumentRow.sha256.startswith(document)) | (DocumentRow.filename == document))
        q = q.order_by(CandidateRow.score.desc(), CandidateRow.id)
        if limit:
            q = q.limit(limit)
        with self.session() as s:
            return [
                {
                    "id": c.id,
                    "indicator": c.indicator_id,
                    "domain": c.domain,
                    "score": c.score,
                    "rank": c.rank,
                    "status": c.status,
                    "model_version": c.model_version,
                    "passage_id": p.id,
                    "page": p.page,
                    "page_end": p.page_end,
                    "char_start": p.char_start,
                    "char_end": p.char_end,
                    "language": p.language,
                    "text": p.text,
                    "document": d.filename,
                    "title": d.title,
                    "country": d.country,
                    "sha256": d.sha256,
                }
                for c, p, d in s.execute(q).all()
            ]

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (
                    ("documents", DocumentRow),
                    ("pages", PageRow),
                    ("passages", PassageRow),
                    ("embeddings", EmbeddingRow),
                    ("candidates", CandidateRow),
                )
            }
