"""A throw-away PostgreSQL server for the tests that run against PostgreSQL as well as SQLite.

``MGI_TEST_PG_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) points the tests
at a server someone already runs. Otherwise the first test that needs one starts a private
cluster: ``initdb`` in a temporary folder and ``pg_ctl start`` on a free loopback port (as the
``postgres`` user when the tests run as root, since PostgreSQL refuses to run as root), stopped
and removed when the test process exits. Each test gets a fresh database. Tests skip with a
message saying what to install when there are no server binaries (Debian: ``apt-get install
postgresql``), or fail instead when ``MGI_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

_SERVER: dict[str, object] = {}
_COUNTER = itertools.count()


def _binaries() -> Path | None:
    for found in [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)]:
        if found and Path(found).with_name("initdb").exists():
            return Path(os.path.realpath(found)).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runner = shutil.which("runuser")
    return (
        [runner, "-u", "postgres", "--", *cmd] if runner else ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]
    )


def _start() -> str:
    bindir = _binaries()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, "
            "or set MGI_TEST_PG_URL to a server to use"
        )
    root = Path(tempfile.mkdtemp(prefix="mgi-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = dict(check=True, capture_output=True, text=True, cwd=root)
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]), **run
    )
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", opts, "-w", "start"]),
        **run,
    )

    def stop() -> None:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), **run)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def _unavailable(message: str) -> None:
    """Skip, or fail where PostgreSQL is required (``MGI_REQUIRE_POSTGRES=1``, as CI sets it)."""
    if os.environ.get("MGI_REQUIRE_POSTGRES") == "1":
        pytest.fail(message + " (MGI_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


def server_url() -> str:
    """The admin URL of the test server (starting it on first use); skips the test if there is none."""
    if "error" in _SERVER:
        _unavailable(str(_SERVER["error"]))
    if "url" not in _SERVER:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _SERVER["error"] = 'psycopg is not installed: pip install "psycopg[binary]"'
            _unavailable(str(_SERVER["error"]))
        try:
            _SERVER["url"] = os.environ.get("MGI_TEST_PG_URL") or _start()
        except (RuntimeError, subprocess.CalledProcessError, OSError) as err:
            detail = getattr(err, "stderr", None) or str(err)
            _SERVER["error"] = f"no PostgreSQL server for the tests: {detail.strip()}"
            _unavailable(str(_SERVER["error"]))
    return str(_SERVER["url"])


def _create(name: str, template: str | None = None) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = server_url()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def _unique(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{next(_COUNTER)}_{uuid.uuid4().hex[:6]}"


def fresh_database(migrated: bool = False) -> str:
    """A new database on the test server; returns its SQLAlchemy URL. ``migrated``: already at the head
    schema revision (a copy of a template migrated once per session, which is faster than migrating)."""
    if not migrated:
        return _create(_unique("mgi_test"))
    if "template" not in _SERVER:
        from pipeline.storage.store import Store

        name = _unique("mgi_template")
        Store(_create(name)).engine.dispose()  # PostgreSQL copies a template only while nobody is connected
        _SERVER["template"] = name
    return _create(_unique("mgi_test"), template=str(_SERVER["template"]))


def database_url(backend: str, tmp_path: Path, migrated: bool = True) -> str:
    """A fresh database URL for ``backend`` ("sqlite" or "postgresql"); ``migrated=False``: truly empty."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'mgi.db'}"
    return fresh_database(migrated)


BACKENDS = ["sqlite", "postgresql"]
