"""Deployments: the only place that knows schedules, work pools and Prefect servers.

Two deployments, built from the inbox config (``pipeline/services/inbox.py``, default ``MGI_HOME/inbox.yaml``):

* ``mgi-batch`` — ``process_inbox`` on the inbox's cron (default every night at 02:00): new and
  changed documents of every inbox folder, one run, summary stored and published as artifacts;
* ``mgi-retrain`` — ``retrain_flow`` on its own cron (default Sundays at 04:00): retrain from the
  seeds and the analysts' decisions, promote if not worse, reclassify with the promoted model.

Both have a concurrency limit of one: a run that overruns its interval delays the next one, never
overlaps it. Two ways to run them:

* ``serve_deployments`` (``mgi schedule serve``): one process on one host serves both and runs each
  flow run as a subprocess. Cron schedules are only fired by a real Prefect server (the temporary
  "ephemeral" one never schedules anything): ``prefect_server`` reuses ``PREFECT_API_URL`` if it
  answers, or starts ``prefect server start`` on loopback for as long as the serve runs.
* ``deploy_to_work_pool`` (``mgi schedule deploy --pool NAME``): the same deployments registered on
  a Prefect server for a work pool, to be picked up by ``prefect worker start --pool NAME`` on any
  machine that has this project installed and can reach the database.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import REPO_ROOT
from pipeline.errors import ConfigError
from pipeline.services.inbox import Inbox

BATCH_NAME = "mgi-batch"
RETRAIN_NAME = "mgi-retrain"
BATCH_ENTRYPOINT = "flows/process.py:process_inbox"
RETRAIN_ENTRYPOINT = "flows/retrain.py:retrain_flow"
SERVER_START_TIMEOUT = 90.0
# what a worker elsewhere needs to find the same data (passed on as job variables when set here)
FORWARDED_ENV = ("MGI_HOME", "MGI_DB_URL", "MGI_MODEL", "MGI_TAXONOMY", "MGI_EMBEDDER", "MGI_MAX_ATTEMPTS", "MGI_INBOX")


class ServerError(ConfigError):
    """No usable Prefect server; the message says what to do."""


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment, independent of how it is run (serve or work pool)."""

    name: str
    entrypoint: str
    cron: str
    timezone: str
    parameters: dict[str, Any]
    description: str


def specs(
    inbox: Inbox,
    config_path: Path | None = None,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    retrain: bool = True,
    batch_cron: str | None = None,
    retrain_cron: str | None = None,
) -> list[DeploymentSpec]:
    """The deployments for an inbox (``config_path``: the inbox file the batch reads at run time)."""
    config = str(Path(config_path).resolve()) if config_path else (str(inbox.source) if inbox.source else None)
    out = [
        DeploymentSpec(
            BATCH_NAME,
            BATCH_ENTRYPOINT,
            batch_cron or inbox.schedule,
            inbox.timezone,
            {"config": config, "workers": workers, "dask_address": dask_address},
            "Process new and changed documents of the inbox folders into the evidence queue.",
        )
    ]
    cron = retrain_cron or inbox.retrain
    if retrain and cron:
        out.append(
            DeploymentSpec(
                RETRAIN_NAME,
                RETRAIN_ENTRYPOINT,
                cron,
                inbox.timezone,
                {},
                "Retrain from seed annotations and analysts' decisions; promote if not worse; reclassify.",
            )
        )
    return out


def _flow_for(entrypoint: str):  # noqa: ANN202
    if entrypoint == BATCH_ENTRYPOINT:
        from flows.process import process_inbox

        return process_inbox
    from flows.retrain import retrain_flow

    return retrain_flow


def _schedule(spec: DeploymentSpec):  # noqa: ANN202
    from prefect.schedules import Cron

    return Cron(spec.cron, timezone=spec.timezone)


def runner_deployments(deployment_specs: list[DeploymentSpec]) -> list[Any]:
    """``RunnerDeployment`` objects for ``serve``."""
    return [
        _flow_for(spec.entrypoint).to_deployment(
            name=spec.name,
            schedules=[_schedule(spec)],
            parameters={k: v for k, v in spec.parameters.items() if v is not None},
            description=spec.description,
            tags=["mgi"],
            concurrency_limit=1,
        )
        for spec in deployment_specs
    ]


