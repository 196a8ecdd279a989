"""The queue an analyst works through: filters, sorts, pages, the next item, the filter menus.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select

from pipeline.services.review.decisions import _fold
from pipeline.services.review.state import SORTS, STATUSES, ReviewError, UserLike, _user_names
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    DecisionRow,
    DocumentRow,
    PassageRow,
    ReviewStateRow,
    now,
)

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
    return evidence_join(select_)


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
