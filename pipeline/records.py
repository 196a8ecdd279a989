"""Typed records passed between stages. Every record carries its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DocumentStatus(StrEnum):
    PROCESSED = "processed"
    FAILED = "failed"
    PARKED = "parked"  # failed too many times; left alone until the file changes


class CandidateStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


UNKNOWN_LANGUAGE = "unknown"


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What we know about a document besides its bytes (from a sidecar manifest or the CLI)."""

    title: str | None = None
    country: str | None = None
    level: str | None = None  # "national" | "local"
    date: str | None = None  # ISO date as given
    source_url: str | None = None
    document_type: str | None = None
    language_hint: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """Cleaned text of one page. Passage offsets point into ``text``."""

    number: int  # 1-based
    text: str
    removed_lines: int = 0  # running headers/footers/page numbers dropped
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    sha256: str
    path: str
    size_bytes: int
    n_pages: int
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    source_format: str = "pdf"  # what the bytes are ("pdf", "docx", "html"), whatever the file is named
    reason: str | None = None  # "partial: ..." when some pages could not be read (e.g. not OCRed)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1 or "unknown"
    probability: float

    @property
    def known(self) -> bool:
        return self.code != UNKNOWN_LANGUAGE


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of a document: starts at ``char_start`` on ``page`` and ends at ``char_end`` on
    ``page_end`` (offsets into the respective pages' cleaned text)."""

    document_sha256: str
    index: int  # order within the document
    page: int
    char_start: int
    page_end: int
    char_end: int
    text: str
    language: LanguageGuess
    heading: str | None = None  # e.g. "Article 14" when the passage sits under one

    @property
    def passage_id(self) -> str:
        return f"{self.document_sha256[:16]}:{self.page}:{self.char_start}:{self.page_end}:{self.char_end}"


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    indicator_id: str
    domain: str
    score: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """Classifier output for one text: indicators best first, and the most likely domain."""

    domain: str | None
    domain_score: float
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A suggestion that a passage is evidence for an indicator, with the model that made it."""

    passage_id: str
    indicator_id: str
    domain: str
    score: float
    rank: int
    model_version: str


@dataclass(slots=True)
class DocumentOutcome:
    """What happened to one input file in a run."""

    path: str
    sha256: str | None
    status: str  # "new" | "skipped" | "failed"
    reason: str | None = None
    language: str | None = None
    passages: int = 0
    candidates: int = 0
    candidates_by_domain: dict[str, int] = field(default_factory=dict)
