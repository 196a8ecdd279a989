"""Settings from the environment, with defaults that work on a fresh machine: the one module that
reads ``MGI_*`` variables (README's settings table lists them all). The stage limits
(``pipeline.stages.ingest.Limits.from_env``: MGI_MAX_FILE_MB, MGI_MAX_PAGES, MGI_OCR*,
MGI_TESSERACT) and the encoder's (``pipeline.stages.embed``: MGI_ENCODER_THREADS,
MGI_ALLOW_DOWNLOADS) are still read in those stage modules; callers build a ``Settings`` (or a
``Limits``) and pass what a stage needs.

May import: ``pipeline.errors``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "resources"
DEFAULT_TAXONOMY = PACKAGE_DATA / "taxonomy" / "mgi-national.yaml"
DEFAULT_EMBEDDER = "e5-small"  # the one default encoder: the shipped model (models/default) uses it


def default_home() -> Path:
    return Path(os.environ.get("MGI_HOME") or Path.home() / "mgi").expanduser()


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    taxonomy_path: Path
    model_path: Path | None  # a trained model folder; None = zero-shot
    embedder: str | None  # None = whatever the model was trained with, else the default
    top_k: int = 3

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        home = default_home()
        db_url = os.environ.get("MGI_DB_URL") or f"sqlite:///{home / 'mgi.db'}"
        taxonomy = Path(os.environ.get("MGI_TAXONOMY") or DEFAULT_TAXONOMY)
        model_env = os.environ.get("MGI_MODEL")
        if model_env is not None:
            model_path = None if model_env.lower() in {"", "none", "zero-shot"} else Path(model_env)
        else:
            model_path = find_default_model(home)
        embedder = os.environ.get("MGI_EMBEDDER") or None
        values: dict[str, object] = dict(
            home=home, db_url=db_url, taxonomy_path=taxonomy, model_path=model_path, embedder=embedder
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def model_override() -> str | None:
    """MGI_MODEL as set (None: unset), for messages about a model that overrides the promoted one."""
    return os.environ.get("MGI_MODEL") or None


def inbox_file(home: Path, name: str) -> Path:
    """MGI_INBOX, else ``home/name``."""
    return Path(os.environ.get("MGI_INBOX") or home / name).expanduser()


def max_attempts_setting() -> str | None:
    """MGI_MAX_ATTEMPTS as set (checked by ``pipeline.services.inbox.max_attempts_from_env``)."""
    return os.environ.get("MGI_MAX_ATTEMPTS") or None


def db_auto_upgrade() -> bool:
    """MGI_DB_AUTO_UPGRADE: migrate a database's schema when it is opened (default yes)."""
    return os.environ.get("MGI_DB_AUTO_UPGRADE", "1").strip().lower() not in {"0", "no", "false", "off"}


def db_url_setting() -> str | None:
    """MGI_DB_URL as set (None: unset; ``Settings.db_url`` has the default)."""
    return os.environ.get("MGI_DB_URL") or None


def analyst_name() -> str | None:
    """MGI_USER: the account ``mgi review`` works as (default: the login name)."""
    return os.environ.get("MGI_USER") or None


def find_default_model(home: Path) -> Path | None:
    """The promoted model in MGI_HOME wins over the one shipped with the project."""
    for candidate in (home / "models" / "current", REPO_ROOT / "models" / "default"):
        if (candidate / "card.json").is_file():
            return candidate.resolve()
    return None
