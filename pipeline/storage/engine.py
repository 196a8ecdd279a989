"""Opening databases: the engine for a URL (SQLite pragmas, a clear message when a driver or
server is missing) and ``write_session``, a transaction that takes the write lock up front.

May import: SQLAlchemy, ``pipeline.config``, ``pipeline.errors``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

from pipeline.errors import ConfigError


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class DatabaseUnavailable(ConfigError):
    """The database cannot be opened (bad URL, missing driver, server down); the message says what to do."""


def _hidden(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even a URL
        return repr(url)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"MGI_DB_URL {url!r} is not a database URL: use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True  # a long-lived worker survives a database restart
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError:
        raise DatabaseUnavailable(
            f'no driver for {_hidden(url)}: for PostgreSQL install psycopg (pip install "psycopg[binary]") and '
            "use postgresql+psycopg://..."
        ) from None
    except ImportError as err:
        raise DatabaseUnavailable(f"the database driver for {_hidden(url)} is not installed ({err.name})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class _WriteSession:
    """A session whose transaction takes the database's write lock up front (SQLite: BEGIN
    IMMEDIATE), so read-check-write sequences of two analysts are serialised instead of failing
    with "database is locked" when the second one tries to upgrade a stale read. Other databases
    rely on the conditional UPDATEs the callers make."""

    def __init__(self, store: Any) -> None:
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


def write_session(store: Any) -> _WriteSession:
    """``with write_session(store) as s: ...`` commits on success, rolls back on any error."""
    return _WriteSession(store)
