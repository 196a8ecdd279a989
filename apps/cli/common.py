"""What every ``mgi`` command group shares: settings from the command line and the environment,
JSON output, quiet Prefect, and the one translation of project errors into a message and an exit
code.

May import: ``pipeline`` (core) only; never ``flows`` or the web app (commands import those
inside the function that needs them, so ``mgi --help`` stays fast).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.errors import MgiError

Command = Callable[[argparse.Namespace], int]


def user_errors() -> tuple[type[BaseException], ...]:
    """The errors a user can cause: every ``MgiError``, and files that are missing or not readable."""
    return (MgiError, FileNotFoundError, PermissionError)


def message(command: str, err: BaseException) -> str:
    """``mgi COMMAND: what went wrong`` for a user error (an OSError names the file it concerns)."""
    if isinstance(err, OSError) and not isinstance(err, FileNotFoundError | PermissionError):
        where = f" {err.filename}" if getattr(err, "filename", None) else ""
        return f"mgi {command}: cannot write or read{where} ({err.strerror or err})"
    return f"mgi {command}: {str(err).strip() or type(err).__name__}"


def friendly(command: Command) -> Command:
    """Wrap a command so the errors a user can cause become one line on stderr and exit code 2."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (*user_errors(), OSError) as err:
            print(message(args.command, err), file=sys.stderr)
            return 2

    return run


def quiet_prefect(home: Path) -> None:
    """Prefect's home under MGI_HOME, no analytics, warnings only (set before Prefect is imported)."""
    if "PREFECT_HOME" not in os.environ:
        (home / "prefect").mkdir(parents=True, exist_ok=True)  # Prefect does not create parents itself
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_HOME": str(home / "prefect"),
        # the temporary server migrates a fresh database first: on a busy 2-core machine 20 s is not enough
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "DASK_LOGGING__DISTRIBUTED": "warning",
    }.items():
        os.environ.setdefault(key, value)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--taxonomy``, ``--embedder`` and ``--model`` applied."""
    overrides: dict[str, Any] = {}
    if getattr(args, "taxonomy", None):
        overrides["taxonomy_path"] = Path(args.taxonomy)
    if getattr(args, "embedder", None):
        overrides["embedder"] = args.embedder
    settings = Settings.from_env(**overrides)
    model = getattr(args, "model", None)
    if model is not None:
        settings = replace(settings, model_path=None if model.lower() in {"none", "zero-shot"} else Path(model))
    return settings


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