def serve_deployments(deployment_specs: list[DeploymentSpec], limit: int | None = None) -> None:
    """Serve the deployments from this process until interrupted (needs ``PREFECT_API_URL``: see prefect_server)."""
    from prefect import serve

    serve(*runner_deployments(deployment_specs), limit=limit, print_starting_message=False)


def deploy_to_work_pool(
    deployment_specs: list[DeploymentSpec],
    pool: str,
    *,
    source: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
) -> list[str]:
    """Register the deployments for ``pool`` on the Prefect server of ``PREFECT_API_URL``; returns their ids.

    The flow code is taken from ``source`` (this project's folder: a worker must see the same path, e.g.
    the project installed at the same place, or a shared volume). ``env`` (default: the ``MGI_*``
    variables set here) is given to every flow run as job variables."""
    from prefect import Flow

    if env is None:
        env = {k: os.environ[k] for k in FORWARDED_ENV if os.environ.get(k)}
    ids = []
    for spec in deployment_specs:
        flow = Flow.from_source(source=str(source), entrypoint=spec.entrypoint)
        ids.append(
            str(
                flow.deploy(
                    name=spec.name,
                    work_pool_name=pool,
                    schedules=[_schedule(spec)],
                    parameters={k: v for k, v in spec.parameters.items() if v is not None},
                    description=spec.description,
                    tags=["mgi"],
                    concurrency_limit=1,
                    job_variables={"env": env} if env else None,
                    build=False,
                    push=False,
                    print_next_steps=False,
                )
            )
        )
    return ids


# --------------------------------------------------------------------------- a real Prefect server


def healthy(api_url: str, timeout: float = 3.0) -> bool:
    """Whether a Prefect API answers its health check."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as resp:  # noqa: S310
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def _prefect_executable() -> list[str]:
    beside = Path(sys.executable).with_name("prefect")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("prefect")
    return [found] if found else [sys.executable, "-m", "prefect"]


@dataclass
class ServerInfo:
    api_url: str
    started: bool  # True: this process started it (and stops it); False: an existing one is reused
    log: Path | None = None


@contextmanager
def prefect_server(
    port: int = 4200,
    home: Path | None = None,
    api_url: str | None = None,
    timeout: float = SERVER_START_TIMEOUT,
) -> Iterator[ServerInfo]:
    """A real Prefect server for schedules, never the ephemeral one.

    ``api_url`` (default ``PREFECT_API_URL``): reused if it answers, an error if it does not. Otherwise
    ``prefect server start --host 127.0.0.1`` is started on ``port`` (or a free one) with its state in
    ``home`` (default ``PREFECT_HOME``), and stopped when the block ends. Inside the block
    ``PREFECT_API_URL`` points at the server (environment and Prefect settings)."""
    api_url = api_url or os.environ.get("PREFECT_API_URL") or None
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    if api_url:
        if not healthy(api_url):
            raise ServerError(
                f"PREFECT_API_URL={api_url} does not answer: start that Prefect server, or unset PREFECT_API_URL "
                "to let `mgi schedule serve` start one on this machine"
            )
        info = ServerInfo(api_url, started=False)
    else:
        port = _free_port(port)
        api_url = f"http://127.0.0.1:{port}/api"
        env = dict(os.environ)
        if home is not None:
            home.mkdir(parents=True, exist_ok=True)
            env["PREFECT_HOME"] = str(home)
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        env.setdefault("DO_NOT_TRACK", "1")
        env.pop("PREFECT_API_URL", None)
        log_dir = Path(env.get("PREFECT_HOME") or Path.home() / ".prefect")
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / "server.log"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own executable
                [*_prefect_executable(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not healthy(api_url, timeout=2.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                tail = log_path.read_text(errors="replace")[-800:] if log_path.exists() else ""
                raise ServerError(f"the Prefect server did not start on 127.0.0.1:{port} (log {log_path}):\n{tail}")
            time.sleep(0.5)
        info = ServerInfo(api_url, started=True, log=log_path)
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield info
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
        if proc is not None:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
