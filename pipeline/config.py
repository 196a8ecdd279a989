"""Settings from the environment, with defaults that work on a fresh machine.

Stages never read settings themselves; callers (CLI, flows) build a ``Settings`` and pass what a
stage needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "resources"
DEFAULT_TAXONOMY = PACKAGE_DATA / "taxonomy" / "mgi-national.yaml"
DEFAULT_EMBEDDER = "use-multilingual"


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


def find_default_model(home: Path) -> Path | None:
    """The promoted model in MGI_HOME wins over the one shipped with the project."""
    for candidate in (home / "models" / "current", REPO_ROOT / "models" / "default"):
        if (candidate / "card.json").is_file():
            return candidate.resolve()
    return None
