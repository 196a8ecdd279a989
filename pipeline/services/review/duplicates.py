"""Near-duplicate groups among pending items, so a bulk decision can take a group at once.

May import: ``pipeline.storage``, ``pipeline.stages``, ``pipeline.records``, ``pipeline.errors`` and the
other modules of ``pipeline.services.review``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from pipeline.services.review.decisions import _fold
from pipeline.services.review.queue import QueueFilter, _base, _filtered
from pipeline.services.review.state import DUPLICATE_COSINE, _user_names
from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
    DocumentRow,
    EmbeddingRow,
    PassageRow,
    ReviewStateRow,
    now,
)

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
