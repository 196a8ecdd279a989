"""The decisions made, newest first (one analyst's or everyone's).

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pipeline.services.review.decisions import UNDOABLE
from pipeline.services.review.state import _user_names
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    ChangeRow,
    DecisionRow,
)

# --------------------------------------------------------------------------- history


def history(store: Store, user_id: int | None = None, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Change-log rows, newest first (one user's, or everyone's), with whether each can be undone."""
    q = (
        select(ChangeRow, DecisionRow, CandidateRow)
        .outerjoin(DecisionRow, ChangeRow.decision_id == DecisionRow.id)
        .join(CandidateRow, ChangeRow.candidate_id == CandidateRow.id)
    )
    if user_id is not None:
        q = q.where(ChangeRow.user_id == user_id)
    with store.session() as s:
        names = _user_names(s)
        rows = s.execute(q.order_by(ChangeRow.id.desc()).offset(offset).limit(limit)).all()
    return [
        {
            "id": c.id,
            "candidate_id": c.candidate_id,
            "user": names.get(c.user_id, "?"),
            "user_id": c.user_id,
            "at": c.at,
            "action": c.action,
            "before": c.before,
            "after": c.after,
            "undoes": c.undoes_change_id,
            "suggested": cand.indicator_id,
            "score": cand.score,
            "decision": (
                {
                    "status": d.status,
                    "final_indicator": d.final_indicator,
                    "polarity": d.polarity,
                    "note": d.note,
                    "active": d.active,
                }
                if d
                else None
            ),
            "undoable": bool(d and d.active and c.action in UNDOABLE),
        }
        for c, d, cand in rows
    ]
