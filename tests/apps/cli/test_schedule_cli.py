"""`mgi schedule`, `mgi db`, `mgi retrain`, `mgi reclassify`, `mgi unpark`: what they print, and one-line
errors instead of tracebacks."""

from __future__ import annotations

import json

import pytest
from batchkit import add_reviewed_document, decisions_from, load_seed_pool, write_seeds
from toy import use_toy_encoder

import apps.cli as cli
from apps.cli import schedule as schedule_cli
from pipeline.storage.store import Store


@pytest.fixture
def mgi(monkeypatch, tmp_path):
    """``apps.cli.main`` with these commands (whether or not build_parser has them yet), on a fresh home."""
    original = cli.build_parser

    def build_parser():
        parser = original()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        if "schedule" not in sub.choices:

            def common(p, model=False):  # noqa: ANN001
                p.add_argument("--taxonomy")
                if model:
                    p.add_argument("--model")
                    p.add_argument("--embedder")

            schedule_cli.add_commands(sub, common)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_parser)
    monkeypatch.setenv("MGI_HOME", str(tmp_path))
    monkeypatch.setenv("MGI_DB_URL", f"sqlite:///{tmp_path / 'mgi.db'}")
    monkeypatch.delenv("MGI_INBOX", raising=False)
    return cli.main


def test_db_current_and_upgrade(mgi, capsys):
    from pipeline.storage.migrations import head_revision

    head = head_revision()
    assert mgi(["db", "current"]) == 1
    assert "schema revision (none)" in capsys.readouterr().out
    assert mgi(["db", "upgrade", "--revision", "0001"]) == 0
    assert "schema upgraded from (empty) to 0001" in capsys.readouterr().out
    assert mgi(["db", "upgrade"]) == 0
    assert f"schema upgraded from 0001 to {head}" in capsys.readouterr().out
    assert mgi(["db", "upgrade"]) == 0
    assert f"already at revision {head}" in capsys.readouterr().out
    assert mgi(["db", "current"]) == 0
    assert "(up to date)" in capsys.readouterr().out


def test_db_errors_are_one_line(mgi, capsys, monkeypatch):
    monkeypatch.setenv("MGI_DB_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/mgi")
    assert mgi(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mgi status: cannot open the database") and err.count("\n") == 1 and "secret" not in err


def test_schedule_show_and_its_errors(mgi, capsys, tmp_path):
    assert mgi(["schedule", "show"]) == 2
    assert f"inbox config {tmp_path / 'inbox.yaml'} not found" in capsys.readouterr().err
    (tmp_path / "mx").mkdir()
    (tmp_path / "inbox.yaml").write_text("folders:\n  - {path: mx, country: Mexico, level: national}\n")
    assert mgi(["schedule", "show", "--cron", "0 3 * * *", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'mx'}  (country: Mexico, level: national)" in out
    assert "Deployment mgi-batch: cron '0 3 * * *' (UTC)" in out and "'workers': 2" in out
    assert "Deployment mgi-retrain: cron '0 4 * * 0'" in out
    assert mgi(["schedule", "show", "--cron", "0 3 * *"]) == 2
    assert "--cron: '0 3 * *' is not a cron expression" in capsys.readouterr().err
    assert mgi(["schedule", "show", "--dask-address", "somehost"]) == 2
    assert "should look like tcp://HOST:8786" in capsys.readouterr().err


def test_schedule_deploy_needs_a_server(mgi, capsys, tmp_path, monkeypatch):
    (tmp_path / "mx").mkdir()
    (tmp_path / "inbox.yaml").write_text("folders: [mx]\n")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert mgi(["schedule", "deploy", "--pool", "mgi"]) == 2
    assert "needs a Prefect server: set PREFECT_API_URL" in capsys.readouterr().err


def test_schedule_run_once(prefect_harness, mgi, capsys, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    (tmp_path / "inbox.yaml").write_text("folders: [inbox]\nmax_attempts: 1\n")
    assert mgi(["schedule", "run"]) == 0
    out = capsys.readouterr().out
    assert "0 new, 0 skipped, 1 failed, 0 parked" in out and "PARKED" in out and "broken.pdf" in out
    assert mgi(["schedule", "run", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["parked"], summary["failed"], summary["runner"]) == (1, 0, "default")


def test_unpark(mgi, capsys, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'mgi.db'}", max_attempts=1)
    store.record_failure("/x/bad.pdf", "b" * 64, "damaged")
    assert mgi(["unpark"]) == 2
    assert "name a document" in capsys.readouterr().err
    assert mgi(["unpark", "other.pdf"]) == 1
    assert mgi(["unpark", "bbbb"]) == 0
    assert "1 document(s) will be tried again" in capsys.readouterr().out


@pytest.fixture
def toy(monkeypatch):
    return use_toy_encoder(monkeypatch)


def test_retrain_and_reclassify_commands(mgi, capsys, tmp_path, toy, monkeypatch):
    monkeypatch.setenv("MGI_MODEL", "none")
    pool = load_seed_pool()
    seeds = write_seeds(pool, tmp_path / "seed.jsonl")
    add_reviewed_document(Store(f"sqlite:///{tmp_path / 'mgi.db'}"), "a", decisions_from(pool, 10, 3))
    assert mgi(["reclassify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["re_embedded"] == 15 and report["model_version"].startswith("zero-shot:toy-hash")
    argv = ["retrain", "--annotations", str(seeds), "--embedder", "toy", "--seeds", "0", "--decisions", "store"]
    assert mgi(argv) == 0
    out = capsys.readouterr().out
    assert "promoted" in out and "examples: 70 seed + 15 from decisions (12 evidence, 3 none)" in out
    assert "micro_f1" in out and "reclassified 15 passages" in out
    assert (tmp_path / "models" / "current").is_symlink()
    monkeypatch.delenv("MGI_MODEL")  # now the promoted model is the one in use
    assert mgi([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"
