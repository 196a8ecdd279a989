"""Seeing a country's corpus at a glance: the indicator-by-document coverage matrix, reading lists
and corpus overview numbers.

**Coverage matrix** (one country): rows are the taxonomy's indicators grouped by domain, columns
the country's processed documents (oldest first). A cell holds what the database says about that
indicator in that document, strongest first:

* ``confirmed`` — an analyst confirmed at least one passage as evidence that the thing exists;
* ``gap`` — confirmed passages, all with the polarity "evidence of a gap";
* ``suggested`` — no decision yet, only the classifier's (or a search's) suggestions; the cell
  carries the strongest suggestion's score;
* ``rejected`` — every suggestion there was rejected (or relabelled to another indicator);
* ``none`` — nothing at all.

A confirmed decision counts for the indicator the analyst decided (after any relabelling), not
the one suggested. An indicator with no confirmed evidence and no suggestion anywhere is a likely
"area with potential for further development".

**Reading list**: for an indicator or a domain, the documents ranked by the evidence they hold.
Each indicator in scope adds to a document's score 2 if the document has confirmed evidence for it
(developed or gap), else the score of its strongest pending suggestion (0-1), else nothing; ties
go to the document with more confirmed passages, then more suggested ones. So a law with confirmed
evidence for three indicators of a domain comes before one with a single strong suggestion.

**Overview**: documents per language, type, year and status; passages per language; passages,
candidates and review progress per domain.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import distinct, func, select

from pipeline.services.review import ReviewError, match_country, sync_items
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, EmbeddingRow, PassageRow, ReviewStateRow

STATES = ("confirmed", "gap", "suggested", "rejected", "none")
STATE_LABELS = {
    "confirmed": "confirmed evidence",
    "gap": "confirmed evidence of a gap",
    "suggested": "suggestions only (not reviewed)",
    "rejected": "suggestions rejected",
    "none": "nothing",
}
CONFIRMED_WEIGHT = 2.0
EXCERPT = 240


class CoverageError(ReviewError):
    """Bad input for a coverage view (unknown indicator, domain, country); the message says what to do."""


# --------------------------------------------------------------------------- evidence rows


@dataclass(frozen=True)
class Evidence:
    """What one candidate says about one (indicator, document) pair."""

    candidate_id: int
    indicator: str  # the indicator this contributes to
    state: str  # confirmed | gap | suggested | rejected
    score: float
    passage_id: str
    page: int
    sha256: str
    model_version: str


def _evidence(store: Store, country: str | None = None) -> list[Evidence]:
    """Every candidate of the (country's) processed documents as evidence rows; a relabelled
    confirmation yields a confirmed row for the decided indicator and a rejected one for the
    suggested indicator."""
    sync_items(store)
    q = (
        evidence_join(
            select(
                CandidateRow.id,
                CandidateRow.indicator_id,
                CandidateRow.score,
                CandidateRow.model_version,
                CandidateRow.status,
                ReviewStateRow.status,
                ReviewStateRow.final_indicator,
                ReviewStateRow.polarity,
                PassageRow.id,
                PassageRow.page,
                DocumentRow.sha256,
            ),
            outer=True,
        )
        .where(DocumentRow.status == "processed")
        .order_by(CandidateRow.id)
    )
    if country:
        q = q.where(func.lower(DocumentRow.country) == country.lower())
    out: list[Evidence] = []
    with store.session() as s:
        for cid, ind, score, mv, cstatus, rstatus, final, polarity, pid, page, sha in s.execute(q):
            status = rstatus or cstatus or "pending"
            if status == "confirmed":
                decided = final or ind
                out.append(
                    Evidence(cid, decided, "gap" if polarity == "gap" else "confirmed", score, pid, page, sha, mv)
                )
                if decided != ind:
                    out.append(Evidence(cid, ind, "rejected", score, pid, page, sha, mv))
            elif status == "rejected":
                out.append(Evidence(cid, ind, "rejected", score, pid, page, sha, mv))
            else:  # pending, conflict
                out.append(Evidence(cid, ind, "suggested", score, pid, page, sha, mv))
    return out


# --------------------------------------------------------------------------- the matrix


@dataclass
class Cell:
    confirmed: set[str] = field(default_factory=set)  # passage ids
    gap: set[str] = field(default_factory=set)
    suggested: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    best_score: float | None = None  # strongest pending suggestion
    best_candidate: int | None = None
    candidate_ids: list[int] = field(default_factory=list)

    def add(self, e: Evidence) -> None:
        getattr(self, e.state).add(e.passage_id)
        self.candidate_ids.append(e.candidate_id)
        if e.state == "suggested" and (self.best_score is None or e.score > self.best_score):
            self.best_score, self.best_candidate = float(e.score), e.candidate_id

    @property
    def state(self) -> str:
        for name in ("confirmed", "gap", "suggested", "rejected"):
            if getattr(self, name):
                return name
        return "none"

    def value(self) -> str:
        """The cell as written to CSV/XLSX: the state, or the strongest suggestion's score."""
        st = self.state
        if st == "suggested":
            return f"{self.best_score:.2f}"
        return "" if st == "none" else st

    def summary(self) -> str:
        parts = []
        for name, label in (
            ("confirmed", "confirmed"),
            ("gap", "gap"),
            ("suggested", "suggested"),
            ("rejected", "rejected"),
        ):
            n = len(getattr(self, name))
            if n:
                parts.append(f"{n} {label}")
        if self.best_score is not None:
            parts.append(f"best suggestion {self.best_score:.2f}")
        return ", ".join(parts) or "nothing"


@dataclass
class CoverageDocument:
    sha256: str
    title: str
    filename: str
    date: str | None
    document_type: str | None
    language: str | None
    passages: int

    @property
    def column(self) -> str:
        return f"{self.title} [{self.sha256[:8]}]"


@dataclass
class IndicatorRow:
    id: str
    label: str
    domain: str
    cells: dict[str, Cell]  # document sha256 -> cell (only cells with something)

    def cell(self, sha256: str) -> Cell:
        return self.cells.get(sha256) or Cell()

    @property
    def overall(self) -> str:
        states = {c.state for c in self.cells.values()}
        for name in ("confirmed", "gap", "suggested"):
            if name in states:
                return name
        return "none"

    def count(self, state: str) -> int:
        return sum(1 for c in self.cells.values() if c.state == state)


@dataclass
class DomainGroup:
    id: str
    label: str
    rows: list[IndicatorRow]

    def totals(self) -> dict[str, int]:
        c = Counter(r.overall for r in self.rows)
        return {name: c.get(name, 0) for name in ("confirmed", "gap", "suggested", "none")}


@dataclass
class Coverage:
    country: str
    taxonomy: str
    generated: str
    documents: list[CoverageDocument]
    groups: list[DomainGroup]
    other_indicators: list[str] = field(default_factory=list)  # suggested ids the taxonomy lacks

    @property
    def rows(self) -> list[IndicatorRow]:
        return [r for g in self.groups for r in g.rows]

    def totals(self) -> dict[str, int]:
        c = Counter(r.overall for r in self.rows)
        return {name: c.get(name, 0) for name in ("confirmed", "gap", "suggested", "none")}


def coverage(store: Store, taxonomy: Taxonomy, country: str, language: str = "en") -> Coverage:
    """The coverage matrix of one country (see the module docstring)."""
    country = match_country(store, country)
    with store.session() as s:
        docs = [
            CoverageDocument(sha, title or fn, fn, date, dtype, lang, n)
            for sha, title, fn, date, dtype, lang, n in s.execute(
                select(
                    DocumentRow.sha256,
                    DocumentRow.title,
                    DocumentRow.filename,
                    DocumentRow.date,
                    DocumentRow.document_type,
                    DocumentRow.language,
                    DocumentRow.n_passages,
                )
                .where(func.lower(DocumentRow.country) == country.lower(), DocumentRow.status == "processed")
                .order_by(DocumentRow.date, DocumentRow.title, DocumentRow.sha256)
            )
        ]
    cells: dict[str, dict[str, Cell]] = defaultdict(dict)
    for e in _evidence(store, country):
        cells[e.indicator].setdefault(e.sha256, Cell()).add(e)
    known = set(taxonomy.indicator_ids)
    groups = [
        DomainGroup(
            dom.id,
            dom.label(language),
            [
                IndicatorRow(ind.id, ind.label(language), ind.domain, cells.get(ind.id, {}))
                for ind in taxonomy.indicators
                if ind.domain == dom.id
            ],
        )
        for dom in taxonomy.domains
    ]
    return Coverage(
        country=country,
        taxonomy=taxonomy.key,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        documents=docs,
        groups=groups,
        other_indicators=sorted(i for i in cells if i not in known),
    )


MATRIX_HEAD = [
    "domain",
    "domain_name",
    "indicator",
    "indicator_name",
    "overall",
    "documents_confirmed",
    "documents_suggested",
]


def matrix_rows(cov: Coverage) -> list[list[Any]]:
    """The matrix as rows (header first), as CSV and XLSX write it."""
    out: list[list[Any]] = [MATRIX_HEAD + [d.column for d in cov.documents]]
    for g in cov.groups:
        for r in g.rows:
            out.append(
                [g.id, g.label, r.id, r.label, r.overall, r.count("confirmed") + r.count("gap"), r.count("suggested")]
                + [r.cell(d.sha256).value() for d in cov.documents]
            )
    return out


def to_csv(cov: Coverage) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows(matrix_rows(cov))
    return buf.getvalue()


FILLS = {"confirmed": "2E7D32", "gap": "E65100", "rejected": "EEEEEE"}


def suggestion_colour(score: float) -> str:
    """Blue, darker for a stronger suggestion (hex without #)."""
    t = max(0.0, min(1.0, score))
    r, g, b = (int(round(a + (z - a) * t)) for a, z in zip((227, 242, 253), (21, 101, 192), strict=True))
    return f"{r:02X}{g:02X}{b:02X}"


def to_xlsx(cov: Coverage, path: Path) -> Path:
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font, PatternFill
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise CoverageError("xlsx export needs openpyxl: pip install openpyxl (or use --format csv)") from err

    def clean(v: Any) -> Any:
        return ILLEGAL_CHARACTERS_RE.sub(" ", v) if isinstance(v, str) else v

    wb = Workbook()
    ws = wb.active
    ws.title = "coverage"
    rows = matrix_rows(cov)
    ws.append([clean(v) for v in rows[0]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(text_rotation=60 if cell.column > len(MATRIX_HEAD) else 0, vertical="bottom")
    for r, row in zip(cov.rows, rows[1:], strict=True):
        ws.append([clean(v) for v in row])
        for j, d in enumerate(cov.documents):
            c = r.cell(d.sha256)
            xl = ws.cell(row=ws.max_row, column=len(MATRIX_HEAD) + 1 + j)
            colour = FILLS.get(c.state) or (suggestion_colour(c.best_score or 0) if c.state == "suggested" else None)
            if colour:
                xl.fill = PatternFill("solid", start_color=colour, end_color=colour)
                if c.state in ("confirmed", "gap") or (c.best_score or 0) > 0.6:
                    xl.font = Font(color="FFFFFF")
            if c.state == "suggested":
                xl.value = round(c.best_score or 0.0, 2)
                xl.number_format = "0.00"
    for col, width in zip("ABCDEFG", (7, 28, 9, 48, 10, 10, 10), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(row=2, column=len(MATRIX_HEAD) + 1)
    docs = wb.create_sheet("documents")
    docs.append(["column", "title", "file", "sha256", "date", "type", "language", "passages"])
    for d in cov.documents:
        docs.append(
            [
                clean(x)
                for x in (d.column, d.title, d.filename, d.sha256, d.date, d.document_type, d.language, d.passages)
            ]
        )
    legend = wb.create_sheet("legend")
    legend.append(["cell", "meaning"])
    for st in STATES:
        legend.append(
            [
                st if st != "suggested" else "0.00-1.00",
                STATE_LABELS[st] + (" (the strongest suggestion's score)" if st == "suggested" else ""),
            ]
        )
    legend.append(["country", cov.country])
    legend.append(["taxonomy", cov.taxonomy])
    legend.append(["generated", cov.generated])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def to_text(cov: Coverage, width: int = 100) -> str:
    """A terminal rendering: one character per document (# confirmed, g gap, digit = suggestion
    score in tenths, x rejected, . nothing)."""
    marks = {"confirmed": "#", "gap": "g", "rejected": "x", "none": "."}
    lines = [f"Coverage of {cov.country} ({len(cov.documents)} documents, taxonomy {cov.taxonomy})"]
    for i, d in enumerate(cov.documents, start=1):
        lines.append(f"  {i:>3}. {d.title} ({d.date or 'no date'}, {d.language or '?'})")
    lines.append("  # confirmed  g gap  0-9 suggestion score (tenths)  x rejected  . nothing")
    for g in cov.groups:
        t = g.totals()
        lines.append(
            f"\n{g.id}. {g.label}: {t['confirmed']} confirmed, {t['gap']} gap, "
            f"{t['suggested']} suggestions only, {t['none']} nothing"
        )
        for r in g.rows:
            row = "".join(
                marks.get(c.state) or str(min(9, int((c.best_score or 0) * 10)))
                for c in (r.cell(d.sha256) for d in cov.documents)
            )
            lines.append(f"  {r.id:<7} {r.label[:44]:<44} {r.overall:<10} {row}")
    return "\n".join(lines) + "\n"


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


# --------------------------------------------------------------------------- overview


def _year(date: str | None) -> str:
    m = re.match(r"\s*(\d{4})", date or "")
    return m.group(1) if m else "unknown"


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


# --------------------------------------------------------------------------- one cell


def cell_passages(store: Store, taxonomy: Taxonomy, country: str, indicator: str, sha256: str) -> dict[str, Any]:
    """What stands behind one cell of the matrix: the document, the indicator, and each passage
    with the candidates that put it there (best first)."""
    country = match_country(store, country)
    try:
        ind = taxonomy.indicator(indicator)
        label = ind.label()
    except KeyError:
        label = ""
    rows = [e for e in _evidence(store, country) if e.indicator == indicator and e.sha256 == sha256]
    with store.session() as s:
        doc = s.get(DocumentRow, sha256)
        if doc is None or (doc.country or "").lower() != country.lower():
            raise CoverageError(f"no document {sha256[:12]} among the documents of {country}")
        passages = {
            p.id: p for p in s.scalars(select(PassageRow).where(PassageRow.id.in_(list({e.passage_id for e in rows}))))
        }
    cell = Cell()
    by_passage: dict[str, list[Evidence]] = defaultdict(list)
    for e in rows:
        cell.add(e)
        by_passage[e.passage_id].append(e)
    order = {"confirmed": 0, "gap": 1, "suggested": 2, "rejected": 3}
    items = []
    for pid, evs in by_passage.items():
        p = passages[pid]
        evs.sort(key=lambda e: (order[e.state], -e.score))
        items.append(
            {
                "passage_id": pid,
                "page": p.page,
                "page_end": p.page_end,
                "char_start": p.char_start,
                "char_end": p.char_end,
                "language": p.language,
                "heading": p.heading,
                "text": p.text,
                "state": evs[0].state,
                "candidates": [
                    {
                        "candidate_id": e.candidate_id,
                        "state": e.state,
                        "score": round(float(e.score), 3),
                        "model_version": e.model_version,
                    }
                    for e in evs
                ],
            }
        )
    items.sort(key=lambda it: (order[it["state"]], -max(c["score"] for c in it["candidates"]), it["page"]))
    return {
        "country": country,
        "indicator": indicator,
        "indicator_label": label,
        "document": {
            "sha256": doc.sha256,
            "title": doc.title or doc.filename,
            "filename": doc.filename,
            "date": doc.date,
            "language": doc.language,
            "document_type": doc.document_type,
        },
        "state": cell.state,
        "summary": cell.summary(),
        "passages": items,
    }
