"""Helpers for revisions: create a table (and its indexes) only where it is missing.

Modules that also create their own tables with ``create_all`` (so that they work before a
revision for them exists) leave databases where a later revision's table is already there;
revisions that add tables use ``create_table_if_missing`` so they apply to such databases too.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def create_table_if_missing(
    name: str,
    *elements: object,
    indexes: Sequence[tuple[str, list[str], bool]] = (),
    added_columns: Sequence[sa.Column] = (),
) -> None:
    """Create table ``name`` unless it exists; if it exists, add any of ``added_columns`` it lacks.
    Then create whichever of ``indexes`` (name, columns, unique) are missing."""
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(name):
        op.create_table(name, *elements)
    else:
        have = {c["name"] for c in inspector.get_columns(name)}
        for column in added_columns:
            if column.name not in have:
                op.add_column(name, column)
    existing = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(name)}
    for index_name, columns, unique in indexes:
        if index_name not in existing:
            op.create_index(index_name, name, columns, unique=unique)
