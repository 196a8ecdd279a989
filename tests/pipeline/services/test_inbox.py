"""The inbox config: folders mapped to country/level, crons, limits; every mistake named with its place."""

from __future__ import annotations

import pytest

from pipeline.services.inbox import (
    DEFAULT_BATCH_CRON,
    DEFAULT_RETRAIN_CRON,
    InboxError,
    check_cron,
    load_inbox,
    max_attempts_from_env,
    parse_inbox,
)


def write(tmp_path, text: str):
    (tmp_path / "in" / "mx").mkdir(parents=True, exist_ok=True)
    (tmp_path / "in" / "jal").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "inbox.yaml"
    path.write_text(text)
    return path


def test_a_full_config(tmp_path):
    path = write(
        tmp_path,
        "folders:\n"
        "  - {path: in/mx, country: Mexico, level: National}\n"
        f"  - {{path: {tmp_path / 'in' / 'jal'}, country: Mexico, level: local}}\n"
        "schedule: '30 1 * * mon-fri'\nretrain: null\ntimezone: America/Mexico_City\n"
        "max_attempts: 5\ntop_k: 2\nworkers: 2\n",
    )
    inbox = load_inbox(path)
    assert [(f.path, f.country, f.level) for f in inbox.folders] == [
        (tmp_path / "in" / "mx", "Mexico", "national"),  # relative to the file; level normalised
        (tmp_path / "in" / "jal", "Mexico", "local"),
    ]
    assert (inbox.schedule, inbox.retrain, inbox.timezone) == ("30 1 * * mon-fri", None, "America/Mexico_City")
    assert (inbox.max_attempts, inbox.top_k, inbox.workers, inbox.dask_address) == (5, 2, 2, None)
    assert inbox.source == path.resolve()


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("MGI_MAX_ATTEMPTS", raising=False)
    inbox = load_inbox(write(tmp_path, "folders: [in/mx]\n"))
    assert (inbox.schedule, inbox.retrain, inbox.timezone) == (DEFAULT_BATCH_CRON, DEFAULT_RETRAIN_CRON, "UTC")
    assert (inbox.folders[0].country, inbox.folders[0].level, inbox.max_attempts, inbox.workers) == (
        None,
        None,
        None,
        None,
    )
    monkeypatch.setenv("MGI_MAX_ATTEMPTS", "7")
    assert load_inbox(tmp_path / "inbox.yaml").max_attempts == 7


def test_default_location_is_mgi_home(tmp_path, monkeypatch):
    monkeypatch.delenv("MGI_INBOX", raising=False)
    write(tmp_path, "folders: [in/mx]\n")
    assert load_inbox(None, tmp_path).folders[0].path == tmp_path / "in" / "mx"
    with pytest.raises(InboxError, match=r"inbox config .*nothing-here.* not found: write one"):
        load_inbox(None, tmp_path / "nothing-here")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("folders: []\n", "'folders' must be a non-empty list"),
        ("- a\n- b\n", "expected a mapping with a 'folders' list"),
        ("folders: [in/mx]\nschedul: '0 2 * * *'\n", "unknown key\\(s\\) schedul"),
        ("folders:\n  - {country: Mexico}\n", "folder entry 1 has no 'path'"),
        ("folders:\n  - {path: in/mx, levle: local}\n", "folder entry 1 has unknown key\\(s\\) levle"),
        ("folders:\n  - {path: in/mx, level: federal}\n", "level 'federal'; use national or local"),
        ("folders: [in/nope]\n", "inbox folder\\(s\\) not found: .*in/nope"),
        ("folders: [in/mx]\nschedule: '0 2 * *'\n", "five fields"),
        ("folders: [in/mx]\nretrain: '0 24 * * *'\n", "the hour field '24'"),
        ("folders: [in/mx]\nmax_attempts: 0\n", "max_attempts must be a whole number of at least 1"),
        ("folders: [in/mx]\nworkers: two\n", "workers must be a whole number"),
        ("folders: [in/mx]\ndask_address: myhost\n", "should look like tcp://HOST:8786"),
        ("folders: [in/mx\n", "line 2: not valid YAML"),
    ],
)
def test_mistakes_are_named(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InboxError, match=message) as err:
        load_inbox(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("expr", ["0 2 * * *", "*/15 6-18 * * 1-5", "0 0 1 jan,jul *", "5 4 * * sun", "0 0 29 2 *"])
def test_valid_crons(expr):
    assert check_cron(expr, "x") == expr


@pytest.mark.parametrize(
    "expr", ["0 2 * * * *", "60 * * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *", "5-1 * * * *", "@daily"]
)
def test_invalid_crons(expr):
    with pytest.raises(InboxError, match="cron"):
        check_cron(expr, "x")


def test_max_attempts_from_env(monkeypatch):
    monkeypatch.setenv("MGI_MAX_ATTEMPTS", "three")
    with pytest.raises(ValueError, match="MGI_MAX_ATTEMPTS='three' is not a whole number"):
        max_attempts_from_env()


def test_parse_in_code_is_relative_to_a_base(tmp_path):
    inbox = parse_inbox({"folders": [{"path": "a", "country": "X"}]}, None, tmp_path)
    assert inbox.folders[0].path == tmp_path / "a" and inbox.source is None
