"""Seeing a country's corpus at a glance: the indicator-by-document coverage matrix (CSV, XLSX,
text) and the passages behind one cell. Reading lists are in ``reading_lists``, the overview
numbers in ``overview``.

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

May import: ``pipeline.services.review``, ``pipeline.storage``, ``pipeline.stages``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pipeline.services.review import ReviewError, match_country, sync_items
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, PassageRow, ReviewStateRow

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


def _year(date: str | None) -> str:
    m = re.match(r"\s*(\d{4})", date or "")
    return m.group(1) if m else "unknown"


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
