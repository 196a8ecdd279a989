"""Decisions: deciding an item (checks and write in one transaction holding the write lock, the
state updated with a compare-and-set on the version; a decision on an outdated view is refused with
``StaleDecision``), undo (a new change-log row, nothing deleted), double review and bulk decisions.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from pipeline.services.review.leases import acquire_lease
from pipeline.services.review.state import (
    DECISIONS,
    LEASE_MINUTES,
    MAX_NOTE,
    POLARITIES,
    NotAllowed,
    NothingToUndo,
    ReviewError,
    StaleDecision,
    UnknownIndicator,
    UserLike,
    _apply_state,
    _check_lease,
    _explain_since,
    _is_admin,
    _recompute,
    _state,
)
from pipeline.stages.taxonomy import Indicator, Taxonomy
from pipeline.storage.engine import write_session
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    ChangeRow,
    DecisionRow,
    now,
)

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
