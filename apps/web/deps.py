"""What every router of the web app shares: the app's context (``Web``: the store, the taxonomy,
the one Jinja environment, the review settings, the filter menus' cache) and the small helpers for
pages, redirects with a flash message, forms, and queue filters in query strings.

A route gets the context with ``w = web(request)``. May import: ``pipeline`` (core), FastAPI,
Starlette and ``apps.web.templating``.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from pipeline.errors import MgiError
from pipeline.services import review
from pipeline.services.accounts import User
from pipeline.services.review import QueueFilter, ReviewError
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.store import Store

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


class NotAuthenticated(MgiError):
    pass


def guideline_html(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "<p>No annotation guideline found (annotations/GUIDELINES.md).</p>"
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(path.read_text(encoding="utf-8"))


@dataclass
class Web:
    """One review app's context, kept in ``app.state.web``."""

    store: Store
    taxonomy: Taxonomy
    templates: Jinja2Templates
    thresholds: review.ThresholdFn
    lease_minutes: float
    guideline: str
    secure_cookies: bool = False
    ui_language: str = "en"
    failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))  # failed logins per name
    facet_cache: dict[str, Any] = field(default_factory=dict)
    last_sync: float = field(default_factory=time.monotonic)

    def sync(self, force: bool = False) -> None:
        """New candidates (from a run since) get review-state rows; at most every 20 s."""
        if force or time.monotonic() - self.last_sync > 20:
            review.sync_items(self.store, self.thresholds)
            self.facet_cache.clear()
            self.last_sync = time.monotonic()

    def facets(self) -> dict[str, Any]:
        """The filter menus' values (countries, documents, languages), refreshed with ``sync``."""
        if not self.facet_cache:
            self.facet_cache.update(review.facets(self.store))
        return self.facet_cache

    def page(self, request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        flash = request.cookies.get(FLASH_COOKIE)
        ctx = {"user": request.state.user, "csrf": request.state.csrf, "flash": parse_flash(flash), **ctx}
        response = self.templates.TemplateResponse(request, name, ctx, status_code=status)
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def redirect(self, url: str, flash: str | None = None, kind: str = "ok") -> Response:
        response = RedirectResponse(url, status_code=303)
        if flash:
            response.set_cookie(
                FLASH_COOKIE,
                quote(f"{kind}:{flash}"),
                max_age=60,
                httponly=True,
                samesite="lax",
                secure=self.secure_cookies,
                path="/",
            )
        return response

    def need_admin(self, request: Request) -> User:
        user = request.state.user
        if not user.is_admin:
            raise HTTPException(403, "Administrators only.")
        return user

    def filters_from(self, params: dict[str, str]) -> tuple[QueueFilter, str, list[str]]:
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
                indicator = review.resolve_indicator(self.taxonomy, indicator).id
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

    def qs_of(self, f: QueueFilter, sort: str) -> str:
        q = f.as_query()
        if sort != "uncertainty":
            q["sort"] = sort
        if q.get("status") == "pending":
            q.pop("status")
        return urlencode(q)

    def clean_qs(self, raw: str | None) -> str:
        """Only the known filter keys of a carried-over query string."""
        parsed = parse_qs(raw or "", keep_blank_values=False)
        return urlencode({k: v[-1] for k, v in parsed.items() if k in FILTER_KEYS and v})

    def with_qs(self, path: str, qs: str) -> str:
        return f"{path}?{qs}" if qs else path


def web(request: Request) -> Web:
    """The context of the app serving ``request``."""
    return request.app.state.web


async def read_form(request: Request) -> dict[str, list[str]]:
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


def one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key) or [""]
    return values[-1]


def parse_qs_flat(qs: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(qs or "").items()}


def safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


def parse_flash(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    text = unquote(raw)
    kind, _, message = text.partition(":")
    if kind not in ("ok", "error"):
        return None
    return {"kind": kind, "message": message[:600]}


def slug(text: str | None) -> str:
    """A file-name-safe short form of ``text`` (``all`` when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text or "").strip("-").lower()[:40] or "all"
