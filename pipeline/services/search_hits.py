"""What a semantic search returns: hits (a passage with its document, pages, score and the
sentences that match best), the sentences of a passage, and the suggestions already queued for a
passage.

May import: ``pipeline.storage``, numpy, SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import (
    select,
)

from pipeline.storage.store import Store
from pipeline.storage.tables import (
    CandidateRow,
)

# --------------------------------------------------------------------------- results

MAX_SENTENCES = 40


@dataclass
class Highlight:
    start: int  # offsets into the passage text
    end: int
    similarity: float


@dataclass
class SearchHit:
    rank: int
    passage_id: str
    similarity: float
    document_sha256: str
    document_title: str
    document_file: str
    country: str | None
    document_type: str | None
    document_date: str | None
    page: int
    page_end: int
    char_start: int
    char_end: int
    language: str
    heading: str | None
    text: str
    highlight: Highlight | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pages(self) -> str:
        return f"p. {self.page}" if self.page == self.page_end else f"pp. {self.page}-{self.page_end}"

    def parts(self) -> tuple[str, str, str]:
        """The passage as (before, matched sentence, after)."""
        if self.highlight is None:
            return self.text, "", ""
        h = self.highlight
        return self.text[: h.start], self.text[h.start : h.end], self.text[h.end :]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlight_text"] = self.parts()[1]
        return data


@dataclass
class SyncReport:
    encoder: str
    action: str  # "up to date" | "loaded" | "added" | "rebuilt"
    count: int
    added: int = 0
    seconds: float = 0.0
    reason: str | None = None
    path: str | None = None


# --------------------------------------------------------------------------- sentences


_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?;])\s+(?=[\"'«“(¿¡]?(?:[A-ZÀ-ÖØ-ÞĀ-Ž]|\d+[.)]\s))"  # end punctuation, then a capital or "2."
    r"|\n\s*(?=\(?[0-9a-zivx]{1,4}[.)]\s)"  # a numbered item on a new line
    r"|\n\s*\n"  # a blank line
)


_MARKER = re.compile(r"\(?[0-9a-zivx]{1,4}[.)]")


def sentence_spans(text: str, min_chars: int = 25) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``; fragments shorter than ``min_chars`` join the
    previous sentence."""
    spans: list[list[int]] = []
    pos = 0
    for m in _SENTENCE_BREAK.finditer(text):
        spans.append([pos, m.start()])
        pos = m.end()
    spans.append([pos, len(text)])
    merged: list[list[int]] = []
    carry: int | None = None  # start of a bare item marker ("2.") that belongs to the next sentence
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if _MARKER.fullmatch(text[s:e]):
            carry = s if carry is None else carry
            continue
        if carry is not None:
            s, carry = carry, None
        if merged and (e - s < min_chars or merged[-1][1] - merged[-1][0] < min_chars):
            merged[-1][1] = e
        else:
            merged.append([s, e])
    if carry is not None:
        if merged:
            merged[-1][1] = len(text.rstrip())
        else:
            merged.append([carry, len(text.rstrip())])
    if len(merged) > MAX_SENTENCES:  # very long passages: keep the budget, merge the tail
        merged = merged[: MAX_SENTENCES - 1] + [[merged[MAX_SENTENCES - 1][0], merged[-1][1]]]
    return [(s, e) for s, e in merged] or [(0, len(text))]


def passage_suggestions(store: Store, passage_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The current indicator suggestions of some passages, best first, with their review status."""
    from pipeline.storage.tables import ReviewStateRow

    out: dict[str, list[dict[str, Any]]] = {}
    if not passage_ids:
        return out
    with store.session() as s:
        rows = s.execute(
            select(CandidateRow, ReviewStateRow)
            .outerjoin(ReviewStateRow, ReviewStateRow.candidate_id == CandidateRow.id)
            .where(CandidateRow.passage_id.in_(list(passage_ids)))
            .order_by(CandidateRow.score.desc(), CandidateRow.id)
        ).all()
    for c, st in rows:
        status = st.status if st is not None else c.status
        out.setdefault(c.passage_id, []).append(
            {
                "candidate_id": c.id,
                "indicator": c.indicator_id,
                "domain": c.domain,
                "score": round(float(c.score), 4),
                "status": status,
                "final_indicator": (st.final_indicator if st is not None else None) if status == "confirmed" else None,
                "polarity": st.polarity if st is not None and status == "confirmed" else None,
                "model_version": c.model_version,
            }
        )
    return out
