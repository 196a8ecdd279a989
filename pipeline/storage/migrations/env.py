"""Alembic environment: the models' metadata, one connection, batch mode for SQLite's ALTER TABLE."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pipeline.config import db_url_setting
from pipeline.storage.migrations import import_models
from pipeline.storage.tables import Base

# every module that adds tables to Base (pipeline.storage.tables, pipeline.services.search, ...) must be
# imported, or autogenerate would see their tables as dropped
import_models()

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
        transactional_ddl=True,  # the caller runs everything in one transaction (SQLite included)
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or db_url_setting()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or db_url_setting()
    if not url:
        raise RuntimeError("no database: set MGI_DB_URL or sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
