"""Accounts: hashed passwords, sessions, roles, and the `mgi users` command."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from review_seed import PASSWORDS, mgi, seeded
from sqlalchemy import select, update

from pipeline.services import accounts
from pipeline.storage.store import Store
from pipeline.storage.tables import SessionRow, UserRow, now


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'acc.db'}")


def test_passwords_are_salted_scrypt_hashes():
    a, b = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$16384$8$1$") and "correct" not in a
    assert accounts.verify_password("correct horse", a) and not accounts.verify_password("correct horsE", a)
    assert not accounts.verify_password("x", "not-a-hash") and not accounts.verify_password("x", "md5$1$2$3$aa$bb")


def test_add_user_validates_and_refuses_duplicates(store):
    user = accounts.add_user(store, "ana.lyst", "long enough", "analyst")
    assert (user.name, user.role, user.is_admin) == ("ana.lyst", "analyst", False)
    with store.session() as s:
        assert s.scalar(select(UserRow.password).where(UserRow.name == "ana.lyst")).startswith("scrypt$")
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.add_user(store, "ana.lyst", "long enough")
    with pytest.raises(accounts.AccountError, match="too short"):
        accounts.add_user(store, "bob", "short")
    with pytest.raises(accounts.AccountError, match="unknown role 'boss'"):
        accounts.add_user(store, "bob", "long enough", "boss")
    with pytest.raises(accounts.AccountError, match="invalid user name"):
        accounts.add_user(store, "bob smith", "long enough")


def test_authenticate_gives_one_message_for_unknown_user_and_wrong_password(store):
    accounts.add_user(store, "alice", "alice-pass-1")
    assert accounts.authenticate(store, "alice", "alice-pass-1").name == "alice"
    for name, password in (("alice", "wrong-pass"), ("mallory", "alice-pass-1")):
        with pytest.raises(accounts.AuthError, match="^wrong user name or password$"):
            accounts.authenticate(store, name, password)
    accounts.set_active(store, "alice", False)
    with pytest.raises(accounts.AuthError, match="disabled"):
        accounts.authenticate(store, "alice", "alice-pass-1")


def test_sessions_expire_end_and_die_with_the_account(store):
    user = accounts.add_user(store, "alice", "alice-pass-1")
    token, csrf = accounts.create_session(store, user)
    info = accounts.session_user(store, token)
    assert info.user.name == "alice" and info.csrf == csrf
    with store.session() as s:  # only the token's hash is stored
        assert s.scalar(select(SessionRow.token_hash)) != token
    assert accounts.session_user(store, token + "x") is None and accounts.session_user(store, None) is None
    accounts.end_session(store, token)
    assert accounts.session_user(store, token) is None
    token, _ = accounts.create_session(store, user)
    with store.session() as s, s.begin():
        s.execute(update(SessionRow).values(expires_at=now() - timedelta(seconds=1)))
    assert accounts.session_user(store, token) is None
    token, _ = accounts.create_session(store, user)
    accounts.set_password(store, "alice", "a-new-password")  # ends the user's sessions
    assert accounts.session_user(store, token) is None
    token, _ = accounts.create_session(store, user)
    accounts.set_active(store, "alice", False)
    assert accounts.session_user(store, token) is None


def test_users_are_never_deleted(store):
    accounts.add_user(store, "alice", "alice-pass-1")
    accounts.set_active(store, "alice", False)
    assert [(u["name"], u["active"]) for u in accounts.list_users(store)] == [("alice", False)]
    with pytest.raises(accounts.AccountError, match="no user named 'zed'"):
        accounts.set_role(store, "zed", "admin")


def test_mgi_users_command(tmp_path, monkeypatch, capsys):
    store = seeded(tmp_path)
    monkeypatch.setenv("MGI_DB_URL", store.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-good-password\n"))
    code, out, err = mgi(capsys, "users", "add", "carol", "--role", "admin", "--password-stdin")
    assert (code, out.strip()) == (0, "added admin carol"), err
    assert accounts.authenticate(store, "carol", "a-good-password").role == "admin"
    code, out, _ = mgi(capsys, "users", "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["alice", "bob", "carol", "root"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = mgi(capsys, "users", "add", "dave", "--password-stdin")
    assert code == 2 and err.strip() == "mgi users: password too short: use at least 8 characters"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal and no --password-stdin
    code, _, err = mgi(capsys, "users", "add", "dave")
    assert code == 2 and "--password-stdin" in err
    code, out, _ = mgi(capsys, "users", "role", "alice", "admin")
    assert code == 0 and accounts.get_user(store, "alice").role == "admin"
    code, _, _ = mgi(capsys, "users", "disable", "bob")
    assert code == 0 and not accounts.get_user(store, "bob").active
    code, _, err = mgi(capsys, "users", "disable", "nobody")
    assert code == 2 and err.strip().startswith("mgi users: no user named 'nobody'")
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(store, "bob", PASSWORDS["bob"])
