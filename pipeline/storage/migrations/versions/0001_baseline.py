"""Baseline: every table of the queue (documents, pages, passages, embeddings, candidates, runs) and of
the review layer (users, sessions, review state, decisions, change log).

Idempotent, so it also adopts a database created before migrations existed (by ``create_all``):
a table that exists is left as it is, and the columns and indexes added since are created.
Later changes are new revisions, never edits of this one.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipeline.storage.migrations.ops import create_table_if_missing

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# columns added to tables of the pre-migration schema (commit ecc579d), for adopting such a database
def _added_columns(table: str) -> list[sa.Column]:
    return {
        "documents": [sa.Column("run_id", sa.Integer(), nullable=True)],
        "runs": [
            sa.Column("host", sa.String(length=255), nullable=True),
            sa.Column("pid", sa.Integer(), nullable=True),
            sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        ],
    }.get(table, [])


def _table(name: str, *elements: object, indexes: tuple[tuple[str, list[str], bool], ...] = ()) -> None:
    create_table_if_missing(name, *elements, indexes=indexes, added_columns=_added_columns(name))


def upgrade() -> None:
    _table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_runs_status", ["status"], False),),
    )
    _table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password", sa.String(length=256), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_users_name", ["name"], True),),
    )
    _table(
        "documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("date", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("document_type", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("language_prob", sa.Float(), nullable=True),
        sa.Column("n_pages", sa.Integer(), nullable=False),
        sa.Column("ocr_pages", sa.Integer(), nullable=False),
        sa.Column("n_passages", sa.Integer(), nullable=False),
        sa.Column("n_candidates", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
        sa.PrimaryKeyConstraint("sha256"),
        indexes=(
            ("ix_documents_country", ["country"], False),
            ("ix_documents_status", ["status"], False),
        ),
    )
    _table(
        "user_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
        indexes=(("ix_user_sessions_user_id", ["user_id"], False),),
    )
    _table(
        "pages",
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("removed_lines", sa.Integer(), nullable=False),
        sa.Column("ocr", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["document_sha256"], ["documents.sha256"]),
        sa.PrimaryKeyConstraint("document_sha256", "number"),
    )
    _table(
        "passages",
        sa.Column("id", sa.String(length=96), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("page_end", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("language_prob", sa.Float(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_sha256"], ["documents.sha256"]),
        sa.PrimaryKeyConstraint("id"),
        indexes=(
            ("ix_passages_document_sha256", ["document_sha256"], False),
            ("ix_passages_language", ["language"], False),
        ),
    )
    _table(
        "candidates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("passage_id", sa.String(length=96), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["passage_id"], ["passages.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("passage_id", "indicator_id", "model_version", name="uq_candidate"),
        indexes=(
            ("ix_candidates_domain", ["domain"], False),
            ("ix_candidates_indicator_id", ["indicator_id"], False),
            ("ix_candidates_model_version", ["model_version"], False),
            ("ix_candidates_passage_id", ["passage_id"], False),
            ("ix_candidates_status", ["status"], False),
        ),
    )
    _table(
        "embeddings",
        sa.Column("passage_id", sa.String(length=96), nullable=False),
        sa.Column("encoder", sa.String(length=512), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["passage_id"], ["passages.id"]),
        sa.PrimaryKeyConstraint("passage_id", "encoder"),
    )
    _table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("shown_indicator", sa.String(length=32), nullable=False),
        sa.Column("shown_score", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=160), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("final_indicator", sa.String(length=32), nullable=True),
        sa.Column("polarity", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.ForeignKeyConstraint(["undone_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        indexes=(
            ("ix_review_decisions_active", ["active"], False),
            ("ix_review_decisions_candidate_id", ["candidate_id"], False),
            ("ix_review_decisions_decided_at", ["decided_at"], False),
            ("ix_review_decisions_user_id", ["user_id"], False),
        ),
    )
    _table(
        "review_state",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("final_indicator", sa.String(length=32), nullable=True),
        sa.Column("polarity", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("required_reviews", sa.Integer(), nullable=False),
        sa.Column("reviews_done", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("lease_user_id", sa.Integer(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.ForeignKeyConstraint(["lease_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("candidate_id"),
        indexes=(
            ("ix_review_state_final_indicator", ["final_indicator"], False),
            ("ix_review_state_status", ["status"], False),
            ("ix_review_state_status_margin", ["status", "margin"], False),
        ),
    )
    _table(
        "review_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("undoes_change_id", sa.Integer(), nullable=True),
        sa.Column("version_before", sa.Integer(), nullable=False),
        sa.Column("version_after", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.ForeignKeyConstraint(["decision_id"], ["review_decisions.id"]),
        sa.ForeignKeyConstraint(["undoes_change_id"], ["review_changes.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        indexes=(
            ("ix_review_changes_at", ["at"], False),
            ("ix_review_changes_candidate_id", ["candidate_id"], False),
            ("ix_review_changes_user_id", ["user_id"], False),
        ),
    )


def downgrade() -> None:
    op.drop_table("review_changes")
    op.drop_table("review_state")
    op.drop_table("review_decisions")
    op.drop_table("embeddings")
    op.drop_table("candidates")
    op.drop_table("passages")
    op.drop_table("pages")
    op.drop_table("user_sessions")
    op.drop_table("documents")
    op.drop_table("users")
    op.drop_table("runs")
