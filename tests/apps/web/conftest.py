"""Fixtures for the review web app: a seeded database, the app over it, logged-in clients."""

from __future__ import annotations

import pytest
from review_seed import PASSWORDS, seeded
from webkit import csrf_of  # noqa: F401 - used by login() below

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.stages.taxonomy import load_taxonomy


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture
def store(tmp_path):
    return seeded(tmp_path)


@pytest.fixture
def app(store, taxonomy):
    from apps.web.app import create_app

    return create_app(store, taxonomy, lease_minutes=10)


def login(client, name: str, password: str | None = None):  # noqa: ANN001, ANN201
    """Log ``client`` in through the login form; returns the session's CSRF token."""
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "name": name, "password": password or PASSWORDS[name], "next": "/queue"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue", r.text
    return csrf_of(client.get("/queue").text)


@pytest.fixture
def client_for(app):
    """client_for("alice") -> (TestClient logged in as alice, csrf token)."""
    from fastapi.testclient import TestClient

    clients = []

    def make(name: str):  # noqa: ANN202
        c = TestClient(app)
        clients.append(c)
        return c, login(c, name)

    yield make
    for c in clients:
        c.close()
