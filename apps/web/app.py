"""The review web app: server-rendered pages (Jinja2) over the review core, keyboard-first.

Every route except the login form needs a session (one app-wide dependency, so a new route is
protected by default); every POST needs the session's CSRF token (form field ``csrf`` or header
``X-CSRF-Token``). Forms are URL-encoded and parsed here, so python-multipart is not needed.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from apps.web.templating import serve_static, templates_for
from pipeline import accounts, review
from pipeline.accounts import AccountError, AuthError, User
from pipeline.config import REPO_ROOT
from pipeline.review import QueueFilter, ReviewError
from pipeline.review_models import ensure_review_schema
from pipeline.stages.taxonomy import Taxonomy
from pipeline.store import DocumentRow, Store

COOKIE = "mgi_session"
LOGIN_CSRF_COOKIE = "mgi_login_csrf"
FLASH_COOKIE = "mgi_flash"
PUBLIC_PATHS = {"/login"}
MAX_FORM_BYTES = 256 * 1024
PAGE_SIZE = 50
FILTER_KEYS = ("country", "document", "domain", "indicator", "language", "status", "min_score", "max_score", "sort")
LOGIN_WINDOW_S, LOGIN_MAX_FAILURES = 600, 8
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


class NotAuthenticated(Exception):
    pass


def _guideline_html(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "<p>No annotation guideline found (annotations/GUIDELINES.md).</p>"
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(path.read_text(encoding="utf-8"))


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
    ensure_review_schema(store)
    thresholds = thresholds or review.threshold_resolver()
    review.sync_items(store, thresholds)
    guideline = _guideline_html(guidelines)
    indicators = {i.id: i for i in taxonomy.indicators}
    domains = {d.id: d for d in taxonomy.domains}
    last_sync = [time.monotonic()]
    failures: dict[str, deque[float]] = defaultdict(deque)  # recent failed logins per user name
    facet_cache: dict[str, Any] = {}

    def sync(force: bool = False) -> None:
        """New candidates (from a run since) get review-state rows; at most every 20 s."""
        if force or time.monotonic() - last_sync[0] > 20:
            review.sync_items(store, thresholds)
            facet_cache.clear()
            last_sync[0] = time.monotonic()

    def facets() -> dict[str, Any]:
        """The filter menus' values (countries, documents, languages), refreshed with ``sync``."""
        if not facet_cache:
            facet_cache.update(review.facets(store))
        return facet_cache

    # ------------------------------------------------------------------ helpers for templates

    def ind_label(iid: str | None) -> str:
        ind = indicators.get(iid or "")
        return ind.label(ui_language) if ind else (iid or "")

    def ind_desc(iid: str | None) -> str:
        ind = indicators.get(iid or "")
        return ind.describe(ui_language) if ind else "(not in the taxonomy in use)"

    def dom_label(did: str | None) -> str:
        dom = domains.get(did or "")
        return dom.label(ui_language) if dom else (did or "")

    def fmt_dt(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

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
            form = await _read_form(request)
            request.state.form = form
            sent = _one(form, "csrf") or request.headers.get("x-csrf-token", "")
            if not sent or not hmac.compare_digest(sent, info.csrf):
                raise HTTPException(403, "Missing or wrong CSRF token: reload the page and try again.")

    app = FastAPI(
        title="MGI evidence review", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(guard)]
    )
    app.state.store = store
    app.state.taxonomy = taxonomy
    templates = templates_for(app)
    serve_static(app)
    templates.env.globals.update(
        ind_label=ind_label,
        ind_desc=ind_desc,
        dom_label=dom_label,
        fmt_dt=fmt_dt,
        taxonomy=taxonomy,
        sorts=review.SORTS,
        statuses=review.STATUSES,
    )
    templates.env.filters["fmt_dt"] = fmt_dt

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

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        user = getattr(request.state, "user", None)
        return templates.TemplateResponse(
            request,
            "message.html",
            {
                "user": user,
                "csrf": getattr(request.state, "csrf", ""),
                "title": f"Error {exc.status_code}",
                "message": exc.detail,
                "flash": None,
            },
            status_code=exc.status_code,
        )

    def page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        flash = request.cookies.get(FLASH_COOKIE)
        ctx = {"user": request.state.user, "csrf": request.state.csrf, "flash": _parse_flash(flash), **ctx}
        response = templates.TemplateResponse(request, name, ctx, status_code=status)
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def redirect(url: str, flash: str | None = None, kind: str = "ok") -> Response:
        response = RedirectResponse(url, status_code=303)
        if flash:
            response.set_cookie(
                FLASH_COOKIE,
                quote(f"{kind}:{flash}"),
                max_age=60,
                httponly=True,
                samesite="lax",
                secure=secure_cookies,
                path="/",
            )
        return response

    def need_admin(request: Request) -> User:
        user = request.state.user
        if not user.is_admin:
            raise HTTPException(403, "Administrators only.")
        return user

    def filters_from(params: dict[str, str]) -> tuple[QueueFilter, str, list[str]]:
        errors = []
        status = params.get("status") or "pending"
        if status not in (*review.STATUSES, "all"):
            errors.append(f"unknown status {status!r}; showing pending items")
            status = "pending"
        sort = params.get("sort") or "uncertainty"
        if sort not in review.SORTS:
            errors.append(f"unknown sort {sort!r}; sorted by uncertainty")
            sort = "uncertainty"
        scores = {}
        for key in ("min_score", "max_score"):
            raw = (params.get(key) or "").strip()
            if raw:
                try:
                    scores[key] = float(raw)
                except ValueError:
                    errors.append(f"{key.replace('_', ' ')} {raw!r} is not a number; ignored")
        indicator = (params.get("indicator") or "").strip() or None
        if indicator:
            try:
                indicator = review.resolve_indicator(taxonomy, indicator).id
            except ReviewError as err:
                errors.append(f"{err}; filter ignored")
                indicator = None
        f = QueueFilter(
            country=params.get("country") or None,
            document=params.get("document") or None,
            domain=params.get("domain") or None,
            indicator=indicator,
            language=params.get("language") or None,
            status=status,
            **scores,
        )
        return f, sort, errors

    def qs_of(f: QueueFilter, sort: str) -> str:
        q = f.as_query()
        if sort != "uncertainty":
            q["sort"] = sort
        if q.get("status") == "pending":
            q.pop("status")
        return urlencode(q)

    def clean_qs(raw: str | None) -> str:
        """Only the known filter keys of a carried-over query string."""
        parsed = parse_qs(raw or "", keep_blank_values=False)
        return urlencode({k: v[-1] for k, v in parsed.items() if k in FILTER_KEYS and v})

    def with_qs(path: str, qs: str) -> str:
        return f"{path}?{qs}" if qs else path

    # ------------------------------------------------------------------ login

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/queue", error: str | None = None) -> Response:  # noqa: A002
        token = request.cookies.get(COOKIE)
        if token and accounts.session_user(store, token):
            return RedirectResponse(_safe_next(next), status_code=303)
        login_csrf = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": error, "login_csrf": login_csrf},
            status_code=401 if error else 200,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            login_csrf,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
            path="/login",
        )
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await _read_form(request)
        sent, cookie = _one(form, "csrf"), request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not sent or not cookie or not hmac.compare_digest(sent, cookie):
            raise HTTPException(403, "Missing or wrong CSRF token: reload the login page and try again.")
        name, password, target = _one(form, "name").strip(), _one(form, "password"), _safe_next(_one(form, "next"))
        recent = failures[name.lower()]
        while recent and recent[0] < time.monotonic() - LOGIN_WINDOW_S:
            recent.popleft()
        if len(recent) >= LOGIN_MAX_FAILURES:
            return RedirectResponse(
                f"/login?next={quote(target)}&error={quote('Too many failed attempts: wait a few minutes.')}",
                status_code=303,
            )
        try:
            user = await run_in_threadpool(accounts.authenticate, store, name, password)
        except AuthError as err:
            recent.append(time.monotonic())
            return RedirectResponse(f"/login?next={quote(target)}&error={quote(str(err))}", status_code=303)
        token, _csrf = await run_in_threadpool(accounts.create_session, store, user)
        recent.clear()
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=accounts.SESSION_HOURS * 3600,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path="/",
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        accounts.end_session(store, request.cookies.get(COOKIE))
        review.release_lease(store, request.state.user)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # ------------------------------------------------------------------ queue

    @app.get("/")
    def home() -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue_view(request: Request) -> Response:
        sync()
        params = dict(request.query_params)
        f, sort, errors = filters_from(params)
        try:
            page_no = max(1, int(params.get("page") or 1))
        except ValueError:
            page_no = 1
        t0 = time.perf_counter()
        result = review.queue(store, f, sort=sort, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        ms = 1000 * (time.perf_counter() - t0)
        qs = qs_of(f, sort)
        return page(
            request,
            "queue.html",
            {
                "f": f,
                "sort": sort,
                "errors": errors,
                "result": result,
                "page_no": page_no,
                "pages": max(1, -(-result.total // PAGE_SIZE)),
                "qs": qs,
                "facets": facets(),
                "query_ms": ms,
                "params": params,
            },
        )

    @app.get("/next")
    def next_item(request: Request) -> Response:
        sync()
        f, sort, errors = filters_from(dict(request.query_params))
        qs = qs_of(f, sort)
        cid = review.neighbour(store, request.state.user, f, sort=sort)
        if cid is None:
            return redirect(with_qs("/queue", qs), "Nothing left to review with these filters.")
        return redirect(with_qs(f"/items/{cid}", qs))

    # ------------------------------------------------------------------ one item

    def item_page(
        request: Request,
        cid: int,
        qs: str,
        *,
        error: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
        lease: bool = True,
    ) -> Response:
        user = request.state.user
        lease_error = None
        if lease:
            try:
                review.acquire_lease(store, user, cid, lease_minutes)
            except review.LeaseHeld as err:
                lease_error = str(err)
            except review.UnknownItem as err:
                raise HTTPException(404, str(err)) from err
        try:
            item = review.item_detail(store, user, cid)
        except review.UnknownItem as err:
            raise HTTPException(404, str(err)) from err
        read_only = item["lease_user_id"] not in (None, user.id)
        return page(
            request,
            "item.html",
            {
                "item": item,
                "qs": qs,
                "error": error,
                "lease_error": lease_error,
                "read_only": read_only,
                "form": form or {},
                "guideline": guideline,
                "lease_minutes": lease_minutes,
                "indicators": taxonomy.indicators,
                "next_url": with_qs(f"/items/{cid}/go", urlencode({**parse_qs_flat(qs), "dir": "next"})),
                "prev_url": with_qs(f"/items/{cid}/go", urlencode({**parse_qs_flat(qs), "dir": "prev"})),
                "queue_url": with_qs("/queue", qs),
            },
            status=status,
        )

    @app.get("/items/{cid}", response_class=HTMLResponse)
    def item_view(request: Request, cid: int) -> Response:
        return item_page(request, cid, clean_qs(request.url.query))

    @app.get("/items/{cid}/go")
    def item_go(request: Request, cid: int, dir: str = "next") -> Response:  # noqa: A002
        params = dict(request.query_params)
        f, sort, _errors = filters_from(params)
        qs = qs_of(f, sort)
        target = review.neighbour(store, request.state.user, f, sort=sort, after=cid, reverse=dir == "prev", wrap=False)
        if target is None:
            return redirect(
                with_qs(f"/items/{cid}", qs),
                "This is the first item of the queue." if dir == "prev" else "This is the last item of the queue.",
            )
        return redirect(with_qs(f"/items/{target}", qs))

    @app.post("/items/{cid}/decide")
    def item_decide(request: Request, cid: int) -> Response:
        form = request.state.form
        user = request.state.user
        qs = clean_qs(_one(form, "qs"))
        action = _one(form, "action")
        flat = {k: _one(form, k) for k in ("note", "polarity", "indicator")}
        try:
            version = int(_one(form, "version"))
        except ValueError:
            return item_page(request, cid, qs, error="The form lacks the item version: reload the page.", status=400)
        status = {"confirm": "confirmed", "relabel": "confirmed", "reject": "rejected"}.get(action)
        if status is None:
            return item_page(request, cid, qs, error=f"Unknown action {action!r}.", status=400, form=flat)
        indicator = None
        if action == "relabel":
            try:
                indicator = review.resolve_indicator(taxonomy, flat["indicator"]).id
            except ReviewError as err:
                return item_page(request, cid, qs, error=str(err), status=400, form=flat)
        kind = "resolution" if _one(form, "resolve") == "1" else "review"
        try:
            out = review.decide(
                store,
                user,
                cid,
                version=version,
                status=status,
                indicator=indicator,
                polarity=flat["polarity"] or None,
                note=flat["note"],
                taxonomy=taxonomy,
                kind=kind,
            )
        except (review.StaleDecision, review.LeaseHeld) as err:
            return item_page(request, cid, qs, error=str(err), status=409, form=flat)
        except review.UnknownItem as err:
            raise HTTPException(404, str(err)) from err
        except ReviewError as err:
            return item_page(request, cid, qs, error=str(err), status=400, form=flat)
        if out.status == "confirmed":
            msg = f"#{cid} confirmed as {out.final_indicator} ({out.polarity})."
        elif out.status == "rejected":
            msg = f"#{cid} rejected."
        elif out.status == "conflict":
            msg = f"#{cid}: your decision is saved; the reviewers disagree, so it is listed as a conflict."
        else:
            msg = f"#{cid}: your decision is saved; it waits for more independent reviews."
        f, sort, _errors = filters_from(parse_qs_flat(qs))
        nxt = review.neighbour(store, user, f, sort=sort, after=cid, wrap=True)
        msg += " Press u to undo."
        if nxt is None:
            return redirect(with_qs("/queue", qs), msg + " Nothing left to review with these filters.")
        return redirect(with_qs(f"/items/{nxt}", qs), msg)

    @app.post("/undo")
    def undo_view(request: Request) -> Response:
        form = request.state.form
        qs = clean_qs(_one(form, "qs"))
        raw = _one(form, "change_id")
        try:
            out = review.undo(store, request.state.user, int(raw) if raw else None)
        except ValueError:
            return redirect(with_qs("/queue", qs), "Unknown change to undo.", "error")
        except ReviewError as err:
            back = _one(form, "back") or with_qs("/queue", qs)
            return redirect(_safe_next(back), str(err), "error")
        return redirect(
            with_qs(f"/items/{out.candidate_id}", qs),
            f"Undone: #{out.candidate_id} is {out.status} again."
            if out.status != "pending"
            else f"Undone: #{out.candidate_id} is back in the queue.",
        )

    # ------------------------------------------------------------------ history, bulk, agreement

    @app.get("/history", response_class=HTMLResponse)
    def history_view(request: Request, user: str | None = None, page_no: int = 1) -> Response:
        me = request.state.user
        target: int | None = me.id
        users = []
        if me.is_admin:
            users = accounts.list_users(store)
            if user == "all":
                target = None
            elif user:
                match = next((u for u in users if u["name"] == user), None)
                target = match["id"] if match else me.id
        rows = review.history(store, target, limit=100, offset=(max(page_no, 1) - 1) * 100)
        return page(
            request,
            "history.html",
            {"rows": rows, "users": users, "selected": user or me.name, "page_no": max(page_no, 1)},
        )

    @app.get("/bulk", response_class=HTMLResponse)
    def bulk_view(request: Request) -> Response:
        sync()
        params = dict(request.query_params)
        params["status"] = "pending"
        f, sort, errors = filters_from(params)
        try:
            threshold = min(1.0, max(0.5, float(params.get("threshold") or review.DUPLICATE_COSINE)))
        except ValueError:
            threshold = review.DUPLICATE_COSINE
            errors.append("similarity must be a number between 0.5 and 1; using 0.95")
        t0 = time.perf_counter()
        groups = review.near_duplicate_groups(store, f, threshold=threshold)
        ms = 1000 * (time.perf_counter() - t0)
        return page(
            request,
            "bulk.html",
            {
                "groups": groups[:100],
                "n_groups": len(groups),
                "f": f,
                "errors": errors,
                "threshold": threshold,
                "qs": qs_of(f, sort),
                "facets": facets(),
                "query_ms": ms,
                "params": params,
            },
        )

    @app.post("/bulk/decide")
    def bulk_decide(request: Request) -> Response:
        form = request.state.form
        qs = clean_qs(_one(form, "qs"))
        action = _one(form, "action")
        status = {"confirm": "confirmed", "reject": "rejected"}.get(action)
        back = with_qs("/bulk", qs)
        if status is None:
            return redirect(back, f"Unknown action {action!r}.", "error")
        items = []
        for raw in form.get("item", []):
            try:
                cid, version = (int(x) for x in raw.split(":"))
                items.append((cid, version))
            except ValueError:
                continue
        if not items:
            return redirect(back, "No item selected.", "error")
        out = review.bulk_decide(
            store,
            request.state.user,
            items,
            status=status,
            polarity=_one(form, "polarity") or None,
            note=_one(form, "note"),
            taxonomy=taxonomy,
            lease_minutes=lease_minutes,
        )
        msg = f"{len(out.done)} item(s) {status}."
        if out.refused:
            msg += f" {len(out.refused)} refused: " + "; ".join(f"#{c}: {m}" for c, m in out.refused[:3])
        return redirect(back, msg, "error" if out.refused else "ok")

    @app.get("/agreement", response_class=HTMLResponse)
    def agreement_view(request: Request) -> Response:
        need_admin(request)
        return page(
            request, "agreement.html", {"report": review.agreement(store), "by_user": review.counts_by_user(store)}
        )

    @app.post("/admin/require")
    def admin_require(request: Request) -> Response:
        user = need_admin(request)
        form = request.state.form
        qs = clean_qs(_one(form, "qs"))
        f, sort, _errors = filters_from(parse_qs_flat(qs))
        try:
            n = int(_one(form, "n"))
            ids = [it["id"] for it in review.queue(store, f, sort=sort, limit=20000).items]
            changed = review.require_reviews(store, user, ids, n)
        except ValueError as err:
            return redirect(
                with_qs("/queue", qs), str(err) if isinstance(err, ReviewError) else "n must be a number", "error"
            )
        return redirect(with_qs("/queue", qs), f"{changed} item(s) now need {n} independent review(s).")

    # ------------------------------------------------------------------ users (admin)

    @app.get("/admin/users", response_class=HTMLResponse)
    def users_view(request: Request) -> Response:
        need_admin(request)
        return page(request, "users.html", {"users": accounts.list_users(store)})

    @app.post("/admin/users")
    def users_change(request: Request) -> Response:
        me = need_admin(request)
        form = request.state.form
        action, name = _one(form, "action"), _one(form, "name").strip()
        try:
            if action == "add":
                accounts.add_user(store, name, _one(form, "password"), _one(form, "role") or "analyst")
                msg = f"User {name} added."
            elif action == "role":
                if name == me.name and _one(form, "role") != "admin":
                    raise AccountError("you cannot take the admin role from yourself")
                accounts.set_role(store, name, _one(form, "role"))
                msg = f"{name} is now {_one(form, 'role')}."
            elif action in ("disable", "enable"):
                if name == me.name:
                    raise AccountError("you cannot disable yourself")
                accounts.set_active(store, name, action == "enable")
                msg = f"{name} {action}d."
            elif action == "password":
                accounts.set_password(store, name, _one(form, "password"))
                msg = f"Password of {name} changed; their sessions ended."
            else:
                raise AccountError(f"unknown action {action!r}")
        except AccountError as err:
            return redirect("/admin/users", str(err), "error")
        return redirect("/admin/users", msg)

    # ------------------------------------------------------------------ documents, profile, export, guideline

    @app.get("/documents/{sha256}/pdf")
    def document_pdf(sha256: str) -> Response:
        with store.session() as s:
            doc = s.get(DocumentRow, sha256)
        if doc is None:
            raise HTTPException(404, f"No document {sha256[:12]}… in the database.")
        path = Path(doc.path)
        if not path.is_file():
            raise HTTPException(
                404, f"The file is no longer at {doc.path}: put it back or re-run `mgi run` on its folder."
            )
        return FileResponse(
            path, media_type="application/pdf", filename=doc.filename, content_disposition_type="inline"
        )

    @app.get("/profile", response_class=HTMLResponse)
    def profile_view(
        request: Request, country: str | None = None, language: str = "en", format: str = "page"
    ) -> Response:  # noqa: A002
        from pipeline.profile import build_profile, render_html, render_markdown

        countries = facets()["countries"]
        ctx: dict[str, Any] = {
            "countries": countries,
            "country": country,
            "language": language,
            "languages": [x for x in ("en", "fr", "es", "pt") if x in taxonomy.languages()],
            "profile_html": None,
            "error": None,
        }
        if country:
            try:
                prof = build_profile(store, taxonomy, country, language)
            except ReviewError as err:
                ctx["error"] = str(err)
            else:
                if format == "md":
                    return Response(
                        render_markdown(prof),
                        media_type="text/markdown; charset=utf-8",
                        headers={
                            "Content-Disposition": f'attachment; filename="profile-{_slug(prof.country)}-{language}.md"'
                        },
                    )
                if format == "html":
                    return Response(
                        render_html(prof),
                        media_type="text/html; charset=utf-8",
                        headers={
                            "Content-Disposition": f'attachment; filename="profile-{_slug(prof.country)}-{language}.html"'
                        },
                    )
                ctx["profile_html"] = render_html(prof, standalone=False)
                ctx["country"] = prof.country
        return page(request, "profile.html", ctx)

    @app.get("/export")
    def export_view(
        request: Request,
        format: str = "csv",
        status: str = "confirmed",  # noqa: A002
        country: str | None = None,
    ) -> Response:
        from pipeline import export

        if format not in export.FORMATS:
            raise HTTPException(400, f"Unknown export format {format!r}: use {', '.join(export.FORMATS)}.")
        try:
            if format == "training":
                rows = export.training_examples(store, country=country or None, taxonomy=taxonomy)
            else:
                rows = export.evidence_rows(store, status=status, country=country or None, taxonomy=taxonomy)
            body = export.render(rows, format)
        except ReviewError as err:
            raise HTTPException(400, str(err)) from err
        media = {
            "csv": "text/csv; charset=utf-8",
            "jsonl": "application/x-ndjson",
            "training": "application/x-ndjson",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[format]
        ext = {"training": "jsonl"}.get(format, format)
        name = f"mgi-{'training' if format == 'training' else status}{'-' + _slug(country) if country else ''}.{ext}"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/guidelines", response_class=HTMLResponse)
    def guidelines_view(request: Request) -> Response:
        return page(request, "guidelines.html", {"guideline": guideline})

    # ------------------------------------------------------------------ JSON API

    @app.get("/api/me")
    def api_me(request: Request) -> dict[str, Any]:
        u = request.state.user
        return {"name": u.name, "role": u.role, "csrf": request.state.csrf}

    @app.get("/api/queue")
    def api_queue(request: Request) -> dict[str, Any]:
        params = dict(request.query_params)
        f, sort, errors = filters_from(params)
        try:
            offset, limit = int(params.get("offset") or 0), min(500, int(params.get("limit") or PAGE_SIZE))
        except ValueError as err:
            raise HTTPException(400, "offset and limit must be numbers") from err
        result = review.queue(store, f, sort=sort, offset=offset, limit=limit)
        return json.loads(
            json.dumps(
                {"items": result.items, "total": result.total, "counts": result.counts, "errors": errors}, default=str
            )
        )

    @app.get("/api/items/{cid}")
    def api_item(request: Request, cid: int) -> dict[str, Any]:
        try:
            item = review.item_detail(store, request.state.user, cid)
        except review.UnknownItem as err:
            raise HTTPException(404, str(err)) from err
        return json.loads(json.dumps(item, default=str))

    @app.get("/api/indicators")
    def api_indicators() -> list[dict[str, str]]:
        return [
            {"id": i.id, "domain": i.domain, "name": i.label(ui_language), "description": i.describe(ui_language)}
            for i in taxonomy.indicators
        ]

    if triage:
        try:
            from apps.web import triage as web_triage
        except ImportError:  # pragma: no cover - a build without the triage pages
            web_triage = None
        if web_triage is not None:
            nav = [
                ("Queue", "/queue"),
                ("Bulk", "/bulk"),
                ("History", "/history"),
                ("Profile", "/profile"),
                ("Guideline", "/guidelines"),
            ]
            web_triage.mount(app, store=store, taxonomy=taxonomy, home=home, nav=nav, ui_language=ui_language)
            templates.env.globals["triage_pages"] = True

    return app


# --------------------------------------------------------------------------- small helpers


async def _read_form(request: Request) -> dict[str, list[str]]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "Form too large.")
    if not body:
        return {}
    if ctype not in ("application/x-www-form-urlencoded", ""):
        if ctype == "application/json":
            return {}
        raise HTTPException(415, "Send forms URL-encoded.")
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[-1]


def parse_qs_flat(qs: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(qs or "").items()}


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


def _parse_flash(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    text = unquote(raw)
    kind, _, message = text.partition(":")
    if kind not in ("ok", "error"):
        return None
    return {"kind": kind, "message": message[:600]}


def _slug(text: str | None) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", text or "").strip("-").lower()[:40] or "all"
