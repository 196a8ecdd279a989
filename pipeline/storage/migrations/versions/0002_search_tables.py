"""Search: index bookkeeping (search_indexes, search_index_entries) and provenance of candidates
added from search results (search_sends), as declared in pipeline/services/search.py.

``pipeline.services.search.ensure_search_schema`` may have created them already: only what is missing is
created.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipeline.storage.migrations.ops import create_table_if_missing

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table_if_missing(
        "search_index_entries",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("passage_id", sa.String(length=96), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("key", "position"),
        indexes=(
            ("ix_search_entries_document", ["key", "document_sha256"], False),
            ("ix_search_entries_language", ["key", "language"], False),
            ("ix_search_entries_passage", ["key", "passage_id"], True),
        ),
    )
    create_table_if_missing(
        "search_indexes",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("encoder", sa.String(length=512), nullable=False),
        sa.Column("directory", sa.Text(), nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        indexes=(("ix_search_indexes_encoder", ["encoder"], False),),
    )
    create_table_if_missing(
        "search_sends",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("passage_id", sa.String(length=96), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("encoder", sa.String(length=512), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("result_rank", sa.Integer(), nullable=True),
        sa.Column("user", sa.String(length=64), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.PrimaryKeyConstraint("id"),
        indexes=(("ix_search_sends_candidate_id", ["candidate_id"], False),),
    )


def downgrade() -> None:
    op.drop_table("search_sends")
    op.drop_table("search_indexes")
    op.drop_table("search_index_entries")
