"""The review core: the queue an analyst works through, leases, decisions, undo, double review,
agreement and near-duplicate groups for bulk decisions. No web or terminal code here: the web app
(``apps.web``) and ``mgi review`` both call these functions.

The unit of review is a *candidate* (one passage suggested for one indicator). Each candidate has
a ``review_state`` row (status, final indicator, polarity, note, a version counter, a lease) and
any number of decisions. The state is always recomputed from the active decisions, so an undo
(which marks a decision inactive and writes a change-log row) restores exactly the state before.

Concurrency: opening an item leases it to one analyst for a few minutes; a decision on an item
leased by someone else is refused (``LeaseHeld``), and a decision made on an outdated view (the
version the analyst saw is not the current one) is refused (``StaleDecision``) with who changed
what and when. Both checks and the write happen in one transaction that holds the database's
write lock, and the state is updated with a compare-and-set on the version.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import and_, distinct, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline.errors import MgiError
from pipeline.records import CandidateStatus
from pipeline.stages.taxonomy import Indicator, Taxonomy
from pipeline.storage.engine import write_session
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    ChangeRow,
    DecisionRow,
    DocumentRow,
    EmbeddingRow,
    PageRow,
    PassageRow,
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


# --------------------------------------------------------------------------- leases


def acquire_lease(
    store: Store,
    user: UserLike,
    candidate_id: int,
    minutes: float = LEASE_MINUTES,
    at: datetime | None = None,
    exclusive: bool = True,
) -> datetime:
    """Lease an item to ``user`` (renewing their own lease); returns when it runs out.

    ``exclusive``: the user's other leases end (one open item per analyst)."""
    at = at or now()
    until = at + timedelta(minutes=minutes)
    with write_session(store) as s:
        st, _cand = _state(s, candidate_id)
        res = s.execute(
            update(ReviewStateRow)
            .where(
                ReviewStateRow.candidate_id == candidate_id,
                or_(
                    ReviewStateRow.lease_user_id.is_(None),
                    ReviewStateRow.lease_user_id == user.id,
                    ReviewStateRow.lease_until.is_(None),
                    ReviewStateRow.lease_until <= at,
                ),
            )
            .values(lease_user_id=user.id, lease_until=until)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            s.refresh(st)
            _check_lease(s, st, user, at)
            raise ReviewError(f"item #{candidate_id} could not be leased; try again")
        if exclusive:
            s.execute(
                update(ReviewStateRow)
                .where(ReviewStateRow.lease_user_id == user.id, ReviewStateRow.candidate_id != candidate_id)
                .values(lease_user_id=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
    return until


def release_lease(store: Store, user: UserLike, candidate_id: int | None = None) -> None:
    """End the user's lease on one item (or all their leases)."""
    with write_session(store) as s:
        q = update(ReviewStateRow).where(ReviewStateRow.lease_user_id == user.id)
        if candidate_id is not None:
            q = q.where(ReviewStateRow.candidate_id == candidate_id)
        s.execute(q.values(lease_user_id=None, lease_until=None).execution_options(synchronize_session=False))


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Outcome:
    candidate_id: int
    status: str
    final_indicator: str | None
    polarity: str | None
    version: int
    change_id: int
    decision_id: int | None = None


def resolve_indicator(taxonomy: Taxonomy, query: str) -> Indicator:
    """An indicator from its id (``1.2.1``), a datalist value (``1.2.1 — name``) or a unique part
    of its name in any language (accents and case ignored)."""
    q = (query or "").strip()
    if not q:
        raise UnknownIndicator("no indicator given: type an id like 1.2.1 or part of its name")
    head = re.split(r"\s+[—–-]\s+", q, maxsplit=1)[0].strip()
    ids = {i.id: i for i in taxonomy.indicators}
    for key in (q, head):
        if key in ids:
            return ids[key]
    needle = _fold(q)
    hits = [i for i in taxonomy.indicators if any(needle in _fold(n) for n in i.name.values())]
    if len(hits) == 1:
        return hits[0]
    if hits:
        shown = "; ".join(f"{i.id} {i.label()}" for i in hits[:5])
        raise UnknownIndicator(
            f"{q!r} matches {len(hits)} indicators ({shown}{' …' if len(hits) > 5 else ''}): type the id"
        )
    raise UnknownIndicator(
        f"unknown indicator {q!r}: type an id like 1.2.1 or part of its name (`mgi indicators` lists them)"
    )


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Case and accents folded (``Régime`` -> ``regime``); other scripts are kept."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def decide(
    store: Store,
    user: UserLike,
    candidate_id: int,
    *,
    version: int,
    status: str,
    indicator: str | None = None,
    polarity: str | None = None,
    note: str | None = None,
    taxonomy: Taxonomy | None = None,
    kind: str = "review",
    at: datetime | None = None,
) -> Outcome:
    """Record a decision on one candidate and update its state.

    ``version`` is the state version the analyst was shown; ``indicator`` (when confirming) the
    final indicator if it differs from the suggestion; ``kind`` ``resolution`` settles a
    double-review conflict (administrators only)."""
    at = at or now()
    if status not in DECISIONS:
        raise ReviewError(f"unknown decision {status!r}: use confirmed or rejected")
    if polarity not in (None, "", *POLARITIES):
        raise ReviewError(f"unknown polarity {polarity!r}: use developed or gap")
    if kind not in ("review", "bulk", "resolution"):
        raise ReviewError(f"unknown decision kind {kind!r}")
    if kind == "resolution" and not _is_admin(user):
        raise NotAllowed("only an administrator can resolve a double-review conflict")
    if indicator and taxonomy is not None:
        indicator = resolve_indicator(taxonomy, indicator).id
    note = (note or "").strip()[:MAX_NOTE] or None
    with write_session(store) as s:
        st, cand = _state(s, candidate_id)
        if taxonomy is not None and status == "confirmed" and not indicator:
            try:
                taxonomy.indicator(cand.indicator_id)
            except KeyError as err:
                raise UnknownIndicator(
                    f"the suggested indicator {cand.indicator_id} is not in the taxonomy in use: choose another one"
                ) from err
        _check_lease(s, st, user, at)
        if st.version != version:
            raise StaleDecision(candidate_id, version, st.version, _explain_since(s, candidate_id, version, user.id))
        confirmed = status == "confirmed"
        d = DecisionRow(
            candidate_id=candidate_id,
            user_id=user.id,
            decided_at=at,
            kind=kind,
            shown_indicator=cand.indicator_id,
            shown_score=cand.score,
            model_version=cand.model_version,
            item_version=version,
            status=status,
            final_indicator=(indicator or cand.indicator_id) if confirmed else None,
            polarity=(polarity or "developed") if confirmed else None,
            note=note,
            active=True,
        )
        s.add(d)
        s.flush()
        new = _recompute(s, st)
        action = {"review": "decide", "bulk": "bulk", "resolution": "resolve"}[kind]
        change = _apply_state(s, st, cand, new, version, user, action, decision_id=d.id)
        return Outcome(
            candidate_id, new["status"], new["final_indicator"], new["polarity"], version + 1, change.id, d.id
        )


UNDOABLE = ("decide", "bulk", "resolve")


def undo(store: Store, user: UserLike, change_id: int | None = None, at: datetime | None = None) -> Outcome:
    """Undo a decision (the user's latest one that is still in force, or the one of ``change_id``).

    The decision is marked inactive, the state is recomputed from the remaining decisions (so it
    returns to what it was before) and the undo itself is a new change-log row."""
    at = at or now()
    with write_session(store) as s:
        q = (
            select(ChangeRow)
            .join(DecisionRow, ChangeRow.decision_id == DecisionRow.id)
            .where(ChangeRow.action.in_(UNDOABLE))
        )
        if change_id is None:
            ch = s.scalar(
                q.where(ChangeRow.user_id == user.id, DecisionRow.active.is_(True))
                .order_by(ChangeRow.id.desc())
                .limit(1)
            )
            if ch is None:
                raise NothingToUndo("nothing to undo: you have no decision in force")
        else:
            ch = s.scalar(q.where(ChangeRow.id == change_id))
            if ch is None:
                raise NothingToUndo(f"change {change_id} is not a decision that can be undone")
            if ch.user_id != user.id and not _is_admin(user):
                raise NotAllowed("you can only undo your own decisions (an administrator can undo anyone's)")
        d = s.get(DecisionRow, ch.decision_id)
        if not d.active:
            raise NothingToUndo(f"that decision on item #{ch.candidate_id} was already undone")
        st, cand = _state(s, ch.candidate_id)
        _check_lease(s, st, user, at)
        d.active, d.undone_at, d.undone_by = False, at, user.id
        s.flush()
        new = _recompute(s, st)
        change = _apply_state(s, st, cand, new, st.version, user, "undo", decision_id=d.id, undoes=ch.id)
        return Outcome(
            cand.id, new["status"], new["final_indicator"], new["polarity"], change.version_after, change.id, d.id
        )


def require_reviews(store: Store, user: UserLike, candidate_ids: Iterable[int], n: int) -> int:
    """Ask for ``n`` independent decisions on these items (administrators only); returns how many changed."""
    if not _is_admin(user):
        raise NotAllowed("only an administrator can change how many reviews an item needs")
    if not 1 <= n <= 5:
        raise ReviewError(f"required reviews must be between 1 and 5, not {n}")
    changed = 0
    with write_session(store) as s:
        for cid in candidate_ids:
            st, cand = _state(s, cid)
            if st.required_reviews == n:
                continue
            new = _recompute(s, st, required=n)
            _apply_state(s, st, cand, new, st.version, user, "require", extra={"required_reviews": n})
            changed += 1
    return changed


@dataclass
class BulkOutcome:
    done: list[Outcome] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def bulk_decide(
    store: Store,
    user: UserLike,
    items: Sequence[tuple[int, int]],
    *,
    status: str,
    polarity: str | None = None,
    note: str | None = None,
    taxonomy: Taxonomy | None = None,
    lease_minutes: float = LEASE_MINUTES,
    at: datetime | None = None,
) -> BulkOutcome:
    """Decide many (candidate id, version seen) items the same way; items leased by someone else
    or changed since they were shown are refused one by one, never overwritten."""
    out = BulkOutcome()
    for cid, version in items:
        try:
            acquire_lease(store, user, cid, lease_minutes, at=at, exclusive=False)
            out.done.append(
                decide(
                    store,
                    user,
                    cid,
                    version=version,
                    status=status,
                    polarity=polarity,
                    note=note,
                    taxonomy=taxonomy,
                    kind="bulk",
                    at=at,
                )
            )
        except ReviewError as err:
            out.refused.append((cid, str(err)))
    return out


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueueFilter:
    country: str | None = None
    document: str | None = None  # SHA-256 (or a prefix) or file name
    domain: str | None = None
    indicator: str | None = None  # suggested or final indicator
    language: str | None = None
    status: str | None = "pending"  # None or "all" = every status
    min_score: float | None = None
    max_score: float | None = None
    model_version: str | None = None

    def as_query(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}
        if self.status is None:
            out["status"] = "all"
        return out


def _base(select_: Any) -> Any:
    return (
        select_.select_from(CandidateRow)
        .join(ReviewStateRow, ReviewStateRow.candidate_id == CandidateRow.id)
        .join(PassageRow, CandidateRow.passage_id == PassageRow.id)
        .join(DocumentRow, PassageRow.document_sha256 == DocumentRow.sha256)
    )


def _filtered(q: Any, f: QueueFilter, with_status: bool = True) -> Any:
    if with_status and f.status and f.status != "all":
        q = q.where(ReviewStateRow.status == f.status)
    if f.country:
        q = q.where(func.lower(DocumentRow.country) == f.country.lower())
    if f.document:
        q = q.where(or_(DocumentRow.sha256.startswith(f.document.lower()), DocumentRow.filename == f.document))
    if f.domain:
        q = q.where(CandidateRow.domain == f.domain)
    if f.indicator:
        q = q.where(or_(CandidateRow.indicator_id == f.indicator, ReviewStateRow.final_indicator == f.indicator))
    if f.language:
        q = q.where(PassageRow.language == f.language)
    if f.min_score is not None:
        q = q.where(CandidateRow.score >= f.min_score)
    if f.max_score is not None:
        q = q.where(CandidateRow.score <= f.max_score)
    if f.model_version:
        q = q.where(CandidateRow.model_version == f.model_version)
    return q


def _sort_keys(sort: str) -> list[Any]:
    if sort not in SORTS:
        raise ReviewError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    return {
        "uncertainty": [ReviewStateRow.margin, CandidateRow.id],
        "score": [-CandidateRow.score, CandidateRow.id],
        "score_asc": [CandidateRow.score, CandidateRow.id],
        "document": [
            func.coalesce(DocumentRow.title, DocumentRow.filename),
            DocumentRow.sha256,
            PassageRow.idx,
            CandidateRow.rank,
            CandidateRow.id,
        ],
    }[sort]


def _after(keys: list[Any], values: Sequence[Any], reverse: bool = False) -> Any:
    """Keyset condition: rows strictly after (before, if ``reverse``) ``values`` in ``keys`` order."""
    clauses = []
    for i, (k, v) in enumerate(zip(keys, values, strict=True)):
        eq = [keys[j] == values[j] for j in range(i)]
        clauses.append(and_(*eq, (k < v) if reverse else (k > v)))
    return or_(*clauses)


def _available(q: Any, user: UserLike, f: QueueFilter, at: datetime) -> Any:
    """Items this user can take now: not leased by someone else; when triaging pending items,
    not ones this user already decided (double review waits for the others)."""
    q = q.where(
        or_(
            ReviewStateRow.lease_user_id.is_(None),
            ReviewStateRow.lease_user_id == user.id,
            ReviewStateRow.lease_until <= at,
        )
    )
    if f.status == "pending":
        mine = (
            select(DecisionRow.id)
            .where(
                DecisionRow.candidate_id == CandidateRow.id,
                DecisionRow.user_id == user.id,
                DecisionRow.active.is_(True),
            )
            .exists()
        )
        q = q.where(~mine)
    return q


@dataclass
class QueuePage:
    items: list[dict[str, Any]]
    total: int  # matching the filter including its status
    counts: dict[str, int]  # by status, for the filter without its status
    offset: int
    limit: int

    @property
    def all_items(self) -> int:
        return sum(self.counts.values())

    @property
    def decided(self) -> int:
        return self.counts.get("confirmed", 0) + self.counts.get("rejected", 0)

    @property
    def progress(self) -> float:
        return self.decided / self.all_items if self.all_items else 0.0


def queue(
    store: Store,
    f: QueueFilter,
    *,
    sort: str = "uncertainty",
    offset: int = 0,
    limit: int = 50,
    at: datetime | None = None,
    excerpt: int = 260,
) -> QueuePage:
    """One page of the queue with counts by status (for progress)."""
    at = at or now()
    keys = _sort_keys(sort)
    cols = (
        CandidateRow.id,
        CandidateRow.indicator_id.label("indicator"),
        CandidateRow.domain,
        CandidateRow.score,
        CandidateRow.model_version,
        ReviewStateRow.status,
        ReviewStateRow.final_indicator,
        ReviewStateRow.polarity,
        ReviewStateRow.margin,
        ReviewStateRow.threshold,
        ReviewStateRow.version,
        ReviewStateRow.required_reviews,
        ReviewStateRow.reviews_done,
        ReviewStateRow.lease_user_id,
        ReviewStateRow.lease_until,
        PassageRow.page,
        PassageRow.page_end,
        PassageRow.language,
        func.substr(PassageRow.text, 1, excerpt).label("excerpt"),
        func.length(PassageRow.text).label("length"),
        DocumentRow.title,
        DocumentRow.filename,
        DocumentRow.sha256,
        DocumentRow.country,
    )
    with store.session() as s:
        names = _user_names(s)
        rows = s.execute(_filtered(_base(select(*cols)), f).order_by(*keys).offset(offset).limit(limit)).all()
        counts = dict(
            s.execute(
                _filtered(_base(select(ReviewStateRow.status, func.count())), f, with_status=False).group_by(
                    ReviewStateRow.status
                )
            ).all()
        )
    total = sum(counts.values()) if not f.status or f.status == "all" else counts.get(f.status, 0)
    items = []
    for r in rows:
        m = r._mapping
        leased = m["lease_user_id"] is not None and m["lease_until"] is not None and m["lease_until"] > at
        items.append(
            {
                **{k: m[k] for k in m if k not in ("lease_user_id", "lease_until")},
                "excerpt": " ".join((m["excerpt"] or "").split()) + ("…" if m["length"] > excerpt else ""),
                "lease_holder": names.get(m["lease_user_id"]) if leased else None,
                "lease_until": m["lease_until"] if leased else None,
            }
        )
    return QueuePage(items, total, {k: counts.get(k, 0) for k in STATUSES}, offset, limit)


def neighbour(
    store: Store,
    user: UserLike,
    f: QueueFilter,
    *,
    sort: str = "uncertainty",
    after: int | None = None,
    reverse: bool = False,
    wrap: bool = True,
    at: datetime | None = None,
    skip: Sequence[int] = (),
) -> int | None:
    """The id of the next (``reverse``: previous) item this user can work on, in queue order,
    after item ``after`` (from the start when None). ``wrap``: go round to the start."""
    at = at or now()
    keys = _sort_keys(sort)
    with store.session() as s:
        base = _available(_filtered(_base(select(CandidateRow.id)), f), user, f, at)
        if skip:
            base = base.where(CandidateRow.id.not_in(list(skip)))
        order = [k.desc() for k in keys] if reverse else keys
        if after is not None:
            current = s.execute(_base(select(*keys)).where(CandidateRow.id == after)).first()
            if current is not None:
                hit = s.scalar(base.where(_after(keys, list(current), reverse)).order_by(*order).limit(1))
                if hit is not None or not wrap:
                    return hit
                base = base.where(CandidateRow.id != after)
        return s.scalar(base.order_by(*order).limit(1))


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


# --------------------------------------------------------------------------- near-duplicates (bulk)


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing folded: equal results mean the same wording."""
    folded = _fold(text)
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _one_blas_thread():  # noqa: ANN202
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext

        return nullcontext()


def group_near_duplicates(
    texts: Sequence[str], vectors: np.ndarray | None, threshold: float = DUPLICATE_COSINE
) -> list[list[int]]:
    """Indices grouped by equal normalised text or cosine >= threshold (rows with a zero vector only
    match by text); singletons included, each group sorted, groups by first member.

    Equal wordings are merged first, so the cosine pass only compares distinct wordings (blocks
    of rows keep memory flat); pairs above the threshold are joined with a union-find."""
    n = len(texts)
    if n == 0:
        return []
    first_of: dict[str, int] = {}
    rep = [first_of.setdefault(normalise_text(t), i) for i, t in enumerate(texts)]
    reps = sorted(set(rep))
    slot = {r: k for k, r in enumerate(reps)}
    parent = list(range(len(reps)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if vectors is not None and len(reps) > 1:
        v = np.asarray(vectors, dtype=np.float32)[reps]
        norms = np.linalg.norm(v, axis=1)
        ok = norms > 1e-9
        v = v / np.maximum(norms, 1e-9)[:, None]
        with _one_blas_thread():  # small products: BLAS threads only contend on a busy machine
            for start in range(0, len(reps), 1024):
                mask = (v[start : start + 1024] @ v.T) >= threshold
                mask &= ok[start : start + 1024, None] & ok[None, :]
                ii, jj = np.nonzero(mask)
                ii += start
                for i, j in zip(ii[jj > ii].tolist(), jj[jj > ii].tolist(), strict=True):
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(slot[rep[i]])].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def near_duplicate_groups(
    store: Store,
    f: QueueFilter,
    *,
    threshold: float = DUPLICATE_COSINE,
    min_size: int = 2,
    max_items: int = 5000,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Groups of items with the same suggested indicator whose passages are near-identical, biggest
    first, for deciding them together in the bulk view."""
    at = at or now()
    cols = (
        CandidateRow.id,
        CandidateRow.indicator_id,
        CandidateRow.score,
        CandidateRow.passage_id,
        ReviewStateRow.version,
        ReviewStateRow.status,
        ReviewStateRow.lease_user_id,
        ReviewStateRow.lease_until,
        PassageRow.text,
        PassageRow.page,
        PassageRow.language,
        DocumentRow.title,
        DocumentRow.filename,
    )
    with store.session() as s:
        rows = s.execute(
            _filtered(_base(select(*cols)), f).order_by(CandidateRow.indicator_id, CandidateRow.id).limit(max_items)
        ).all()
        pids = sorted({r.passage_id for r in rows})
        vecs: dict[str, tuple[str, bytes]] = {}
        for i in range(0, len(pids), 900):
            for pid, enc, blob in s.execute(
                select(EmbeddingRow.passage_id, EmbeddingRow.encoder, EmbeddingRow.vector).where(
                    EmbeddingRow.passage_id.in_(pids[i : i + 900])
                )
            ):
                vecs.setdefault(pid, (enc, blob))
        names = _user_names(s)
    encoder = Counter(e for e, _ in vecs.values()).most_common(1)[0][0] if vecs else None
    by_indicator: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_indicator[r.indicator_id].append(r)
    out = []
    for ind, members in by_indicator.items():
        matrix = None
        if encoder is not None:
            dim = max((len(b) // 4 for e, b in vecs.values() if e == encoder), default=0)
            matrix = np.zeros((len(members), dim), dtype=np.float32)
            for k, r in enumerate(members):
                e, b = vecs.get(r.passage_id, (None, b""))
                if e == encoder and len(b) == dim * 4:
                    matrix[k] = np.frombuffer(b, dtype=np.float32)
        for g in group_near_duplicates([r.text for r in members], matrix, threshold):
            if len(g) < min_size:
                continue
            items = []
            for k in g:
                r = members[k]
                leased = r.lease_user_id is not None and r.lease_until is not None and r.lease_until > at
                items.append(
                    {
                        "id": r.id,
                        "score": r.score,
                        "version": r.version,
                        "status": r.status,
                        "page": r.page,
                        "language": r.language,
                        "title": r.title or r.filename,
                        "text": r.text,
                        "lease_holder": names.get(r.lease_user_id) if leased else None,
                    }
                )
            out.append({"indicator": ind, "size": len(items), "text": members[g[0]].text, "items": items})
    out.sort(key=lambda grp: (-grp["size"], grp["indicator"], grp["items"][0]["id"]))
    return out


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


def match_country(store: Store, country: str) -> str:
    """The stored spelling of a country: equal ignoring case and accents, else the only one that
    contains ``country`` (``Norvania`` finds ``Republic of Norvania``); ReviewError otherwise."""
    with store.session() as s:
        known = [c for (c,) in s.execute(select(distinct(DocumentRow.country)).where(DocumentRow.country.is_not(None)))]
    want = _fold(country.strip())
    exact = [c for c in known if _fold(c) == want]
    hits = exact or [c for c in known if want and want in _fold(c)]
    if len(hits) == 1:
        return hits[0]
    listing = ", ".join(sorted(known)) or "none (documents have no country: set it in the manifest or with --country)"
    if hits:
        raise ReviewError(f"country {country!r} matches several: {', '.join(sorted(hits))}; be more specific")
    raise ReviewError(f"no documents for country {country!r}; countries in the database: {listing}")


def facets(store: Store) -> dict[str, list[Any]]:
    """Values for the queue's filter menus."""
    with store.session() as s:
        return {
            "countries": [
                c
                for (c,) in s.execute(
                    select(distinct(DocumentRow.country))
                    .where(DocumentRow.country.is_not(None))
                    .order_by(DocumentRow.country)
                )
            ],
            "documents": [
                {"sha256": sha, "title": t or fn}
                for sha, t, fn in s.execute(
                    select(DocumentRow.sha256, DocumentRow.title, DocumentRow.filename)
                    .where(DocumentRow.n_candidates > 0)
                    .order_by(DocumentRow.title)
                )
            ],
            "languages": [
                lang
                for (lang,) in s.execute(
                    select(distinct(PassageRow.language))
                    .join(CandidateRow, CandidateRow.passage_id == PassageRow.id)
                    .order_by(PassageRow.language)
                )
            ],
            "model_versions": [
                m
                for (m,) in s.execute(select(distinct(CandidateRow.model_version)).order_by(CandidateRow.model_version))
            ],
        }


__all__ = [
    "LEASE_MINUTES",
    "SORTS",
    "STATUSES",
    "BulkOutcome",
    "LeaseHeld",
    "NotAllowed",
    "NothingToUndo",
    "Outcome",
    "QueueFilter",
    "QueuePage",
    "ReviewError",
    "StaleDecision",
    "UnknownIndicator",
    "UnknownItem",
    "acquire_lease",
    "agreement",
    "bulk_decide",
    "cohen_kappa",
    "counts_by_user",
    "decide",
    "effective_state",
    "facets",
    "group_near_duplicates",
    "history",
    "item_detail",
    "match_country",
    "near_duplicate_groups",
    "neighbour",
    "normalise_text",
    "queue",
    "release_lease",
    "require_reviews",
    "resolve_indicator",
    "sync_items",
    "threshold_resolver",
    "undo",
]
