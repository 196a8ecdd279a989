"""The durable queue: documents, pages, passages, embeddings, candidates and runs in a database.

SQLite (WAL mode) by default; any SQLAlchemy URL through ``MGI_DB_URL``. A document's rows are
written in one transaction, so an interrupted run never leaves half a document behind, and a
document already stored (same SHA-256) is never stored twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pipeline.records import (
    Candidate,
    CandidateStatus,
    Document,
    DocumentMeta,
    DocumentStatus,
    LanguageGuess,
    Page,
    Passage,
)

MAX_ATTEMPTS = 3  # a document failing this many runs is parked until its file changes


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(512))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(128), index=True)
    level: Mapped[str | None] = mapped_column(String(16))
    date: Mapped[str | None] = mapped_column(String(32))
    source_url: Mapped[str | None] = mapped_column(Text)
    document_type: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    language_prob: Mapped[float | None] = mapped_column(Float)
    n_pages: Mapped[int] = mapped_column(Integer, default=0)
    ocr_pages: Mapped[int] = mapped_column(Integer, default=0)
    n_passages: Mapped[int] = mapped_column(Integer, default=0)
    n_candidates: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class PageRow(Base):
    __tablename__ = "pages"
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    removed_lines: Mapped[int] = mapped_column(Integer, default=0)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)


class PassageRow(Base):
    __tablename__ = "passages"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    char_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), index=True)
    language_prob: Mapped[float] = mapped_column(Float)
    heading: Mapped[str | None] = mapped_column(String(128))


class EmbeddingRow(Base):
    __tablename__ = "embeddings"
    passage_id: Mapped[str] = mapped_column(ForeignKey("passages.id"), primary_key=True)
    encoder: Mapped[str] = mapped_column(String(128), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class CandidateRow(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("passage_id", "indicator_id", "model_version", name="uq_candidate"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    passage_id: Mapped[str] = mapped_column(ForeignKey("passages.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(32), index=True)
    domain: Mapped[str] = mapped_column(String(8), index=True)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16), default=CandidateStatus.PENDING.value, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), default="process")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ runs
    def start_run(self, params: dict[str, Any], kind: str = "process") -> int:
        with self.session() as s, s.begin():
            run = RunRow(kind=kind, params=json.loads(json.dumps(params, default=str)))
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, summary: dict[str, Any], status: str = "finished") -> None:
        with self.session() as s, s.begin():
            run = s.get(RunRow, run_id)
            run.finished_at, run.status, run.summary = now(), status, summary

    # ------------------------------------------------------------------ documents
    def document_state(self, sha256: str) -> tuple[str, int] | None:
        with self.session() as s:
            row = s.get(DocumentRow, sha256)
            return (row.status, row.attempts) if row else None

    def should_process(self, sha256: str) -> tuple[bool, str | None]:
        """Whether a file must be processed; if not, why (stored already, or parked)."""
        state = self.document_state(sha256)
        if state is None:
            return True, None
        status, attempts = state
        if status == DocumentStatus.PROCESSED.value:
            return False, "already processed"
        if status == DocumentStatus.PARKED.value or attempts >= MAX_ATTEMPTS:
            return False, f"parked after {attempts} failed attempts"
        return True, None

    def record_failure(
        self, path: str, sha256: str, reason: str, meta: DocumentMeta | None = None, size_bytes: int = 0
    ) -> str:
        """Store a failed attempt (never touching stored passages); returns the new status."""
        meta = meta or DocumentMeta()
        with self.session() as s, s.begin():
            row = s.get(DocumentRow, sha256)
            if row is not None and row.status == DocumentStatus.PROCESSED.value:
                return row.status  # another worker stored it meanwhile: a late failure must not undo that
            if row is None:
                row = DocumentRow(
                    sha256=sha256,
                    path=path,
                    filename=Path(path).name,
                    size_bytes=size_bytes,
                    attempts=0,
                    status=DocumentStatus.FAILED.value,
                )
                _apply_meta(row, meta)
                s.add(row)
            row.attempts = (row.attempts or 0) + 1
            row.path, row.reason = path, reason
            row.status = (DocumentStatus.PARKED if row.attempts >= MAX_ATTEMPTS else DocumentStatus.FAILED).value
            return row.status

    def save_document(
        self,
        doc: Document,
        pages: Sequence[Page],
        language: LanguageGuess,
        passages: Sequence[Passage],
        embeddings: np.ndarray | None,
        encoder_name: str,
        candidates: Iterable[Candidate],
        run_id: int | None = None,
    ) -> int:
        """Write a processed document and everything derived from it in one transaction."""
        cands = list(candidates)
        with self.session() as s, s.begin():
            row = s.get(DocumentRow, doc.sha256)
            if row is not None and row.status == DocumentStatus.PROCESSED.value:
                return 0  # another worker got there first
            if row is None:
                row = DocumentRow(sha256=doc.sha256, attempts=0)
                s.add(row)
            row.path, row.filename, row.size_bytes = doc.path, Path(doc.path).name, doc.size_bytes
            _apply_meta(row, doc.meta)
            row.language, row.language_prob = language.code, language.probability
            row.n_pages, row.ocr_pages = doc.n_pages, sum(p.ocr for p in pages)
            row.n_passages, row.n_candidates = len(passages), len(cands)
            row.status, row.reason = DocumentStatus.PROCESSED.value, None
            row.attempts = (row.attempts or 0) + 1
            s.flush()
            s.add_all(
                PageRow(
                    document_sha256=doc.sha256, number=p.number, text=p.text, removed_lines=p.removed_lines, ocr=p.ocr
                )
                for p in pages
            )
            s.add_all(
                PassageRow(
                    id=p.passage_id,
                    document_sha256=doc.sha256,
                    idx=p.index,
                    page=p.page,
                    char_start=p.char_start,
                    page_end=p.page_end,
                    char_end=p.char_end,
                    text=p.text,
                    language=p.language.code,
                    language_prob=p.language.probability,
                    heading=p.heading,
                )
                for p in passages
            )
            s.flush()
            if embeddings is not None:
                s.add_all(
                    EmbeddingRow(
                        passage_id=p.passage_id, encoder=encoder_name, vector=np.asarray(v, dtype=np.float32).tobytes()
                    )
                    for p, v in zip(passages, embeddings, strict=True)
                )
            s.add_all(
                CandidateRow(
                    passage_id=c.passage_id,
                    indicator_id=c.indicator_id,
                    domain=c.domain,
                    score=c.score,
                    rank=c.rank,
                    model_version=c.model_version,
                    run_id=run_id,
                )
                for c in cands
            )
        return len(cands)

    # ------------------------------------------------------------------ reading
    def status(self, last_runs: int = 5) -> dict[str, Any]:
        with self.session() as s:
            docs = dict(s.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all())
            cands = dict(s.execute(select(CandidateRow.status, func.count()).group_by(CandidateRow.status)).all())
            n_passages = s.scalar(select(func.count()).select_from(PassageRow)) or 0
            langs = dict(s.execute(select(PassageRow.language, func.count()).group_by(PassageRow.language)).all())
            failures = [
                {"path": r.path, "sha256": r.sha256, "status": r.status, "reason": r.reason, "attempts": r.attempts}
                for r in s.scalars(
                    select(DocumentRow)
                    .where(DocumentRow.status != DocumentStatus.PROCESSED.value)
                    .order_by(DocumentRow.updated_at.desc())
                )
            ]
            runs = [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "status": r.status,
                    "started_at": r.started_at.isoformat(timespec="seconds"),
                    "finished_at": r.finished_at.isoformat(timespec="seconds") if r.finished_at else None,
                    "summary": r.summary,
                }
                for r in s.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(last_runs))
            ]
        return {
            "database": self.url,
            "documents": docs,
            "passages": n_passages,
            "passage_languages": langs,
            "candidates": cands,
            "failures": failures,
            "runs": runs,
        }

    def documents(self) -> list[dict[str, Any]]:
        with self.session() as s:
            return [
                {
                    "path": r.path,
                    "sha256": r.sha256,
                    "status": r.status,
                    "reason": r.reason,
                    "title": r.title,
                    "country": r.country,
                    "level": r.level,
                    "language": r.language,
                    "pages": r.n_pages,
                    "ocr_pages": r.ocr_pages,
                    "passages": r.n_passages,
                    "candidates": r.n_candidates,
                    "attempts": r.attempts,
                }
                for r in s.scalars(select(DocumentRow).order_by(DocumentRow.path))
            ]

    def candidates(
        self,
        *,
        status: str | None = None,
        domain: str | None = None,
        indicator: str | None = None,
        country: str | None = None,
        language: str | None = None,
        min_score: float | None = None,
        document: str | None = None,
        limit: int | None = 50,
    ) -> list[dict[str, Any]]:
        q = (
            select(CandidateRow, PassageRow, DocumentRow)
            .join(PassageRow, CandidateRow.passage_id == PassageRow.id)
            .join(DocumentRow, PassageRow.document_sha256 == DocumentRow.sha256)
        )
        if status:
            q = q.where(CandidateRow.status == status)
        if domain:
            q = q.where(CandidateRow.domain == domain)
        if indicator:
            q = q.where(CandidateRow.indicator_id == indicator)
        if country:
            q = q.where(func.lower(DocumentRow.country) == country.lower())
        if language:
            q = q.where(PassageRow.language == language)
        if min_score is not None:
            q = q.where(CandidateRow.score >= min_score)
        if document:
            q = q.where((DocumentRow.sha256.startswith(document)) | (DocumentRow.filename == document))
        q = q.order_by(CandidateRow.score.desc(), CandidateRow.id)
        if limit:
            q = q.limit(limit)
        with self.session() as s:
            return [
                {
                    "id": c.id,
                    "indicator": c.indicator_id,
                    "domain": c.domain,
                    "score": c.score,
                    "rank": c.rank,
                    "status": c.status,
                    "model_version": c.model_version,
                    "passage_id": p.id,
                    "page": p.page,
                    "page_end": p.page_end,
                    "char_start": p.char_start,
                    "char_end": p.char_end,
                    "language": p.language,
                    "text": p.text,
                    "document": d.filename,
                    "title": d.title,
                    "country": d.country,
                    "sha256": d.sha256,
                }
                for c, p, d in s.execute(q).all()
            ]

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (
                    ("documents", DocumentRow),
                    ("pages", PageRow),
                    ("passages", PassageRow),
                    ("embeddings", EmbeddingRow),
                    ("candidates", CandidateRow),
                )
            }


def _apply_meta(row: DocumentRow, meta: DocumentMeta) -> None:
    row.title = meta.title or row.title or Path(row.path or "").stem
    row.country, row.level, row.date = meta.country or row.country, meta.level or row.level, meta.date or row.date
    row.source_url = meta.source_url or row.source_url
    row.document_type = meta.document_type or row.document_type
