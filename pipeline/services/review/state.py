"""The review state of a candidate: the constants and errors of the review layer, the thresholds a
new candidate is judged by, ``sync_items`` (review-state rows for new candidates), and the pure
``effective_state`` that recomputes a state from its active decisions.

The unit of review is a *candidate* (one passage suggested for one indicator). Each candidate has
a ``review_state`` row (status, final indicator, polarity, note, a version counter, a lease) and
any number of decisions. The state is always recomputed from the active decisions, so an undo
(which marks a decision inactive and writes a change-log row) restores exactly the state before.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from pipeline.errors import MgiError
from pipeline.records import CandidateStatus
from pipeline.storage.engine import write_session
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    ChangeRow,
    DecisionRow,
    ReviewStateRow,
    UserRow,
    now,
)

LEASE_MINUTES = 10
STATUSES = ("pending", "confirmed", "rejected", "conflict")
DECISIONS = ("confirmed", "rejected")
POLARITIES = ("developed", "gap")
SORTS = {
    "uncertainty": "closest to the threshold first (teaches the classifier most)",
    "score": "highest score first",
    "score_asc": "lowest score first",
    "document": "document and page order",
}
DEFAULT_THRESHOLD = 0.5
MAX_NOTE = 2000
DUPLICATE_COSINE = 0.95


# --------------------------------------------------------------------------- errors


class ReviewError(MgiError, ValueError):
    """Something the analyst can fix or should know; the message is one line, never a traceback."""


class UnknownItem(ReviewError):
    pass


class UnknownIndicator(ReviewError):
    pass


class NotAllowed(ReviewError):
    pass


class LeaseHeld(ReviewError):
    def __init__(self, candidate_id: int, holder: str, until: datetime) -> None:
        self.candidate_id, self.holder, self.until = candidate_id, holder, until
        super().__init__(
            f"item #{candidate_id} is being reviewed by {holder} until {until:%H:%M} UTC; "
            "pick another item or wait until the lease runs out"
        )


class StaleDecision(ReviewError):
    def __init__(self, candidate_id: int, seen: int, current: int, what: str) -> None:
        self.candidate_id, self.seen, self.current, self.what = candidate_id, seen, current, what
        super().__init__(
            f"not saved: item #{candidate_id} changed after you opened it ({what}); "
            "look at its current state and decide again"
        )


class NothingToUndo(ReviewError):
    pass


class UserLike(Protocol):
    id: int
    name: str
    role: str


def _is_admin(user: UserLike) -> bool:
    return getattr(user, "role", "") == "admin"


# --------------------------------------------------------------------------- thresholds and state rows

ThresholdFn = Callable[[str, str], float]


def threshold_resolver(model_dirs: Sequence[Path] = ()) -> ThresholdFn:
    """(model_version, indicator_id) -> the score at which that model queues the indicator.

    Zero-shot versions name their encoder (``zero-shot:<encoder>:<taxonomy>``); trained versions are
    looked up in the model folders under ``model_dirs`` (their per-indicator thresholds). Anything
    unknown counts as 0.5."""
    from pipeline.stages.classify import DEFAULT_ZERO_SHOT_THRESHOLD, ZERO_SHOT_THRESHOLDS

    @lru_cache(maxsize=64)
    def trained(version: str) -> dict[str, float]:
        for root in model_dirs:
            root = Path(root)
            folders = [root] + (sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else [])
            for folder in folders:
                card = folder / "card.json"
                if not card.is_file():
                    continue
                try:
                    data = json.loads(card.read_text(encoding="utf-8"))
                    if data.get("model_version") != version:
                        continue
                    with np.load(folder / "weights.npz", allow_pickle=False) as w:
                        values = w["thresholds"].tolist()
                    return dict(zip(data["indicator_ids"], values, strict=False))
                except (OSError, ValueError, KeyError):
                    continue
        return {}

    def resolve(model_version: str, indicator_id: str) -> float:
        if model_version.startswith("zero-shot:"):
            encoder = model_version.split(":")[1] if model_version.count(":") >= 2 else ""
            return ZERO_SHOT_THRESHOLDS.get(encoder, DEFAULT_ZERO_SHOT_THRESHOLD)
        return float(trained(model_version).get(indicator_id, DEFAULT_THRESHOLD))

    return resolve


def sync_items(store: Store, thresholds: ThresholdFn | None = None, batch: int = 5000) -> int:
    """Give every candidate that has none a review-state row; returns how many were added."""
    thresholds = thresholds or threshold_resolver()
    added = 0
    while True:
        with store.session() as s:
            rows = s.execute(
                select(
                    CandidateRow.id,
                    CandidateRow.score,
                    CandidateRow.indicator_id,
                    CandidateRow.model_version,
                    CandidateRow.status,
                )
                .outerjoin(ReviewStateRow, ReviewStateRow.candidate_id == CandidateRow.id)
                .where(ReviewStateRow.candidate_id.is_(None))
                .order_by(CandidateRow.id)
                .limit(batch)
            ).all()
        if not rows:
            return added
        values = []
        for cid, score, ind, mv, status in rows:
            t = float(thresholds(mv, ind))
            st = status if status in STATUSES else "pending"
            values.append(
                {
                    "candidate_id": cid,
                    "status": st,
                    "threshold": t,
                    "margin": abs(float(score) - t),
                    "version": 0,
                    "required_reviews": 1,
                    "reviews_done": 0,
                    "updated_at": now(),
                }
            )
        from sqlalchemy.exc import IntegrityError

        try:
            with write_session(store) as s:
                s.execute(insert(ReviewStateRow), values)
        except IntegrityError:  # another process synced the same rows meanwhile: go round again
            continue
        added += len(values)
        if len(rows) < batch:
            return added


def _state(s: Session, cid: int) -> tuple[ReviewStateRow, CandidateRow]:
    cand = s.get(CandidateRow, cid)
    if cand is None:
        raise UnknownItem(f"no candidate #{cid} in the queue")
    st = s.get(ReviewStateRow, cid)
    if st is None:  # a candidate queued after the last sync
        st = ReviewStateRow(
            candidate_id=cid,
            status="pending",
            threshold=DEFAULT_THRESHOLD,
            margin=abs(cand.score - DEFAULT_THRESHOLD),
            version=0,
            required_reviews=1,
            reviews_done=0,
        )
        s.add(st)
        s.flush()
    return st, cand


def _user_names(s: Session) -> dict[int, str]:
    return dict(s.execute(select(UserRow.id, UserRow.name)).all())


def _snapshot(st: ReviewStateRow) -> dict[str, Any]:
    return {
        "status": st.status,
        "final_indicator": st.final_indicator,
        "polarity": st.polarity,
        "note": st.note,
        "required_reviews": st.required_reviews,
        "reviews_done": st.reviews_done,
        "version": st.version,
    }


# --------------------------------------------------------------------------- effective state (pure)


class DecisionLike(Protocol):
    id: int
    user_id: int
    kind: str
    status: str
    final_indicator: str | None
    polarity: str | None
    note: str | None


def decision_label(d: DecisionLike) -> str:
    """What two independent decisions must share to agree: rejected, or the indicator and polarity."""
    if d.status == "rejected":
        return "rejected"
    return f"{d.final_indicator}/{d.polarity or 'developed'}"


def effective_state(decisions: Sequence[DecisionLike], required: int) -> dict[str, Any]:
    """The state that the active decisions (oldest first) add up to.

    One review required: the latest decision counts. N reviews: each analyst's latest decision
    counts; until N analysts have decided the item stays pending; if they all agree it takes
    their decision, otherwise it is a conflict until an administrator resolves it."""
    empty = {"status": "pending", "final_indicator": None, "polarity": None, "note": None}
    reviews = [d for d in decisions if d.kind != "resolution"]
    per_user: dict[int, DecisionLike] = {}
    for d in reviews:
        per_user[d.user_id] = d
    done = len(per_user)
    resolutions = [d for d in decisions if d.kind == "resolution"]
    if resolutions:
        chosen: DecisionLike | None = resolutions[-1]
    elif not reviews:
        chosen = None
    elif required <= 1:
        chosen = reviews[-1]
    elif done < required:
        return {**empty, "reviews_done": done}
    elif len({decision_label(d) for d in per_user.values()}) == 1:
        chosen = max(per_user.values(), key=lambda d: d.id)
    else:
        return {**empty, "status": "conflict", "reviews_done": done}
    if chosen is None:
        return {**empty, "reviews_done": done}
    return {
        "status": chosen.status,
        "final_indicator": chosen.final_indicator if chosen.status == "confirmed" else None,
        "polarity": chosen.polarity if chosen.status == "confirmed" else None,
        "note": chosen.note,
        "reviews_done": done,
    }


def _recompute(s: Session, st: ReviewStateRow, required: int | None = None) -> dict[str, Any]:
    decisions = list(
        s.scalars(
            select(DecisionRow)
            .where(DecisionRow.candidate_id == st.candidate_id, DecisionRow.active.is_(True))
            .order_by(DecisionRow.id)
        )
    )
    return effective_state(decisions, st.required_reviews if required is None else required)


def _apply_state(
    s: Session,
    st: ReviewStateRow,
    cand: CandidateRow,
    new: dict[str, Any],
    seen_version: int,
    user: UserLike,
    action: str,
    decision_id: int | None = None,
    undoes: int | None = None,
    extra: dict[str, Any] | None = None,
) -> ChangeRow:
    """Compare-and-set the state to ``new`` (version + 1), mirror the status onto the candidate and
    write the change-log row. Raises StaleDecision if someone else got there first."""
    before = _snapshot(st)
    values = {k: new[k] for k in ("status", "final_indicator", "polarity", "note", "reviews_done")}
    values.update(extra or {})
    values.update(version=seen_version + 1, updated_at=now(), updated_by=user.id)
    if st.lease_user_id == user.id:
        values.update(lease_user_id=None, lease_until=None)  # deciding ends one's own lease
    res = s.execute(
        update(ReviewStateRow)
        .where(ReviewStateRow.candidate_id == st.candidate_id, ReviewStateRow.version == seen_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise StaleDecision(st.candidate_id, seen_version, seen_version + 1, "another decision was saved first")
    after = {**before, **{k: v for k, v in values.items() if k in before}}
    mirror = new["status"] if new["status"] in ("confirmed", "rejected") else CandidateStatus.PENDING.value
    if cand.status != mirror:
        s.execute(
            update(CandidateRow)
            .where(CandidateRow.id == cand.id)
            .values(status=mirror)
            .execution_options(synchronize_session=False)
        )
    change = ChangeRow(
        candidate_id=st.candidate_id,
        user_id=user.id,
        at=now(),
        action=action,
        decision_id=decision_id,
        undoes_change_id=undoes,
        version_before=seen_version,
        version_after=seen_version + 1,
        before=before,
        after=after,
    )
    s.add(change)
    s.flush()
    return change


def _explain_since(s: Session, cid: int, version: int, me: int | None = None) -> str:
    ch = s.scalar(
        select(ChangeRow)
        .where(ChangeRow.candidate_id == cid, ChangeRow.version_after > version)
        .order_by(ChangeRow.id.desc())
        .limit(1)
    )
    if ch is None:
        return "its state was changed"
    who = s.get(UserRow, ch.user_id).name if s.get(UserRow, ch.user_id) else f"user {ch.user_id}"
    after = ch.after or {}
    what = {"undo": "undid a decision", "require": f"set {after.get('required_reviews')} required reviews"}.get(
        ch.action
    )
    if what is None:
        what = (
            f"confirmed it as {after.get('final_indicator')} ({after.get('polarity') or 'developed'})"
            if after.get("status") == "confirmed"
            else "rejected it"
            if after.get("status") == "rejected"
            else f"decided it (now {after.get('status')})"
        )
    return f"{who} {what} at {ch.at:%H:%M} UTC"


def _check_lease(s: Session, st: ReviewStateRow, user: UserLike, at: datetime) -> None:
    if st.lease_user_id not in (None, user.id) and st.lease_until is not None and st.lease_until > at:
        holder = s.get(UserRow, st.lease_user_id)
        raise LeaseHeld(st.candidate_id, holder.name if holder else f"user {st.lease_user_id}", st.lease_until)
