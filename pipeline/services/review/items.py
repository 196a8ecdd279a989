"""One item as an analyst sees it: the passage inside its page, every suggestion, its decisions
and change log.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from pipeline.services.review.state import UserLike, _is_admin, _snapshot, _state, _user_names
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    ChangeRow,
    DecisionRow,
    DocumentRow,
    PageRow,
    PassageRow,
    ReviewStateRow,
    now,
)

# --------------------------------------------------------------------------- one item


def _context(pages: dict[int, str], p: PassageRow) -> tuple[list[dict[str, Any]], bool]:
    """The passage inside its page text: [{page, before, mark, after}], and whether the offsets
    matched the stored passage text (if not, the passage is shown on its own)."""

    def norm(t: str) -> str:
        return " ".join(t.split())

    segs = []
    if p.page == p.page_end and p.page in pages:
        t = pages[p.page]
        if norm(t[p.char_start : p.char_end]) == norm(p.text):
            return [
                {
                    "page": p.page,
                    "before": t[: p.char_start],
                    "mark": t[p.char_start : p.char_end],
                    "after": t[p.char_end :],
                }
            ], True
        at = t.find(p.text[:80]) if p.text else -1
        if at >= 0 and norm(t[at : at + len(p.text)]) == norm(p.text):
            return [
                {"page": p.page, "before": t[:at], "mark": t[at : at + len(p.text)], "after": t[at + len(p.text) :]}
            ], True
    elif all(n in pages for n in range(p.page, p.page_end + 1)):
        for n in range(p.page, p.page_end + 1):
            t = pages[n]
            start = p.char_start if n == p.page else 0
            end = p.char_end if n == p.page_end else len(t)
            segs.append({"page": n, "before": t[:start], "mark": t[start:end], "after": t[end:]})
        if norm(" ".join(sg["mark"] for sg in segs)) == norm(p.text):
            return segs, True
    return [{"page": p.page, "before": "", "mark": p.text, "after": ""}], False


def item_detail(store: Store, user: UserLike, candidate_id: int, at: datetime | None = None) -> dict[str, Any]:
    """Everything the item view shows: candidate, state, passage in context, document, the other
    suggestions for the passage, decisions (others' hidden from analysts during double review)
    and the change log."""
    at = at or now()
    with store.session() as s:
        st, cand = _state(s, candidate_id)
        s.commit()
        p = s.get(PassageRow, cand.passage_id)
        d = s.get(DocumentRow, p.document_sha256)
        pages = dict(
            s.execute(
                select(PageRow.number, PageRow.text).where(
                    PageRow.document_sha256 == d.sha256, PageRow.number.between(p.page, p.page_end)
                )
            ).all()
        )
        names = _user_names(s)
        siblings = [
            {
                "id": c.id,
                "indicator": c.indicator_id,
                "domain": c.domain,
                "score": c.score,
                "rank": c.rank,
                "model_version": c.model_version,
                "status": r.status if r else c.status,
                "final_indicator": r.final_indicator if r else None,
            }
            for c, r in s.execute(
                select(CandidateRow, ReviewStateRow)
                .outerjoin(ReviewStateRow, ReviewStateRow.candidate_id == CandidateRow.id)
                .where(CandidateRow.passage_id == p.id)
                .order_by(CandidateRow.score.desc())
            )
        ]
        decisions = list(
            s.scalars(select(DecisionRow).where(DecisionRow.candidate_id == candidate_id).order_by(DecisionRow.id))
        )
        changes = list(
            s.scalars(
                select(ChangeRow).where(ChangeRow.candidate_id == candidate_id).order_by(ChangeRow.id.desc()).limit(50)
            )
        )
    blind = st.required_reviews > 1 and st.status in ("pending", "conflict") and not _is_admin(user)
    if blind and st.status == "pending":
        shown = [x for x in decisions if x.user_id == user.id]
        changes = [c for c in changes if c.user_id == user.id]
    else:
        shown = decisions
    context, aligned = _context(pages, p)
    leased = st.lease_user_id is not None and st.lease_until is not None and st.lease_until > at
    return {
        "id": cand.id,
        "indicator": cand.indicator_id,
        "domain": cand.domain,
        "score": cand.score,
        "rank": cand.rank,
        "model_version": cand.model_version,
        "threshold": st.threshold,
        "margin": st.margin,
        "state": _snapshot(st),
        "lease_holder": names.get(st.lease_user_id) if leased else None,
        "lease_user_id": st.lease_user_id if leased else None,
        "lease_until": st.lease_until if leased else None,
        "passage": {
            "id": p.id,
            "text": p.text,
            "page": p.page,
            "page_end": p.page_end,
            "char_start": p.char_start,
            "char_end": p.char_end,
            "language": p.language,
            "heading": p.heading,
        },
        "context": context,
        "aligned": aligned,
        "document": {
            "sha256": d.sha256,
            "title": d.title or d.filename,
            "filename": d.filename,
            "path": d.path,
            "country": d.country,
            "date": d.date,
            "document_type": d.document_type,
            "source_url": d.source_url,
            "n_pages": d.n_pages,
        },
        "siblings": siblings,
        "decisions": [
            {
                "id": x.id,
                "user": names.get(x.user_id, "?"),
                "user_id": x.user_id,
                "at": x.decided_at,
                "kind": x.kind,
                "status": x.status,
                "final_indicator": x.final_indicator,
                "polarity": x.polarity,
                "note": x.note,
                "active": x.active,
                "shown_indicator": x.shown_indicator,
                "shown_score": x.shown_score,
                "model_version": x.model_version,
            }
            for x in shown
        ],
        "hidden_decisions": len(decisions) - len(shown),
        "changes": [
            {
                "id": c.id,
                "user": names.get(c.user_id, "?"),
                "at": c.at,
                "action": c.action,
                "before": c.before,
                "after": c.after,
                "decision_id": c.decision_id,
                "undoes": c.undoes_change_id,
            }
            for c in changes
        ],
        "my_active_decision": any(x.user_id == user.id and x.active for x in decisions),
    }
