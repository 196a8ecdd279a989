"""The inbox of the scheduled batch: folders where new legislation arrives, each mapped to a
country and level of government, in a small YAML file (default ``MGI_HOME/inbox.yaml``)::

    # MGI_HOME/inbox.yaml
    folders:
      - path: /data/inbox/mexico          # relative paths are relative to this file
        country: Mexico
        level: national
      - path: /data/inbox/jalisco
        country: Mexico
        level: local
    schedule: "0 2 * * *"     # cron of the batch (default: every night at 02:00)
    retrain: "0 4 * * 0"      # cron of the retraining, or null for none (default: Sundays 04:00)
    timezone: UTC             # of the crons
    max_attempts: 3           # failed attempts before a document is parked
    top_k: 3                  # indicators queued per passage at most
    workers: 0                # > 0: a local Dask cluster of that many processes
    dask_address: null        # or a running Dask scheduler, e.g. tcp://10.0.0.5:8786

A ``manifest.csv`` beside the PDFs still gives titles, dates and so on; ``country``/``level`` of
the folder override the manifest's. Problems are reported with the file and the entry at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import default_home, inbox_file, max_attempts_setting
from pipeline.errors import ConfigError

INBOX_FILE = "inbox.yaml"
DEFAULT_BATCH_CRON = "0 2 * * *"
DEFAULT_RETRAIN_CRON = "0 4 * * 0"
LEVELS = ("national", "local")
_KEYS = {"folders", "schedule", "retrain", "timezone", "max_attempts", "top_k", "workers", "dask_address"}


class InboxError(ConfigError):
    """The inbox config is unusable; the message names the file, the entry and what to do."""


@dataclass(frozen=True)
class InboxFolder:
    path: Path
    country: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Inbox:
    source: Path | None  # the YAML file it came from (None: built in code)
    folders: list[InboxFolder]
    schedule: str = DEFAULT_BATCH_CRON
    retrain: str | None = DEFAULT_RETRAIN_CRON
    timezone: str = "UTC"
    max_attempts: int | None = None
    top_k: int = 3
    workers: int | None = None
    dask_address: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def default_inbox_path(home: Path | None = None) -> Path:
    return inbox_file(home or default_home(), INBOX_FILE)


def max_attempts_from_env() -> int | None:
    raw = max_attempts_setting()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"MGI_MAX_ATTEMPTS={raw!r} is not a whole number: set it to e.g. 3") from None
    if value < 1:
        raise ConfigError(f"MGI_MAX_ATTEMPTS={raw!r} must be at least 1")
    return value


def _positive_int(value: Any, what: str, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InboxError(f"{where}: {what} must be a whole number of at least {minimum}, not {value!r}")
    return value


_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
_NAMES = {
    3: {
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
        )
    },
    4: {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
}


def _cron_value(token: str, field_no: int) -> int:
    token = token.lower()
    if token in _NAMES.get(field_no, {}):
        return _NAMES[field_no][token]
    if not token.isdigit():
        raise ValueError(token)
    return int(token)


def check_cron(expr: str, where: str) -> str:
    """A standard five-field cron expression, or an InboxError saying what is wrong with it."""
    parts = str(expr).split()
    if len(parts) != 5:
        raise InboxError(
            f"{where}: {expr!r} is not a cron expression (five fields: minute hour day month weekday, "
            "e.g. '0 2 * * *' for every night at 02:00)"
        )
    for field_no, (part, (name, lo, hi)) in enumerate(zip(parts, _CRON_FIELDS, strict=True)):
        for item in part.split(","):
            rng, _, step = item.partition("/")
            try:
                if step and int(step) < 1:
                    raise ValueError(step)
                if rng != "*":
                    bounds = [_cron_value(t, field_no) for t in rng.split("-")]
                    if len(bounds) > 2 or not all(lo <= b <= hi for b in bounds) or bounds[0] > bounds[-1]:
                        raise ValueError(rng)
            except ValueError:
                raise InboxError(
                    f"{where}: {expr!r} is not a valid cron expression: the {name} field {part!r} must be "
                    f"*, a number {lo}-{hi}, a range, a list or a step (e.g. '0 2 * * *')"
                ) from None
    return str(expr)


def parse_inbox(data: Any, source: Path | None, base: Path | None = None) -> Inbox:
    where = str(source) if source else "inbox config"
    if not isinstance(data, dict):
        raise InboxError(f"{where}: expected a mapping with a 'folders' list (see `mgi schedule --help`)")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InboxError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    raw_folders = data.get("folders")
    if not isinstance(raw_folders, list) or not raw_folders:
        raise InboxError(f"{where}: 'folders' must be a non-empty list of {{path, country, level}} entries")
    base = base or (source.parent if source else Path.cwd())
    folders = []
    for n, entry in enumerate(raw_folders, start=1):
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not entry.get("path"):
            raise InboxError(f"{where}: folder entry {n} has no 'path'")
        extra = sorted(set(entry) - {"path", "country", "level"})
        if extra:
            raise InboxError(
                f"{where}: folder entry {n} has unknown key(s) {', '.join(extra)}; use path, country, level"
            )
        path = Path(str(entry["path"])).expanduser()
        path = path if path.is_absolute() else (base / path)
        level = entry.get("level")
        level = str(level).strip().lower() if level else None
        if level not in (None, *LEVELS):
            raise InboxError(f"{where}: folder entry {n} ({path}) has level {level!r}; use national or local")
        country = entry.get("country")
        folders.append(InboxFolder(path, str(country).strip() if country else None, level))
    schedule = check_cron(data.get("schedule") or DEFAULT_BATCH_CRON, f"{where}: schedule")
    retrain = data.get("retrain", DEFAULT_RETRAIN_CRON)
    retrain = check_cron(retrain, f"{where}: retrain") if retrain else None
    max_attempts = data.get("max_attempts")
    max_attempts = (
        _positive_int(max_attempts, "max_attempts", where) if max_attempts is not None else max_attempts_from_env()
    )
    workers = data.get("workers")
    workers = _positive_int(workers, "workers", where, minimum=0) if workers is not None else None
    dask_address = data.get("dask_address") or None
    if dask_address is not None and "://" not in str(dask_address):
        raise InboxError(f"{where}: dask_address {dask_address!r} should look like tcp://HOST:8786")
    return Inbox(
        source=source,
        folders=folders,
        schedule=schedule,
        retrain=retrain,
        timezone=str(data.get("timezone") or "UTC"),
        max_attempts=max_attempts,
        top_k=_positive_int(data.get("top_k", 3), "top_k", where),
        workers=workers or None,
        dask_address=str(dask_address) if dask_address else None,
    )


def load_inbox(path: Path | None = None, home: Path | None = None) -> Inbox:
    """The inbox config at ``path`` (default: ``MGI_INBOX`` or ``MGI_HOME/inbox.yaml``)."""
    import yaml

    path = Path(path).expanduser() if path else default_inbox_path(home)
    if not path.is_file():
        raise InboxError(
            f"inbox config {path} not found: write one listing the folders to watch, e.g.\n"
            "folders:\n  - path: /data/inbox/mexico\n    country: Mexico\n    level: national"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise InboxError(f"{path}{at}: not valid YAML ({getattr(err, 'problem', None) or err})") from None
    inbox = parse_inbox(data, path.resolve())
    missing = [str(f.path) for f in inbox.folders if not f.path.is_dir()]
    if missing:
        raise InboxError(f"{path}: inbox folder(s) not found: {', '.join(missing)}; create them or fix the paths")
    return inbox
