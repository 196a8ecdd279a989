"""Double-review agreement (Cohen's kappa per analyst pair), conflicts, and work per analyst.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from sqlalchemy import func, select

from pipeline.services.review.state import _user_names, decision_label
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    DecisionRow,
    DocumentRow,
    PassageRow,
    ReviewStateRow,
)

# --------------------------------------------------------------------------- agreement


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels on the same items; None when undefined (no items, or
    both raters used one and the same label throughout, so chance agreement is 1)."""
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def agreement(store: Store) -> dict[str, Any]:
    """Agreement between analysts on items that required independent reviews: per analyst pair
    the number of shared items, percent agreement and Cohen's kappa; and the open conflicts."""
    with store.session() as s:
        names = _user_names(s)
        rows = (
            s.execute(
                select(DecisionRow)
                .join(ReviewStateRow, ReviewStateRow.candidate_id == DecisionRow.candidate_id)
                .where(
                    DecisionRow.active.is_(True), DecisionRow.kind != "resolution", ReviewStateRow.required_reviews > 1
                )
                .order_by(DecisionRow.id)
            )
            .scalars()
            .all()
        )
        conflict_rows = s.execute(
            select(ReviewStateRow, CandidateRow, PassageRow, DocumentRow)
            .join(CandidateRow, CandidateRow.id == ReviewStateRow.candidate_id)
            .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
            .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
            .where(ReviewStateRow.status == "conflict")
            .order_by(ReviewStateRow.candidate_id)
        ).all()
        conflict_decisions = defaultdict(list)
        if conflict_rows:
            for d in s.scalars(
                select(DecisionRow)
                .where(
                    DecisionRow.candidate_id.in_([r[0].candidate_id for r in conflict_rows]),
                    DecisionRow.active.is_(True),
                )
                .order_by(DecisionRow.id)
            ):
                conflict_decisions[d.candidate_id].append(d)
    latest: dict[int, dict[int, str]] = defaultdict(dict)  # item -> user -> label
    for d in rows:
        latest[d.candidate_id][d.user_id] = decision_label(d)
    pairs: dict[tuple[int, int], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for per_user in latest.values():
        for u, v in combinations(sorted(per_user), 2):
            pairs[(u, v)][0].append(per_user[u])
            pairs[(u, v)][1].append(per_user[v])
    report = []
    for (u, v), (la, lb) in sorted(pairs.items(), key=lambda kv: (names.get(kv[0][0], ""), names.get(kv[0][1], ""))):
        agree = sum(x == y for x, y in zip(la, lb, strict=True))
        report.append(
            {
                "a": names.get(u, str(u)),
                "b": names.get(v, str(v)),
                "items": len(la),
                "agree": agree,
                "percent": 100.0 * agree / len(la),
                "kappa": cohen_kappa(la, lb),
            }
        )
    conflicts = []
    for st, cand, p, d in conflict_rows:
        per_user: dict[int, DecisionRow] = {}
        for x in conflict_decisions[st.candidate_id]:
            if x.kind != "resolution":
                per_user[x.user_id] = x
        conflicts.append(
            {
                "id": cand.id,
                "indicator": cand.indicator_id,
                "score": cand.score,
                "title": d.title or d.filename,
                "page": p.page,
                "text": p.text,
                "decisions": [
                    {"user": names.get(u, "?"), "label": decision_label(x), "note": x.note} for u, x in per_user.items()
                ],
            }
        )
    return {"pairs": report, "conflicts": conflicts, "double_review_items": len(latest)}


def counts_by_user(store: Store) -> list[dict[str, Any]]:
    """Decisions in force per analyst and status (the admin's overview of everyone's work)."""
    with store.session() as s:
        names = _user_names(s)
        rows = s.execute(
            select(DecisionRow.user_id, DecisionRow.status, func.count(), func.max(DecisionRow.decided_at))
            .where(DecisionRow.active.is_(True))
            .group_by(DecisionRow.user_id, DecisionRow.status)
        ).all()
        undone = dict(
            s.execute(
                select(DecisionRow.user_id, func.count())
                .where(DecisionRow.active.is_(False))
                .group_by(DecisionRow.user_id)
            ).all()
        )
    out: dict[int, dict[str, Any]] = {}
    for uid, status, n, last in rows:
        e = out.setdefault(uid, {"user": names.get(uid, "?"), "confirmed": 0, "rejected": 0, "undone": 0, "last": None})
        e[status] = n
        e["last"] = max(filter(None, [e["last"], last]), default=None)
    for uid, n in undone.items():
        out.setdefault(uid, {"user": names.get(uid, "?"), "confirmed": 0, "rejected": 0, "undone": 0, "last": None})
        out[uid]["undone"] = n
    return sorted(out.values(), key=lambda e: e["user"])
