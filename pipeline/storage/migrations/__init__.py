"""Schema migrations (Alembic) for SQLite and PostgreSQL.

The revisions live in ``versions/``; ``env.py`` binds them to the declarative ``Base`` of
``pipeline.storage.tables``, the one module that declares tables. Alembic is the only way a table
is created or changed. ``Store`` calls ``ensure_schema`` when it opens a database, ``mgi db upgrade`` calls
``upgrade``. A change to a table is a new revision: ``mgi db revision -m "what changed"``
writes one from the difference between the models and a database at head; review it, then
commit it (``tests/pipeline/storage/test_migrations.py`` fails while the models and the revisions
disagree).

Upgrades are serialised between processes: SQLite takes its write lock (``BEGIN IMMEDIATE``)
and runs the DDL in that one transaction; PostgreSQL takes a transaction-scoped advisory lock.
A database created before migrations existed (tables but no ``alembic_version``) is adopted by
the baseline, which only creates what is missing.

May import: SQLAlchemy, Alembic, ``pipeline.config``, ``pipeline.storage.tables``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from pipeline.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parent
_PG_LOCK_KEY = 0x4D47_4901  # "MGI" + 1: the advisory lock taken while migrating


class SchemaError(ConfigError):
    """The database schema and this version of the code disagree; the message says what to do."""


def model_modules() -> list[str]:
    """The module that declares every table on ``Base`` (one module: ``pipeline.storage.tables``)."""
    return ["pipeline.storage.tables"]


def import_models() -> None:
    """Import every module that adds tables to ``Base``, so ``Base.metadata`` is the whole schema."""
    for name in model_modules():
        importlib.import_module(name)


def alembic_config(connection: Connection | None = None, url: str | None = None):  # noqa: ANN201
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _script():  # noqa: ANN202
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    heads = _script().get_heads()
    if len(heads) != 1:
        raise SchemaError(f"the migrations have {len(heads)} heads ({', '.join(heads)}): merge them (alembic merge)")
    return heads[0]


def known_revisions() -> set[str]:
    return {s.revision for s in _script().walk_revisions()}


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not under migrations yet, e.g. empty)."""
    with engine.connect() as conn:
        return _current(conn)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, and the DDL in one transaction
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database to ``revision``; returns (revision before, revision after)."""
    from alembic import command

    with engine.connect() as conn:
        _lock(conn)
        before = _current(conn)
        if before is not None and before not in known_revisions():
            raise SchemaError(
                f"database {engine.url.render_as_string(hide_password=True)} is at schema revision {before}, "
                "which this version of the code does not know: it was written by a newer version; upgrade the code"
            )
        target = head_revision() if revision == "head" else revision
        if before != target:
            command.upgrade(alembic_config(conn), revision)
        after = _current(conn)
        conn.commit()
    return before, after


def ensure_schema(engine: Engine, upgrade: bool = True) -> None:
    """Make sure the database is at the head revision, migrating it if allowed."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    if not upgrade:
        where = engine.url.render_as_string(hide_password=True)
        raise SchemaError(
            f"database {where} is at schema revision {current or '(none)'} but this code needs {head}: "
            "run `mgi db upgrade` (automatic upgrades are off: MGI_DB_AUTO_UPGRADE=0)"
        )
    globals()["upgrade"](engine)
