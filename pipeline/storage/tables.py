"""Every table of the database, declared once on one ``Base``: the queue (documents, pages,
passages, embeddings, candidates, runs), the review layer (users, sessions, review state,
decisions, the change log) and search (index bookkeeping, candidates sent from search results).

Alembic migrations (``pipeline/storage/migrations``) are the only way these tables are created or
changed; ``tests/pipeline/storage/test_migrations.py`` fails while this module and the revisions
disagree. Nothing of the review layer is ever deleted: an undone decision is marked inactive and
the undo is a new row in the change log; a user who leaves is disabled; a session that ends is
marked ended.

May import: SQLAlchemy, ``pipeline.records``; nothing else of the project.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipeline.records import CandidateStatus

INDEX_KIND = "faiss-hnsw"  # the kind of search index (pipeline.services.search)
RUN_RUNNING, RUN_FINISHED, RUN_INTERRUPTED, RUN_FAILED = "running", "finished", "interrupted", "failed"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    title: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text, index=True)
    level: Mapped[str | None] = mapped_column(String(16))
    date: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    document_type: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(Text)
    language_prob: Mapped[float | None] = mapped_column(Float)
    n_pages: Mapped[int] = mapped_column(Integer, default=0)
    ocr_pages: Mapped[int] = mapped_column(Integer, default=0)
    n_passages: Mapped[int] = mapped_column(Integer, default=0)
    n_candidates: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))  # the last run that attempted it
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
    language: Mapped[str] = mapped_column(Text, index=True)
    language_prob: Mapped[float] = mapped_column(Float)
    heading: Mapped[str | None] = mapped_column(Text)


class EmbeddingRow(Base):
    __tablename__ = "embeddings"
    passage_id: Mapped[str] = mapped_column(ForeignKey("passages.id"), primary_key=True)
    encoder: Mapped[str] = mapped_column(String(512), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class CandidateRow(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("passage_id", "indicator_id", "model_version", name="uq_candidate"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    passage_id: Mapped[str] = mapped_column(ForeignKey("passages.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(64), index=True)
    domain: Mapped[str] = mapped_column(String(32), index=True)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(512), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CandidateStatus.PENDING.value, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), default="process")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=RUN_RUNNING, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    host: Mapped[str | None] = mapped_column(String(255))  # where the run's process lives
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)  # refreshed while the run is alive


# --------------------------------------------------------------------------- review


ROLES = ("analyst", "admin")


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default="analyst")
    password: Mapped[str] = mapped_column(String(256))  # "scrypt$n$r$p$salt_hex$hash_hex"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class SessionRow(Base):
    """A login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReviewStateRow(Base):
    """Where one candidate stands. ``version`` goes up with every change of the decision state
    (decision, undo, number of reviews required), so a decision made on an outdated view is refused."""

    __tablename__ = "review_state"
    __table_args__ = (Index("ix_review_state_status_margin", "status", "margin"),)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    status: Mapped[str] = mapped_column(
        String(16), default="pending", index=True
    )  # pending|confirmed|rejected|conflict
    final_indicator: Mapped[str | None] = mapped_column(String(32), index=True)
    polarity: Mapped[str | None] = mapped_column(String(16))  # developed | gap
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    required_reviews: Mapped[int] = mapped_column(Integer, default=1)
    reviews_done: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[float] = mapped_column(Float, default=0.5)
    margin: Mapped[float] = mapped_column(Float, default=0.0)  # |score - threshold|: small = uncertain
    lease_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DecisionRow(Base):
    """One analyst's decision on one candidate, with what the analyst was shown."""

    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="review")  # review | bulk | resolution
    # what was shown
    shown_indicator: Mapped[str] = mapped_column(String(32))
    shown_score: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(160))
    item_version: Mapped[int] = mapped_column(Integer)  # the state version the analyst saw
    # what was decided
    status: Mapped[str] = mapped_column(String(16))  # confirmed | rejected
    final_indicator: Mapped[str | None] = mapped_column(String(32))
    polarity: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    # undo marks a decision inactive (the undo itself is a change-log row)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ChangeRow(Base):
    """The change log: every change of a candidate's review state, before and after."""

    __tablename__ = "review_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    action: Mapped[str] = mapped_column(String(24))  # decide | bulk | resolve | undo | require
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id"))
    undoes_change_id: Mapped[int | None] = mapped_column(ForeignKey("review_changes.id"))
    version_before: Mapped[int] = mapped_column(Integer)
    version_after: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


REVIEW_TABLES = [
    UserRow.__table__,
    SessionRow.__table__,
    ReviewStateRow.__table__,
    DecisionRow.__table__,
    ChangeRow.__table__,
]


# --------------------------------------------------------------------------- search


class SearchIndexRow(Base):
    """Which index file is current for one encoder and index folder."""

    __tablename__ = "search_indexes"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # hash of encoder + folder
    encoder: Mapped[str] = mapped_column(String(512), index=True)
    directory: Mapped[str] = mapped_column(Text)
    generation: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
    dim: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64), default=INDEX_KIND)
    built_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class SearchEntryRow(Base):
    """Index position -> passage, per index, with the passage's language and document copied in
    (both never change) so language and country filters are range scans on this table."""

    __tablename__ = "search_index_entries"
    __table_args__ = (
        Index("ix_search_entries_passage", "key", "passage_id", unique=True),
        Index("ix_search_entries_language", "key", "language"),
        Index("ix_search_entries_document", "key", "document_sha256"),
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    passage_id: Mapped[str] = mapped_column(String(96))
    language: Mapped[str | None] = mapped_column(String(16))
    document_sha256: Mapped[str | None] = mapped_column(String(64))


class SearchSendRow(Base):
    """Provenance of a candidate added from a search result."""

    __tablename__ = "search_sends"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    passage_id: Mapped[str] = mapped_column(String(96))
    indicator_id: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(Text)
    encoder: Mapped[str] = mapped_column(String(512))
    similarity: Mapped[float | None] = mapped_column(Float)
    result_rank: Mapped[int | None] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16), default="cli")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


SEARCH_TABLES = [SearchIndexRow.__table__, SearchEntryRow.__table__, SearchSendRow.__table__]
