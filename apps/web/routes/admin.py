"""`/agreement`, `/admin/require` and `/admin/users`: double review and accounts (administrators only).

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from apps.web.deps import (
    one,
    parse_qs_flat,
    web,
)
from pipeline.services import accounts, review
from pipeline.services.accounts import AccountError
from pipeline.services.review import ReviewError

router = APIRouter()


@router.get("/agreement", response_class=HTMLResponse)
def agreement_view(request: Request) -> Response:
    w = web(request)
    w.need_admin(request)
    return w.page(
        request, "agreement.html", {"report": review.agreement(w.store), "by_user": review.counts_by_user(w.store)}
    )


@router.post("/admin/require")
def admin_require(request: Request) -> Response:
    w = web(request)
    user = w.need_admin(request)
    form = request.state.form
    qs = w.clean_qs(one(form, "qs"))
    f, sort, _errors = w.filters_from(parse_qs_flat(qs))
    try:
        n = int(one(form, "n"))
        ids = [it["id"] for it in review.queue(w.store, f, sort=sort, limit=20000).items]
        changed = review.require_reviews(w.store, user, ids, n)
    except ValueError as err:
        return w.redirect(
            w.with_qs("/queue", qs), str(err) if isinstance(err, ReviewError) else "n must be a number", "error"
        )
    return w.redirect(w.with_qs("/queue", qs), f"{changed} item(s) now need {n} independent review(s).")


@router.get("/admin/users", response_class=HTMLResponse)
def users_view(request: Request) -> Response:
    w = web(request)
    w.need_admin(request)
    return w.page(request, "users.html", {"users": accounts.list_users(w.store)})


@router.post("/admin/users")
def users_change(request: Request) -> Response:
    w = web(request)
    me = w.need_admin(request)
    form = request.state.form
    action, name = one(form, "action"), one(form, "name").strip()
    try:
        if action == "add":
            accounts.add_user(w.store, name, one(form, "password"), one(form, "role") or "analyst")
            msg = f"User {name} added."
        elif action == "role":
            if name == me.name and one(form, "role") != "admin":
                raise AccountError("you cannot take the admin role from yourself")
            accounts.set_role(w.store, name, one(form, "role"))
            msg = f"{name} is now {one(form, 'role')}."
        elif action in ("disable", "enable"):
            if name == me.name:
                raise AccountError("you cannot disable yourself")
            accounts.set_active(w.store, name, action == "enable")
            msg = f"{name} {action}d."
        elif action == "password":
            accounts.set_password(w.store, name, one(form, "password"))
            msg = f"Password of {name} changed; their sessions ended."
        else:
            raise AccountError(f"unknown action {action!r}")
    except AccountError as err:
        return w.redirect("/admin/users", str(err), "error")
    return w.redirect("/admin/users", msg)
