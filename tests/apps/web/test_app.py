"""The review web app over HTTP: sessions on every route, CSRF on every POST, the review flow with
leases and stale decisions, admin pages, downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from review_seed import NORVANIA, candidate_id
from sqlalchemy import select
from webkit import csrf_of

from pipeline.storage.tables import ChangeRow, DecisionRow, ReviewStateRow


def all_routes(routes, prefix: str = "") -> list[tuple[str, set[str]]]:  # noqa: ANN001
    """(path, methods) of every route, with included routers (the triage pages) flattened."""
    out = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append((prefix + route.path, set(route.methods)))
        elif hasattr(route, "original_router"):  # FastAPI's included router
            out += all_routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            raise AssertionError(f"{route!r}: only API routes (a mount would skip the session check)")
    return out


def test_no_route_answers_without_a_session(app):
    client = TestClient(app)
    routes = all_routes(app.routes)
    paths = {p for p, _ in routes}
    assert {"/queue", "/items/{cid}", "/items/{cid}/decide", "/undo", "/bulk/decide", "/api/queue"} <= paths
    checked = 0
    for path, methods in routes:
        for method in methods - {"HEAD"}:
            r = client.request(method, re.sub(r"\{[^}]+\}", "1", path), follow_redirects=False)
            checked += 1
            if path == "/login":
                assert r.status_code == (200 if method == "GET" else 403)  # POST: no login CSRF cookie
                continue
            if path.startswith("/api/"):
                assert r.status_code == 401 and r.json() == {"error": "not logged in"}, path
            else:
                assert r.status_code == 303, (method, path, r.status_code)
                assert r.headers["location"].startswith("/login?next="), path
    assert checked >= 25
    # a forged or expired cookie is no session either
    client.cookies.set("mgi_session", "forged")
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401
    # no interactive API docs or schema are published
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404


def test_login_wrong_password_and_logout(app):
    client = TestClient(app)
    page = client.get("/login?next=/history")
    r = client.post(
        "/login", data={"csrf": csrf_of(page.text), "name": "alice", "password": "nope", "next": "/history"}
    )
    assert r.status_code == 401 and "wrong user name or password" in r.text and "Traceback" not in r.text
    r = client.post(
        "/login",
        data={"csrf": csrf_of(r.text), "name": "alice", "password": "alice-pass-1", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/queue"  # no open redirect
    cookie = r.cookies.get("mgi_session") or client.cookies.get("mgi_session")
    assert (
        cookie and "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
    )
    csrf = csrf_of(client.get("/queue").text)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/queue", follow_redirects=False).status_code == 303
    # the old cookie is dead server-side too
    client.cookies.set("mgi_session", cookie)
    assert client.get("/api/me").status_code == 401


def test_post_without_csrf_is_refused(client_for, store):
    client, csrf = client_for("alice")
    cid = candidate_id(store, "4.3.4")
    for data in ({"version": "0", "action": "reject"}, {"version": "0", "action": "reject", "csrf": "wrong"}):
        r = client.post(f"/items/{cid}/decide", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    assert client.post("/undo", data={}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert (
        client.post(
            f"/items/{cid}/decide",
            data={"version": "0", "action": "reject"},
            headers={"X-CSRF-Token": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )  # header works too
    with store.session() as s:
        assert len(s.scalars(select(DecisionRow)).all()) == 1


def test_review_flow_confirm_next_undo(client_for, store):
    client, csrf = client_for("alice")
    r = client.get("/next", follow_redirects=False)
    first = int(r.headers["location"].split("/items/")[1].split("?")[0])
    page = client.get(f"/items/{first}")
    assert page.status_code == 200 and '<mark id="passage">' in page.text and "open the PDF at page" in page.text
    assert "Annotation guideline" in page.text and "What counts as evidence" in page.text
    r = client.post(
        f"/items/{first}/decide",
        data={"csrf": csrf, "version": "0", "action": "confirm", "polarity": "gap", "note": "ad hoc only", "qs": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] != f"/items/{first}"
    landed = client.get(r.headers["location"])
    assert f"#{first} confirmed as" in landed.text and "(gap)" in landed.text
    with store.session() as s:
        st = s.get(ReviewStateRow, first)
        assert (st.status, st.polarity, st.note, st.version) == ("confirmed", "gap", "ad hoc only", 1)
    r = client.post("/undo", data={"csrf": csrf}, follow_redirects=False)
    assert r.headers["location"] == f"/items/{first}"
    assert "back in the queue" in client.get(r.headers["location"]).text
    with store.session() as s:
        assert s.get(ReviewStateRow, first).status == "pending"
        assert [c.action for c in s.scalars(select(ChangeRow).order_by(ChangeRow.id))] == ["decide", "undo"]


def test_relabel_by_name_and_unknown_indicator(client_for, store):
    client, csrf = client_for("alice")
    cid = candidate_id(store, "1.2.2")
    client.get(f"/items/{cid}")
    r = client.post(
        f"/items/{cid}/decide",
        data={"csrf": csrf, "version": "0", "action": "relabel", "indicator": "9.9.9", "note": "keep me"},
    )
    assert r.status_code == 400 and "unknown indicator &#39;9.9.9&#39;" in r.text and "keep me" in r.text
    r = client.post(
        f"/items/{cid}/decide",
        data={"csrf": csrf, "version": "0", "action": "relabel", "indicator": "1.2.1 — Right to family reunification"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with store.session() as s:
        d = s.scalars(select(DecisionRow)).one()
        assert (d.shown_indicator, d.final_indicator, d.status) == ("1.2.2", "1.2.1", "confirmed")


def test_two_analysts_one_item_lease_then_stale(client_for, store):
    alice, a_csrf = client_for("alice")
    bob, b_csrf = client_for("bob")
    cid = candidate_id(store, "2.2.1")
    assert 'id="lease-error"' not in alice.get(f"/items/{cid}").text  # alice opens it first: leased to her
    page = bob.get(f"/items/{cid}")
    assert "being reviewed by alice" in page.text and 'id="btn-confirm" class="primary" disabled' in page.text
    r = bob.post(f"/items/{cid}/decide", data={"csrf": b_csrf, "version": "0", "action": "reject"})
    assert r.status_code == 409 and "being reviewed by alice" in r.text
    r = alice.post(
        f"/items/{cid}/decide", data={"csrf": a_csrf, "version": "0", "action": "confirm"}, follow_redirects=False
    )
    assert r.status_code == 303
    # bob's screen still shows version 0: his decision is refused with who did what
    bob.get(f"/items/{cid}")
    r = bob.post(f"/items/{cid}/decide", data={"csrf": b_csrf, "version": "0", "action": "reject"})
    assert r.status_code == 409 and "alice confirmed it as 2.2.1" in r.text
    with store.session() as s:
        assert [d.user_id for d in s.scalars(select(DecisionRow))] == [
            s.scalar(select(ReviewStateRow.updated_by).where(ReviewStateRow.candidate_id == cid))
        ]


def test_queue_filters_counts_and_bad_input(client_for):
    client, _ = client_for("alice")
    page = client.get("/queue")
    assert "8 pending" in page.text and "0% reviewed of 8" in page.text
    page = client.get("/queue", params={"country": NORVANIA, "min_score": "0.5", "sort": "score"})
    assert page.status_code == 200 and page.text.count('<tr data-href="/items/') == 3
    page = client.get("/queue", params={"min_score": "abc", "indicator": "zzz", "status": "bogus"})
    assert page.status_code == 200
    assert "min score &#39;abc&#39; is not a number" in page.text and "unknown indicator &#39;zzz&#39;" in page.text
    assert client.get("/items/99999").status_code == 404
    assert client.get("/items/abc").status_code in (404, 422)
    api = client.get("/api/queue", params={"sort": "score", "limit": "2"}).json()
    assert api["total"] == 8 and [round(i["score"], 2) for i in api["items"]] == [0.81, 0.66]


def test_bulk_view_decides_a_group(client_for, store):
    client, csrf = client_for("alice")
    page = client.get("/bulk")
    assert "6.4.2" in page.text and "2 passages" in page.text
    items = re.findall(r'name="item" value="([0-9]+:[0-9]+)"', page.text)
    assert len(items) == 2
    r = client.post(
        "/bulk/decide",
        data={"csrf": csrf, "item": items, "action": "reject", "polarity": "developed"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "2 item(s) rejected" in client.get(r.headers["location"]).text
    with store.session() as s:
        assert {d.kind for d in s.scalars(select(DecisionRow))} == {"bulk"}


def test_admin_pages_are_for_admins(client_for):
    alice, a_csrf = client_for("alice")
    assert alice.get("/agreement").status_code == 403 and alice.get("/admin/users").status_code == 403
    assert (
        alice.post(
            "/admin/users", data={"csrf": a_csrf, "action": "add", "name": "eve", "password": "12345678"}
        ).status_code
        == 403
    )
    root, r_csrf = client_for("root")
    assert root.get("/agreement").status_code == 200
    r = root.post(
        "/admin/users",
        data={"csrf": r_csrf, "action": "add", "name": "eve", "role": "analyst", "password": "short"},
        follow_redirects=True,
    )
    assert "password too short" in r.text
    r = root.post(
        "/admin/users",
        data={"csrf": r_csrf, "action": "add", "name": "eve", "role": "analyst", "password": "eve-password"},
        follow_redirects=True,
    )
    assert "User eve added." in r.text
    r = root.post("/admin/users", data={"csrf": r_csrf, "action": "disable", "name": "alice"}, follow_redirects=True)
    assert "alice disabled" in r.text
    assert alice.get("/queue", follow_redirects=False).status_code == 303  # her session ended
    r = root.post("/admin/require", data={"csrf": r_csrf, "n": "2", "qs": "domain=1"}, follow_redirects=True)
    assert "3 item(s) now need 2 independent review(s)." in r.text


def test_history_shows_everyones_work_to_admins_only(client_for, store):
    alice, a_csrf = client_for("alice")
    cid = candidate_id(store, "4.3.4")
    alice.post(f"/items/{cid}/decide", data={"csrf": a_csrf, "version": "0", "action": "reject"})
    bob, _ = client_for("bob")
    assert f"#{cid}" not in bob.get("/history").text
    assert f"#{cid}" not in bob.get("/history?user=all").text  # analysts see their own work only
    root, _ = client_for("root")
    assert f"#{cid}" in root.get("/history?user=all").text and f"#{cid}" in root.get("/history?user=alice").text


def test_pdf_profile_export_and_guideline(client_for, store):
    client, _ = client_for("alice")
    with store.session() as s:
        from pipeline.storage.tables import DocumentRow

        sha = s.scalar(select(DocumentRow.sha256).where(DocumentRow.title == "Migration Act 2021"))
    r = client.get(f"/documents/{sha}/pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert client.get("/documents/nope/pdf").status_code == 404
    page = client.get("/profile", params={"country": "norvania", "language": "fr"})
    assert page.status_code == 200 and "Domaines bien développés" in page.text and "<svg" in page.text
    assert "no documents for country" in client.get("/profile", params={"country": "Atlantis"}).text
    md = client.get("/profile", params={"country": "norvania", "format": "md"})
    assert md.headers["content-disposition"].startswith("attachment") and md.text.startswith("# Migration governance")
    csv_export = client.get("/export", params={"format": "csv", "status": "all"})
    assert csv_export.status_code == 200 and len(list(csv.DictReader(io.StringIO(csv_export.text)))) == 8
    assert client.get("/export", params={"format": "pdf"}).status_code == 400
    assert "Polarity" in client.get("/guidelines").text
    assert client.get("/static/app.js").status_code == 200 and client.get("/static/..%2Fapp.py").status_code == 404


def test_pages_are_not_framed_and_not_cached(client_for):
    client, _ = client_for("alice")
    r = client.get("/queue")
    assert r.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/queue", "/bulk", "/history", "/profile", "/guidelines"])
def test_every_page_has_the_logout_form_with_csrf(client_for, path):
    client, csrf = client_for("root")
    page = client.get(path)
    assert page.status_code == 200 and f'name="csrf" value="{csrf}"' in page.text
