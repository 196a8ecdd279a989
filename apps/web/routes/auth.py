"""`/login` and `/logout`: the login form, sessions and their cookies (a failed-login window per name).

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from apps.web.deps import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW_S,
    one,
    read_form,
    safe_next,
    web,
)
from pipeline.services import accounts, review
from pipeline.services.accounts import AuthError

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/queue", error: str | None = None) -> Response:  # noqa: A002
    w = web(request)
    token = request.cookies.get(COOKIE)
    if token and accounts.session_user(w.store, token):
        return RedirectResponse(safe_next(next), status_code=303)
    login_csrf = secrets.token_urlsafe(24)
    response = w.templates.TemplateResponse(
        request,
        "login.html",
        {"next": safe_next(next), "error": error, "login_csrf": login_csrf},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        login_csrf,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=w.secure_cookies,
        path="/login",
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    w = web(request)
    form = await read_form(request)
    sent, cookie = one(form, "csrf"), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent or not cookie or not hmac.compare_digest(sent, cookie):
        raise HTTPException(403, "Missing or wrong CSRF token: reload the login page and try again.")
    name, password, target = one(form, "name").strip(), one(form, "password"), safe_next(one(form, "next"))
    recent = w.failures[name.lower()]
    while recent and recent[0] < time.monotonic() - LOGIN_WINDOW_S:
        recent.popleft()
    if len(recent) >= LOGIN_MAX_FAILURES:
        return RedirectResponse(
            f"/login?next={quote(target)}&error={quote('Too many failed attempts: wait a few minutes.')}",
            status_code=303,
        )
    try:
        user = await run_in_threadpool(accounts.authenticate, w.store, name, password)
    except AuthError as err:
        recent.append(time.monotonic())
        return RedirectResponse(f"/login?next={quote(target)}&error={quote(str(err))}", status_code=303)
    token, _csrf = await run_in_threadpool(accounts.create_session, w.store, user)
    recent.clear()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=w.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    w = web(request)
    accounts.end_session(w.store, request.cookies.get(COOKIE))
    review.release_lease(w.store, request.state.user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
