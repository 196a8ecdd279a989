"""Exports of reviewed evidence (CSV, XLSX, JSONL) and of decisions as training annotations.

Every evidence row carries its way back to the source: document title, file, SHA-256, page(s) and
character offsets, plus the indicator decided, its polarity, who decided and when, and the
suggestion that was shown (indicator, score, model version).

Decisions become training examples in the annotation format of ``annotations/seed/*.jsonl``
(``id, text, language, indicators, group, polarity``; ``group`` is the document's SHA-256 so a
document never straddles a train/test split), which ``mgi train --annotations FILE`` reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pipeline.services.review import ReviewError, match_country, sync_items
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.queries import evidence_join
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DecisionRow, DocumentRow, PassageRow, ReviewStateRow, UserRow

FORMATS = ("csv", "xlsx", "jsonl", "training")
EXPORT_COLUMNS = [
    "candidate_id",
    "status",
    "indicator",
    "indicator_name",
    "domain",
    "polarity",
    "note",
    "analyst",
    "decided_at",
    "reviews",
    "suggested_indicator",
    "score",
    "model_version",
    "document_title",
    "document_file",
    "sha256",
    "country",
    "document_date",
    "page",
    "page_end",
    "char_start",
    "char_end",
    "language",
    "passage",
]


class ExportError(ReviewError):
    pass


def evidence_rows(
    store: Store,
    *,
    status: str | None = "confirmed",
    country: str | None = None,
    taxonomy: Taxonomy | None = None,
    language: str = "en",
) -> list[dict[str, Any]]:
    """One row per candidate with the given review status (None or "all": every status), in
    document and page order."""
    sync_items(store)
    if status not in (None, "all", "pending", "confirmed", "rejected", "conflict"):
        raise ExportError(f"unknown status {status!r}: use confirmed, rejected, pending, conflict or all")
    # plain columns, not ORM objects: an export of tens of thousands of rows stays fast
    q = evidence_join(
        select(
            CandidateRow.id,
            CandidateRow.indicator_id,
            CandidateRow.domain,
            CandidateRow.score,
            CandidateRow.model_version,
            ReviewStateRow.status,
            ReviewStateRow.final_indicator,
            ReviewStateRow.polarity,
            ReviewStateRow.note,
            PassageRow.page,
            PassageRow.page_end,
            PassageRow.char_start,
            PassageRow.char_end,
            PassageRow.language,
            PassageRow.text,
            DocumentRow.title,
            DocumentRow.filename,
            DocumentRow.sha256,
            DocumentRow.country,
            DocumentRow.date,
        )
    )
    if status and status != "all":
        q = q.where(ReviewStateRow.status == status)
    if country:
        q = q.where(func.lower(DocumentRow.country) == match_country(store, country).lower())
    q = q.order_by(DocumentRow.title, DocumentRow.sha256, PassageRow.idx, CandidateRow.rank, CandidateRow.id)
    with store.session() as s:
        rows = s.execute(q).all()
        names = dict(s.execute(select(UserRow.id, UserRow.name)).all())
        # who decided and when: each decided item's active decisions, oldest first
        decided = [r.id for r in rows if r.status != "pending"]
        deciders: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for i in range(0, len(decided), 900):
            for cid, uid, at in s.execute(
                select(DecisionRow.candidate_id, DecisionRow.user_id, DecisionRow.decided_at)
                .where(DecisionRow.candidate_id.in_(decided[i : i + 900]), DecisionRow.active.is_(True))
                .order_by(DecisionRow.id)
            ):
                deciders[cid].append((uid, at))
    labels = {i.id: i.label(language) for i in taxonomy.indicators} if taxonomy is not None else {}
    out = []
    for r in rows:
        ds = deciders.get(r.id, [])
        analysts = list(dict.fromkeys(names.get(uid, "?") for uid, _ in reversed(ds)))
        confirmed = r.status == "confirmed"
        # confirmed: the indicator decided (after any relabelling); otherwise the one suggested
        final = (r.final_indicator or r.indicator_id) if confirmed else r.indicator_id
        out.append(
            {
                "candidate_id": r.id,
                "status": r.status,
                "indicator": final,
                "indicator_name": labels.get(final, ""),
                "domain": _domain_of(taxonomy, final) if confirmed else r.domain,
                "polarity": r.polarity or "",
                "note": r.note or "",
                "analyst": ", ".join(analysts),
                "decided_at": ds[-1][1].isoformat(timespec="seconds") if ds else "",
                "reviews": len(analysts),
                "suggested_indicator": r.indicator_id,
                "score": round(float(r.score), 4),
                "model_version": r.model_version,
                "document_title": r.title or r.filename,
                "document_file": r.filename,
                "sha256": r.sha256,
                "country": r.country or "",
                "document_date": r.date or "",
                "page": r.page,
                "page_end": r.page_end,
                "char_start": r.char_start,
                "char_end": r.char_end,
                "language": r.language,
                "passage": r.text,
            }
        )
    return out


def _domain_of(taxonomy: Taxonomy | None, indicator: str) -> str:
    if taxonomy is not None:
        try:
            return taxonomy.indicator(indicator).domain
        except KeyError:
            pass
    return indicator.split(".")[0]


def write_csv(rows: Sequence[dict[str, Any]], fh: io.TextIOBase) -> None:
    w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)


def write_jsonl(rows: Sequence[dict[str, Any]], fh: io.TextIOBase) -> None:
    for r in rows:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_xlsx(rows: Sequence[dict[str, Any]], path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ExportError("xlsx export needs openpyxl: pip install openpyxl (or export csv)") from err
    wb = Workbook()
    ws = wb.active
    ws.title = "evidence"
    ws.append(EXPORT_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        values = []
        for col in EXPORT_COLUMNS:
            v = r.get(col, "")
            values.append(ILLEGAL_CHARACTERS_RE.sub(" ", v) if isinstance(v, str) else v)
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    widths = {
        "passage": 100,
        "document_title": 40,
        "note": 30,
        "model_version": 30,
        "indicator_name": 36,
        "sha256": 18,
        "analyst": 14,
        "decided_at": 20,
    }
    for i, col in enumerate(EXPORT_COLUMNS, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = widths.get(col, max(10, len(col) + 2))
        if col == "passage":
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


# --------------------------------------------------------------------------- training data


def _text_sha1(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def training_examples(
    store: Store, *, country: str | None = None, taxonomy: Taxonomy | None = None
) -> list[dict[str, Any]]:
    """Reviewed passages as annotation examples.

    A passage with at least one confirmed candidate is a positive example for the indicators
    confirmed on it (the final ones, after any relabelling); a passage whose candidates were all
    rejected (none pending) is a negative example (``indicators: []``, ``polarity: null``).
    Passages still partly pending and conflicts are left out."""
    sync_items(store)
    q = evidence_join(
        select(
            CandidateRow.passage_id,
            CandidateRow.score,
            ReviewStateRow.status,
            ReviewStateRow.final_indicator,
            ReviewStateRow.polarity,
            CandidateRow.id,
        )
    )
    if country:
        q = q.where(func.lower(DocumentRow.country) == match_country(store, country).lower())
    by_passage: dict[str, list[Any]] = defaultdict(list)
    with store.session() as s:
        for row in s.execute(q):
            by_passage[row.passage_id].append(row)
        decided_ids = [r.id for rows in by_passage.values() for r in rows if r.status in ("confirmed", "rejected")]
        who: dict[int, set[str]] = defaultdict(set)
        when: dict[int, str] = {}
        names = dict(s.execute(select(UserRow.id, UserRow.name)).all())
        for i in range(0, len(decided_ids), 900):
            for d in s.scalars(
                select(DecisionRow).where(
                    DecisionRow.candidate_id.in_(decided_ids[i : i + 900]), DecisionRow.active.is_(True)
                )
            ):
                who[d.candidate_id].add(names.get(d.user_id, "?"))
                when[d.candidate_id] = max(when.get(d.candidate_id, ""), d.decided_at.date().isoformat())
        keep = [
            pid
            for pid, rows in by_passage.items()
            if any(r.status == "confirmed" for r in rows) or (rows and all(r.status == "rejected" for r in rows))
        ]
        passages = {}
        for i in range(0, len(keep), 900):
            for p, d in s.execute(
                select(PassageRow, DocumentRow)
                .join(DocumentRow, DocumentRow.sha256 == PassageRow.document_sha256)
                .where(PassageRow.id.in_(keep[i : i + 900]))
            ):
                passages[p.id] = (p, d)
    out = []
    for pid in sorted(keep, key=lambda k: (passages[k][0].document_sha256, passages[k][0].idx)):
        p, d = passages[pid]
        rows = sorted(by_passage[pid], key=lambda r: -r.score)
        confirmed = [r for r in rows if r.status == "confirmed"]
        indicators = list(dict.fromkeys(r.final_indicator for r in confirmed if r.final_indicator))
        if taxonomy is not None:
            indicators = [i for i in indicators if i in set(taxonomy.indicator_ids)]
            if confirmed and not indicators:
                continue
        polarity = None
        if indicators:
            votes = Counter(r.polarity or "developed" for r in confirmed)
            polarity = "gap" if votes["gap"] > votes["developed"] else "developed"
        ids = [r.id for r in rows if r.status in ("confirmed", "rejected")]
        out.append(
            {
                "id": f"review-{d.sha256[:12]}-{p.page}-{p.char_start}-{p.page_end}-{p.char_end}",
                "text": p.text,
                "language": p.language,
                "indicators": indicators,
                "polarity": polarity,
                "group": d.sha256,
                "source": "review",
                "doc_type": d.document_type or "",
                "file": d.filename,
                "sha256": d.sha256,
                "page": p.page,
                "char_start": p.char_start,
                "page_end": p.page_end,
                "char_end": p.char_end,
                "text_sha1": _text_sha1(p.text),
                "annotator": ", ".join(sorted(set().union(*(who.get(i, set()) for i in ids)))),
                "date": max((when.get(i, "") for i in ids), default=""),
            }
        )
    return out


def export(
    store: Store,
    fmt: str,
    out: Path | None = None,
    *,
    status: str | None = "confirmed",
    country: str | None = None,
    taxonomy: Taxonomy | None = None,
    language: str = "en",
) -> int:
    """Write an export; returns the number of rows (or examples) written. ``out`` None = stdout
    (not for xlsx)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt == "training":
        rows = training_examples(store, country=country, taxonomy=taxonomy)
        write = write_jsonl
    else:
        rows = evidence_rows(store, status=status, country=country, taxonomy=taxonomy, language=language)
        write = {"csv": write_csv, "jsonl": write_jsonl}.get(fmt)
    if fmt == "xlsx":
        if out is None:
            raise ExportError("xlsx is a binary format: give --out FILE.xlsx")
        write_xlsx(rows, out)
        return len(rows)
    if out is None:
        write(rows, sys.stdout)
        return len(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        write(rows, fh)
    return len(rows)


def render(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    """An export in memory (for the web app's download links)."""
    if fmt == "xlsx":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.xlsx"
            write_xlsx(rows, path)
            return path.read_bytes()
    buf = io.StringIO()
    {"csv": write_csv, "jsonl": write_jsonl, "training": write_jsonl}[fmt](rows, buf)
    return buf.getvalue().encode("utf-8")
