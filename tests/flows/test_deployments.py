"""Deployments: built from the inbox config in one place; served only against a real Prefect server."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

from flows.deployments import (
    BATCH_ENTRYPOINT,
    BATCH_NAME,
    RETRAIN_NAME,
    ServerError,
    healthy,
    prefect_server,
    runner_deployments,
    specs,
)
from pipeline.services.inbox import parse_inbox


@pytest.fixture
def inbox(tmp_path):
    (tmp_path / "mx").mkdir()
    path = tmp_path / "inbox.yaml"
    path.write_text("folders: [mx]\n")
    return parse_inbox(
        {"folders": [{"path": "mx", "country": "Mexico"}], "schedule": "15 3 * * *", "timezone": "Europe/Paris"},
        path,
    )


def test_specs_from_the_inbox(inbox, tmp_path):
    batch, retrain = specs(inbox, workers=2)
    assert (batch.name, batch.entrypoint, batch.cron, batch.timezone) == (
        BATCH_NAME,
        BATCH_ENTRYPOINT,
        "15 3 * * *",
        "Europe/Paris",
    )
    assert batch.parameters == {"config": str(tmp_path / "inbox.yaml"), "workers": 2, "dask_address": None}
    assert (retrain.name, retrain.cron) == (RETRAIN_NAME, "0 4 * * 0")
    only = specs(inbox, retrain=False, batch_cron="0 * * * *")
    assert [(s.name, s.cron) for s in only] == [(BATCH_NAME, "0 * * * *")]


def test_runner_deployments_carry_schedule_parameters_and_limit(inbox):
    batch, retrain = runner_deployments(specs(inbox, dask_address="tcp://10.0.0.5:8786"))
    assert batch.name == BATCH_NAME and batch.flow_name == "mgi-batch-inbox"
    [schedule] = batch.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("15 3 * * *", "Europe/Paris")
    assert batch.parameters == {"config": str(inbox.source), "dask_address": "tcp://10.0.0.5:8786"}
    assert batch.concurrency_limit == 1  # a long batch delays the next one, never overlaps it
    assert retrain.flow_name == "mgi-retrain" and retrain.schedules[0].schedule.cron == "0 4 * * 0"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        ok = self.path == "/api/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"true" if ok else b"")

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def fake_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


def test_a_configured_server_that_answers_is_reused(fake_server, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", fake_server)
    assert healthy(fake_server)
    with prefect_server() as info:
        assert (info.api_url, info.started) == (fake_server, False)
        from prefect.settings import get_current_settings

        assert str(get_current_settings().api.url) == fake_server
    assert os.environ["PREFECT_API_URL"] == fake_server


def test_a_configured_server_that_does_not_answer_is_an_error_not_the_ephemeral_one(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with (
        pytest.raises(ServerError, match="does not answer: start that Prefect server, or unset PREFECT_API_URL"),
        prefect_server(),
    ):
        pass


def test_a_server_that_fails_to_start_is_reported_with_its_log(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "prefect").write_text("#!/bin/sh\necho 'cannot bind: no such luck' >&2\nexit 3\n")
    (fake / "prefect").chmod(0o755)
    monkeypatch.setattr("flows.deployments._prefect_executable", lambda: [str(fake / "prefect")])
    with (
        pytest.raises(ServerError, match="did not start on 127.0.0.1") as err,
        prefect_server(home=tmp_path / "prefect", timeout=20),
    ):
        pass
    assert "cannot bind: no such luck" in str(err.value)
    assert "PREFECT_API_URL" not in os.environ
    assert Path(tmp_path / "prefect" / "server.log").is_file()
