"""The review web app: server-rendered pages (Jinja2) over the review core, keyboard-first.

``create_app`` builds the app: its context (``apps.web.deps.Web``), the routers of
``apps.web.routes`` (one module per resource) and the triage pages of ``apps.web.triage``.
Every route except the login form needs a session (one app-wide dependency, so a new route is
protected by default); every POST needs the session's CSRF token (form field ``csrf`` or header
``X-CSRF-Token``). Forms are URL-encoded and parsed here, so python-multipart is not needed.
Errors become pages (or JSON under ``/api/``) in one place: the exception handlers below.

May import: ``apps.web.*``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from apps.web.deps import (
    COOKIE,
    PUBLIC_PATHS,
    SECURITY_HEADERS,
    NotAuthenticated,
    Web,
    guideline_html,
    one,
    read_form,
)
from apps.web.routes import ROUTERS
from apps.web.templating import label_helpers, serve_static, templates_for
from pipeline.config import REPO_ROOT
from pipeline.errors import MgiError
from pipeline.services import accounts, review
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.store import Store

NAV = [
    ("Queue", "/queue"),
    ("Bulk", "/bulk"),
    ("History", "/history"),
    ("Profile", "/profile"),
    ("Guideline", "/guidelines"),
]


def create_app(
    store: Store,
    taxonomy: Taxonomy,
    *,
    lease_minutes: float = review.LEASE_MINUTES,
    guidelines: Path | None = REPO_ROOT / "annotations" / "GUIDELINES.md",
    thresholds: review.ThresholdFn | None = None,
    secure_cookies: bool = False,
    ui_language: str = "en",
    triage: bool = True,
    home: Path | None = None,
) -> FastAPI:
    """The review app over ``store``. ``secure_cookies``: mark cookies Secure (behind HTTPS);
    ``triage``: include the triage pages of ``apps.web.triage`` (search, coverage, reading
    list, overview) behind the same session and CSRF checks; ``home``: MGI_HOME for their caches."""
    thresholds = thresholds or review.threshold_resolver()
    review.sync_items(store, thresholds)

    async def guard(request: Request) -> None:
        """Session for every route but login; CSRF token for every POST."""
        if request.url.path in PUBLIC_PATHS:
            return
        token = request.cookies.get(COOKIE)
        info = await run_in_threadpool(accounts.session_user, store, token) if token else None
        if info is None:
            raise NotAuthenticated()
        request.state.user = info.user
        request.state.csrf = info.csrf
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            form = await read_form(request)
            request.state.form = form
            sent = one(form, "csrf") or request.headers.get("x-csrf-token", "")
            if not sent or not hmac.compare_digest(sent, info.csrf):
                raise HTTPException(403, "Missing or wrong CSRF token: reload the page and try again.")

    app = FastAPI(
        title="MGI evidence review", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(guard)]
    )
    app.state.store = store
    app.state.taxonomy = taxonomy
    templates = templates_for(app)
    app.state.web = Web(
        store=store,
        taxonomy=taxonomy,
        templates=templates,
        thresholds=thresholds,
        lease_minutes=lease_minutes,
        guideline=guideline_html(guidelines),
        secure_cookies=secure_cookies,
        ui_language=ui_language,
    )
    _template_helpers(templates, taxonomy, ui_language)
    serve_static(app)
    _errors_and_headers(app)
    for router in ROUTERS:
        app.include_router(router)

    if triage:
        from apps.web import triage as triage_pages

        triage_pages.mount(app, store=store, taxonomy=taxonomy, home=home, nav=NAV, ui_language=ui_language)
        templates.env.globals["triage_pages"] = True
    return app


def _template_helpers(templates: Any, taxonomy: Taxonomy, ui_language: str) -> None:
    def fmt_dt(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    templates.env.globals.update(
        **label_helpers(taxonomy, ui_language),
        fmt_dt=fmt_dt,
        taxonomy=taxonomy,
        sorts=review.SORTS,
        statuses=review.STATUSES,
    )
    templates.env.filters["fmt_dt"] = fmt_dt


def _errors_and_headers(app: FastAPI) -> None:
    """Security headers on every response; the one translation of errors into pages (or JSON)."""
    templates = app.state.templates

    @app.middleware("http")
    async def headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.path != "/static" and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        else:
            response.headers.setdefault("Cache-Control", "private, max-age=300")
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not logged in"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    def error_page(request: Request, status: int, message: Any) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request,
            "message.html",
            {
                "user": getattr(request.state, "user", None),
                "csrf": getattr(request.state, "csrf", ""),
                "title": f"Error {status}",
                "message": message,
                "flash": None,
            },
            status_code=status,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, exc.detail)

    @app.exception_handler(MgiError)
    async def user_error(request: Request, exc: MgiError) -> Response:
        """A project error no route turned into a message of its own: the same page, status 400."""
        return error_page(request, 400, str(exc).strip() or type(exc).__name__)
