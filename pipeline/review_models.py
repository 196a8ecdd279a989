"""Tables of the review layer: accounts, sessions, the review state of each candidate, decisions
and the change log. They live on the same declarative ``Base`` as the queue (``pipeline.store``);
callers make sure they exist with ``ensure_review_schema(store)``.

Nothing here is ever deleted: a decision that is undone is marked inactive and the undo is a new
row in the change log; a user who leaves is disabled, not removed; a session that ends is marked
ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.store import Base, Store, now

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


def ensure_review_schema(store: Store) -> Store:
    """Create the review tables if they are missing (idempotent); returns the store."""
    if not getattr(store, "_review_schema", False):
        Base.metadata.create_all(store.engine, tables=REVIEW_TABLES)
        store._review_schema = True  # type: ignore[attr-defined]
    return store


class _WriteSession:
    """A session whose transaction takes the database's write lock up front (SQLite: BEGIN
    IMMEDIATE), so read-check-write sequences of two analysts are serialised instead of failing
    with "database is locked" when the second one tries to upgrade a stale read. Other databases
    rely on the conditional UPDATEs the callers make."""

    def __init__(self, store: Store) -> None:
        from sqlalchemy.orm import Session

        self.session = Session(store.engine, expire_on_commit=False)
        self.sqlite = store.engine.dialect.name == "sqlite"

    def __enter__(self):  # noqa: ANN204
        if self.sqlite:
            self.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return self.session

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        try:
            if exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()


def write_session(store: Store) -> _WriteSession:
    """``with write_session(store) as s: ...`` commits on success, rolls back on any error."""
    return _WriteSession(store)
