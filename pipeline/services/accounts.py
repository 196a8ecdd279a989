"""Accounts and sessions for the review tools.

Passwords are hashed with scrypt (standard library) and a per-user random salt; the stored string
names its parameters so they can be raised later without breaking old hashes. A session is a
random token kept in the browser's cookie; the database keeps only the token's SHA-256 and the
session's CSRF token. Users are never deleted (their decisions point at them): they are disabled.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from pipeline.errors import MgiError
from pipeline.storage.engine import write_session
from pipeline.storage.store import Store
from pipeline.storage.tables import ROLES, SessionRow, UserRow, now

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32
MIN_PASSWORD = 8
SESSION_HOURS = 12
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


class AccountError(MgiError, ValueError):
    """A problem a user caused (unknown name, weak password, wrong role); the message says what to do."""


class AuthError(AccountError):
    """Login refused. Deliberately the same message for an unknown name and a wrong password."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf: str
    expires_at: datetime


def _user(row: UserRow) -> User:
    return User(row.id, row.name, row.role, row.active)


# --------------------------------------------------------------------------- passwords


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN, maxmem=256 * 1024 * 1024
    )
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    return _DUMMY_HASH


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: use at least {MIN_PASSWORD} characters")
    if password.strip() != password:
        raise AccountError("password starts or ends with white space: remove it (a stray newline?)")


# --------------------------------------------------------------------------- users


def add_user(store: Store, name: str, password: str, role: str = "analyst") -> User:
    if not NAME_RE.match(name or ""):
        raise AccountError(f"invalid user name {name!r}: use 2-64 letters, digits, '.', '_', '-' or '@'")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    check_new_password(password)
    hashed = hash_password(password)
    with write_session(store) as s:
        if s.scalar(select(UserRow).where(UserRow.name == name)) is not None:
            raise AccountError(f"a user named {name!r} already exists (change the password with `mgi users passwd`)")
        row = UserRow(name=name, role=role, password=hashed, active=True)
        s.add(row)
        s.flush()
        return _user(row)


def get_user(store: Store, name: str) -> User:
    with store.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise AccountError(f"no user named {name!r}: see `mgi users list`, or add one with `mgi users add {name}`")
    return _user(row)


def user_by_id(store: Store, user_id: int) -> User | None:
    with store.session() as s:
        row = s.get(UserRow, user_id)
    return _user(row) if row else None


def list_users(store: Store) -> list[dict]:
    with store.session() as s:
        return [
            {
                "id": r.id,
                "name": r.name,
                "role": r.role,
                "active": r.active,
                "created_at": r.created_at,
                "last_login_at": r.last_login_at,
            }
            for r in s.scalars(select(UserRow).order_by(UserRow.name))
        ]


def _modify(store: Store, name: str, **values: object) -> User:
    with write_session(store) as s:
        row = s.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise AccountError(f"no user named {name!r}: see `mgi users list`")
        for k, v in values.items():
            setattr(row, k, v)
        if values.get("active") is False or "password" in values:  # end their sessions
            s.execute(
                update(SessionRow)
                .where(SessionRow.user_id == row.id, SessionRow.ended_at.is_(None))
                .values(ended_at=now())
            )
        return _user(row)


def set_role(store: Store, name: str, role: str) -> User:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return _modify(store, name, role=role)


def set_active(store: Store, name: str, active: bool) -> User:
    return _modify(store, name, active=active)


def set_password(store: Store, name: str, password: str) -> User:
    check_new_password(password)
    return _modify(store, name, password=hash_password(password))


def authenticate(store: Store, name: str, password: str) -> User:
    """The user if name and password match an active account; ``AuthError`` otherwise."""
    with store.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.name == (name or "").strip()))
    if row is None:
        verify_password(password, _dummy_hash())  # same work as a real check: no timing hint
        raise AuthError("wrong user name or password")
    if not verify_password(password or "", row.password):
        raise AuthError("wrong user name or password")
    if not row.active:
        raise AuthError(f"the account {row.name!r} is disabled: ask an administrator")
    return _user(row)


# --------------------------------------------------------------------------- sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(store: Store, user: User, hours: float = SESSION_HOURS) -> tuple[str, str]:
    """Start a session; returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with write_session(store) as s:
        s.add(
            SessionRow(
                token_hash=_token_hash(token), user_id=user.id, csrf=csrf, expires_at=now() + timedelta(hours=hours)
            )
        )
        s.execute(update(UserRow).where(UserRow.id == user.id).values(last_login_at=now()))
    return token, csrf


def session_user(store: Store, token: str | None) -> SessionInfo | None:
    """The live session for a cookie token, or None (unknown, ended, expired, or user disabled)."""
    if not token or len(token) > 200:
        return None
    with store.session() as s:
        row = s.execute(
            select(SessionRow, UserRow)
            .join(UserRow, SessionRow.user_id == UserRow.id)
            .where(SessionRow.token_hash == _token_hash(token))
        ).first()
    if row is None:
        return None
    sess, user = row
    if sess.ended_at is not None or sess.expires_at <= now() or not user.active:
        return None
    return SessionInfo(_user(user), sess.csrf, sess.expires_at)


def end_session(store: Store, token: str | None) -> None:
    if not token:
        return
    with write_session(store) as s:
        s.execute(
            update(SessionRow)
            .where(SessionRow.token_hash == _token_hash(token), SessionRow.ended_at.is_(None))
            .values(ended_at=now())
        )
