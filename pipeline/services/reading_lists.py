"""Reading lists: the documents of a country (or all) ranked by the evidence they hold for one
indicator or a whole domain, with the best passages of each.

for an indicator or a domain, the documents ranked by the evidence they hold.
Each indicator in scope adds to a document's score 2 if the document has confirmed evidence for it
(developed or gap), else the score of its strongest pending suggestion (0-1), else nothing; ties
go to the document with more confirmed passages, then more suggested ones. So a law with confirmed
evidence for three indicators of a domain comes before one with a single strong suggestion.

May import: ``pipeline.services.coverage``, ``pipeline.services.review``, ``pipeline.storage``,
``pipeline.stages``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pipeline.services.coverage import CONFIRMED_WEIGHT, EXCERPT, Cell, CoverageError, Evidence, _evidence, _year
from pipeline.services.review import match_country
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.store import Store
from pipeline.storage.tables import DocumentRow, PassageRow

# --------------------------------------------------------------------------- reading lists


@dataclass
class ReadingEntry:
    rank: int
    sha256: str
    title: str
    filename: str
    country: str | None
    date: str | None
    document_type: str | None
    language: str | None
    score: float
    confirmed_passages: int
    suggested_passages: int
    indicators: list[dict[str, Any]]  # [{id, state, score}] per indicator in scope with something
    passages: list[dict[str, Any]]  # the best few: candidate_id, indicator, state, score, page, excerpt


@dataclass
class ReadingList:
    scope: str  # "indicator 1.1.1 ..." / "domain 1 ..."
    indicator_ids: list[str]
    country: str | None
    entries: list[ReadingEntry]


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


def _scope(taxonomy: Taxonomy, indicator: str | None, domain: str | None, language: str) -> tuple[str, list[str]]:
    if bool(indicator) == bool(domain):
        raise CoverageError("give either an indicator or a domain (not both)")
    if indicator:
        from pipeline.services.review import resolve_indicator

        ind = resolve_indicator(taxonomy, indicator)
        return f"indicator {ind.id} {ind.label(language)}", [ind.id]
    dom = str(domain).strip()
    if dom not in taxonomy.domain_ids:
        raise CoverageError(f"unknown domain {domain!r}: domains are {', '.join(taxonomy.domain_ids)}")
    return (
        f"domain {dom} {taxonomy.domain(dom).label(language)}",
        [i.id for i in taxonomy.indicators if i.domain == dom],
    )


def reading_list(
    store: Store,
    taxonomy: Taxonomy,
    *,
    indicator: str | None = None,
    domain: str | None = None,
    country: str | None = None,
    limit: int = 20,
    language: str = "en",
) -> ReadingList:
    """Documents ranked by the evidence they hold for an indicator or a domain (module docstring)."""
    scope, ids = _scope(taxonomy, indicator, domain, language)
    if country:
        country = match_country(store, country)
    wanted = set(ids)
    per_doc: dict[str, dict[str, Cell]] = defaultdict(dict)
    best: dict[str, list[Evidence]] = defaultdict(list)
    for e in _evidence(store, country):
        if e.indicator in wanted:
            per_doc[e.sha256].setdefault(e.indicator, Cell()).add(e)
            if e.state != "rejected":
                best[e.sha256].append(e)
    scored = []
    for sha, cells in per_doc.items():
        score = 0.0
        for c in cells.values():
            if c.state in ("confirmed", "gap"):
                score += CONFIRMED_WEIGHT
            elif c.state == "suggested":
                score += c.best_score or 0.0
        confirmed = len(set().union(*(c.confirmed | c.gap for c in cells.values())))
        suggested = len(set().union(*(c.suggested for c in cells.values())))
        if score > 0:
            scored.append((sha, score, confirmed, suggested, cells))
    with store.session() as s:
        meta = {
            d.sha256: d for d in s.scalars(select(DocumentRow).where(DocumentRow.sha256.in_([x[0] for x in scored])))
        }

    def year(sha: str) -> int:
        y = _year(meta[sha].date)
        return int(y) if y.isdigit() else 0

    scored.sort(key=lambda x: (-x[1], -x[2], -x[3], -year(x[0]), x[0]))  # newer first among equals
    scored = scored[: max(1, limit)]
    order = {"confirmed": 0, "gap": 1, "suggested": 2}
    picks: dict[str, list[Evidence]] = {}
    for sha, *_rest in scored:
        seen, chosen = set(), []
        for e in sorted(best[sha], key=lambda e: (order[e.state], -e.score, e.page)):
            if e.passage_id not in seen:
                seen.add(e.passage_id)
                chosen.append(e)
            if len(chosen) == 3:
                break
        picks[sha] = chosen
    texts: dict[str, str] = {}
    pids = [e.passage_id for es in picks.values() for e in es]
    with store.session() as s:
        for i in range(0, len(pids), 500):
            texts.update(
                s.execute(select(PassageRow.id, PassageRow.text).where(PassageRow.id.in_(pids[i : i + 500]))).all()
            )
    entries = []
    for rank, (sha, score, confirmed, suggested, cells) in enumerate(scored, start=1):
        d = meta[sha]
        entries.append(
            ReadingEntry(
                rank=rank,
                sha256=sha,
                title=d.title or d.filename,
                filename=d.filename,
                country=d.country,
                date=d.date,
                document_type=d.document_type,
                language=d.language,
                score=round(score, 3),
                confirmed_passages=confirmed,
                suggested_passages=suggested,
                indicators=[
                    {"id": iid, "state": c.state, "score": None if c.best_score is None else round(c.best_score, 3)}
                    for iid, c in sorted(cells.items(), key=lambda kv: (order.get(kv[1].state, 3), kv[0]))
                    if c.state != "rejected"
                ],
                passages=[
                    {
                        "candidate_id": e.candidate_id,
                        "indicator": e.indicator,
                        "state": e.state,
                        "score": round(float(e.score), 3),
                        "page": e.page,
                        "passage_id": e.passage_id,
                        "excerpt": _excerpt(texts.get(e.passage_id, "")),
                    }
                    for e in picks[sha]
                ],
            )
        )
    return ReadingList(scope, ids, country, entries)
