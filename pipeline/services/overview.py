"""The overview of a corpus in numbers, for the dashboard and ``mgi overview``: documents per
language, type, year and status; passages per language; passages, candidates and review progress
per domain.

May import: ``pipeline.services.coverage``, ``pipeline.services.review``, ``pipeline.storage``,
``pipeline.stages``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import distinct, func, select

from pipeline.services.coverage import _evidence, _year
from pipeline.services.review import match_country, sync_items
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, EmbeddingRow, PassageRow, ReviewStateRow

# --------------------------------------------------------------------------- overview


def _count(rows: Iterable[tuple[Any, int]], default: str = "unknown") -> dict[str, int]:
    c: Counter[str] = Counter()
    for key, n in rows:
        c[str(key) if key not in (None, "") else default] += n
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def overview(store: Store, taxonomy: Taxonomy, country: str | None = None, language: str = "en") -> dict[str, Any]:
    """The corpus in numbers (for ``mgi overview`` and the dashboard)."""
    sync_items(store)
    if country:
        country = match_country(store, country)
    in_country = (func.lower(DocumentRow.country) == country.lower()) if country else None

    def docs_where(q: Any) -> Any:
        return q.where(in_country) if in_country is not None else q

    with store.session() as s:
        by_status = _count(s.execute(docs_where(select(DocumentRow.status, func.count()).group_by(DocumentRow.status))))
        processed = docs_where(select(DocumentRow).where(DocumentRow.status == "processed")).subquery()
        by_language = _count(s.execute(select(processed.c.language, func.count()).group_by(processed.c.language)))
        by_type = _count(s.execute(select(processed.c.document_type, func.count()).group_by(processed.c.document_type)))
        years: Counter[str] = Counter()
        for date, n in s.execute(select(processed.c.date, func.count()).group_by(processed.c.date)):
            years[_year(date)] += n
        by_country = _count(s.execute(select(processed.c.country, func.count()).group_by(processed.c.country)))
        pq = select(PassageRow.language, func.count()).join(
            DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256
        )
        passages_by_language = _count(s.execute(docs_where(pq).group_by(PassageRow.language)))
        eq = select(EmbeddingRow.encoder, func.count()).join(PassageRow, PassageRow.id == EmbeddingRow.passage_id)
        eq = eq.join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
        embeddings = _count(s.execute(docs_where(eq).group_by(EmbeddingRow.encoder)))
        base = evidence_join(
            select(
                CandidateRow.domain,
                func.coalesce(ReviewStateRow.status, CandidateRow.status),
                func.count(),
                func.count(distinct(CandidateRow.passage_id)),
            ),
            outer=True,
        )
        cand_rows = s.execute(
            docs_where(base).group_by(CandidateRow.domain, func.coalesce(ReviewStateRow.status, CandidateRow.status))
        ).all()
        pdq = (
            select(CandidateRow.domain, func.count(distinct(CandidateRow.passage_id)))
            .join(PassageRow, PassageRow.id == CandidateRow.passage_id)
            .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
        )
        passages_per_domain = dict(s.execute(docs_where(pdq).group_by(CandidateRow.domain)).all())
    domains = []
    cov_states: dict[str, Counter[str]] = defaultdict(Counter)
    per_indicator: dict[str, set[str]] = defaultdict(set)
    for e in _evidence(store, country):
        per_indicator[e.indicator].add(e.state)
    for ind in taxonomy.indicators:
        states = per_indicator.get(ind.id, set())
        overall = next((x for x in ("confirmed", "gap", "suggested") if x in states), "none")
        cov_states[ind.domain][overall] += 1
    by_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for dom, status, n, _np in cand_rows:
        by_domain[str(dom)][status or "pending"] += n
    for dom in taxonomy.domains:
        c = by_domain.get(dom.id, Counter())
        total = sum(c.values())
        decided = c.get("confirmed", 0) + c.get("rejected", 0)
        domains.append(
            {
                "id": dom.id,
                "name": dom.label(language),
                "indicators": sum(1 for i in taxonomy.indicators if i.domain == dom.id),
                "passages": int(passages_per_domain.get(dom.id, 0)),
                "candidates": total,
                "pending": c.get("pending", 0),
                "confirmed": c.get("confirmed", 0),
                "rejected": c.get("rejected", 0),
                "conflict": c.get("conflict", 0),
                "reviewed_share": round(decided / total, 4) if total else 0.0,
                "indicator_coverage": {
                    k: cov_states[dom.id].get(k, 0) for k in ("confirmed", "gap", "suggested", "none")
                },
            }
        )
    n_docs = sum(by_status.values())
    return {
        "country": country,
        "taxonomy": taxonomy.key,
        "documents": {
            "total": n_docs,
            "by_status": by_status,
            "by_language": by_language,
            "by_type": by_type,
            "by_year": dict(sorted(years.items())),
            "by_country": by_country,
        },
        "passages": {"total": sum(passages_by_language.values()), "by_language": passages_by_language},
        "embeddings": embeddings,
        "candidates": {
            "total": sum(d["candidates"] for d in domains),
            "by_status": {k: sum(d[k] for d in domains) for k in ("pending", "confirmed", "rejected", "conflict")},
        },
        "domains": domains,
    }
