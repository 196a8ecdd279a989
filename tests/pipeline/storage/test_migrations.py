"""Schema migrations: the revisions build exactly the models' tables on SQLite and PostgreSQL, adopt a
database made before migrations existed, refuse or apply upgrades as told, and serialise start-ups."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pg import BACKENDS, database_url
from sqlalchemy import JSON, Column, DateTime, Float, Integer, MetaData, String, Table, Text, inspect

from pipeline.storage.engine import make_engine
from pipeline.storage.migrations import (
    SchemaError,
    current_revision,
    head_revision,
    import_models,
    model_modules,
    upgrade,
)
from pipeline.storage.store import Store
from pipeline.storage.tables import Base

import_models()  # Base.metadata is then the whole schema, whatever else this test process imported


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    return database_url(request.param, tmp_path, migrated=False)


def test_every_module_with_tables_is_found():
    # the tables of the queue (once pipeline.store) and of the review layer (once pipeline.review_models)
    # are declared in one module now
    assert {"pipeline.storage.tables"} <= set(model_modules())


def test_the_revisions_build_exactly_the_models(url):
    store = Store(url)
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], (
        "the models and the migrations disagree: add a revision with `mgi db revision -m '...'` (and review it)"
    )
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert {"documents", "pages", "passages", "embeddings", "candidates", "runs"} <= tables
    assert {"users", "user_sessions", "review_state", "review_decisions", "review_changes"} <= tables


def test_opening_an_up_to_date_database_changes_nothing(url):
    Store(url)
    before, after = upgrade(make_engine(url))
    assert before == after == head_revision()


def legacy_schema() -> MetaData:
    """The tables as ``create_all`` made them before migrations (commit ecc579d), in short."""
    md = MetaData()
    Table(
        "documents",
        md,
        Column("sha256", String(64), primary_key=True),
        Column("path", Text),
        Column("filename", String(512)),
        Column("size_bytes", Integer),
        Column("title", Text),
        Column("country", String(128), index=True),
        Column("level", String(16)),
        Column("date", String(32)),
        Column("source_url", Text),
        Column("document_type", String(64)),
        Column("language", String(16)),
        Column("language_prob", Float),
        Column("n_pages", Integer),
        Column("ocr_pages", Integer),
        Column("n_passages", Integer),
        Column("n_candidates", Integer),
        Column("status", String(16), index=True),
        Column("reason", Text),
        Column("attempts", Integer),
        Column("first_seen", DateTime),
        Column("updated_at", DateTime),
    )
    Table(
        "runs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(32)),
        Column("started_at", DateTime),
        Column("finished_at", DateTime),
        Column("status", String(16)),
        Column("params", JSON),
        Column("summary", JSON),
    )
    return md


def test_a_database_from_before_migrations_is_adopted(url):
    engine = make_engine(url)
    md = legacy_schema()
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            md.tables["documents"].insert(),
            {"sha256": "a" * 64, "path": "/x/a.pdf", "filename": "a.pdf", "status": "failed", "attempts": 1},
        )
        conn.execute(
            md.tables["runs"].insert(), {"kind": "process", "status": "finished", "started_at": datetime(2026, 1, 1)}
        )
    Base.metadata.tables["users"].create(engine)  # as a module's own create_all made it before its revision
    engine.dispose()
    store = Store(url)
    assert current_revision(store.engine) == head_revision()
    cols = {c["name"] for c in inspect(store.engine).get_columns("runs")}
    assert {"host", "pid", "heartbeat_at"} <= cols
    assert "run_id" in {c["name"] for c in inspect(store.engine).get_columns("documents")}
    assert store.document_state("a" * 64) == ("failed", 1)  # nothing stored is lost
    assert store.status()["runs"][0]["status"] == "finished"
    assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())


def test_without_automatic_upgrades_an_old_schema_is_an_error_naming_the_fix(url, monkeypatch):
    monkeypatch.setenv("MGI_DB_AUTO_UPGRADE", "0")
    with pytest.raises(SchemaError, match="run `mgi db upgrade`"):
        Store(url)
    assert current_revision(make_engine(url)) is None  # nothing was touched
    upgrade(make_engine(url))
    assert Store(url).counts()["documents"] == 0


def test_a_schema_from_newer_code_is_refused(url):
    store = Store(url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="written by a newer version"):
        Store(url)


def test_downgrade_to_nothing_and_back(url):
    from alembic import command

    from pipeline.storage.migrations import alembic_config

    store = Store(url)
    with store.engine.connect() as conn:
        command.downgrade(alembic_config(conn), "base")
        conn.commit()
    assert not set(Base.metadata.tables) & set(inspect(store.engine).get_table_names())
    assert Store(url).counts() == {"documents": 0, "pages": 0, "passages": 0, "embeddings": 0, "candidates": 0}


def test_processes_starting_on_an_empty_database_at_once_all_succeed(url):
    code = "import sys; from pipeline.storage.store import Store; print(Store(sys.argv[1]).counts()['documents'])"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs == ["0", "0"]
    assert current_revision(make_engine(url)) == head_revision()
