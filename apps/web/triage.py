"""Web pages for triaging a large corpus: semantic search (with "send to the review queue"), the
coverage heatmap per country (click through to the passages, CSV and XLSX downloads), reading
lists and an overview dashboard with inline SVG charts. No script, no CDN: plain server-rendered
HTML that works under the review app's Content-Security-Policy.

The pages are a FastAPI ``APIRouter``; the review app (``apps.web``) includes them with
``mount(app, require_session)``, which puts its session dependency in front of every route. The
router reads ``request.state.user`` (a name to record as provenance) and ``request.state.csrf``
(the token forms must send back) when the dependency sets them.
"""

from __future__ import annotations

import hmac
import html
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from apps.web.deps import slug
from apps.web.templating import TEMPLATES, label_helpers, serve_static, templates_for
from pipeline.services import coverage as cov_mod
from pipeline.services import overview as overview_mod
from pipeline.services import reading_lists
from pipeline.services.review import ReviewError, facets
from pipeline.stages.taxonomy import Taxonomy
from pipeline.storage.store import Store

MAX_FORM_BYTES = 64 * 1024
COLOURS = {
    "confirmed": "#2e7d32",
    "gap": "#e65100",
    "rejected": "#eeeeee",
    "none": "#ffffff",
    "pending": "#90a4ae",
    "conflict": "#8e24aa",
    "suggested": "#1565c0",
}


# --------------------------------------------------------------------------- inline SVG charts


def bar_chart(
    counts: dict[str, int], *, title: str, width: int = 460, colour: str = "#1565c0", max_bars: int = 16
) -> Markup:
    """Horizontal bars, one per key, labelled with the count (an accessible inline SVG)."""
    items = list(counts.items())
    if len(items) > max_bars:
        rest = sum(v for _k, v in items[max_bars - 1 :])
        items = items[: max_bars - 1] + [("other", rest)]
    bar_h, gap, label_w = 18, 6, 190
    height = max(1, len(items)) * (bar_h + gap) + 8
    top = max((v for _k, v in items), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>'
    ]
    if not items:
        parts.append('<text x="4" y="14" font-size="12" fill="#666">nothing yet</text>')
    for i, (key, value) in enumerate(items):
        y = 4 + i * (bar_h + gap)
        w = round((width - label_w - 50) * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">{html.escape(_short(str(key), 26))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="{colour}">'
            f"<title>{html.escape(str(key))}: {value}</title></rect>"
            f'<text x="{label_w + max(w, 1) + 4}" y="{y + 13}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_chart(rows: list[tuple[str, dict[str, int]]], keys: list[str], *, title: str, width: int = 640) -> Markup:
    """One 100% stacked bar per row (e.g. review status per domain), with a legend."""
    bar_h, gap, label_w, legend_h = 20, 8, 230, 24
    height = legend_h + max(1, len(rows)) * (bar_h + gap) + 4
    span = width - label_w - 60
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>'
    ]
    x = label_w
    for k in keys:
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS.get(k, "#999")}" stroke="#999"/>'
            f'<text x="{x + 16}" y="14" font-size="12">{html.escape(k)}</text>'
        )
        x += 22 + 8 * len(k)
    for i, (label, counts) in enumerate(rows):
        y = legend_h + i * (bar_h + gap)
        total = sum(counts.get(k, 0) for k in keys)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{html.escape(_short(label, 34))}</text>"
        )
        x = float(label_w)
        for k in keys:
            n = counts.get(k, 0)
            if not n or not total:
                continue
            w = span * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS.get(k, "#999")}" '
                f'stroke="#fff"><title>{html.escape(label)}: {n} {html.escape(k)}</title></rect>'
            )
            x += w
        if not total:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" fill="#fafafa" stroke="#ddd"/>')
        parts.append(f'<text x="{label_w + span + 6}" y="{y + 14}" font-size="12">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def cell_style(cell: cov_mod.Cell) -> str:
    if cell.state == "suggested":
        bg = "#" + cov_mod.suggestion_colour(cell.best_score or 0.0)
        fg = "#fff" if (cell.best_score or 0) > 0.6 else "#0d47a1"
        return f"background:{bg};color:{fg}"
    return ""


# --------------------------------------------------------------------------- the router


def make_router(
    store: Store,
    taxonomy: Taxonomy,
    home: Path,
    *,
    encoder: Any = None,
    encoder_name: str | None = None,
    item_url: str | None = "/items/{id}",
    pdf_url: str | None = "/documents/{sha256}/pdf",
    nav: list[tuple[str, str]] | None = None,
    ui_language: str = "en",
    root: str = "",
    env: Any = None,
) -> APIRouter:
    """The triage pages over ``store``. ``item_url``/``pdf_url`` link a candidate to the review
    app's item page and a document to its PDF (None: no link); ``nav`` adds links to the header."""
    env = env if env is not None else Jinja2Templates(directory=str(TEMPLATES)).env
    labels = label_helpers(taxonomy, ui_language)
    domains = {d.id: d for d in taxonomy.domains}

    def link_item(cid: int) -> str | None:
        return item_url.format(id=cid) if item_url else None

    def link_pdf(sha: str, page: int | None = None) -> str | None:
        if not pdf_url:
            return None
        return pdf_url.format(sha256=sha) + (f"#page={page}" if page else "")

    page_globals = dict(
        ind_label=labels["ind_label"],
        dom_label=labels["dom_label"],
        link_item=link_item,
        link_pdf=link_pdf,
        taxonomy=taxonomy,
        nav=nav or [],
        colours=COLOURS,
        cell_style=cell_style,
        state_labels=cov_mod.STATE_LABELS,
        urlencode=urlencode,
        root=root.rstrip("/"),
    )
    searcher: list[Any] = []
    searcher_lock = threading.Lock()

    def get_searcher() -> Any:
        from pipeline.services.search import SemanticSearch

        with searcher_lock:
            if not searcher:
                searcher.append(SemanticSearch(store, home, encoder_name, encoder=encoder))
            return searcher[0]

    def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        body = env.get_template(f"triage/{name}").render(
            **page_globals,
            user=user,
            user_name=getattr(user, "name", None),
            csrf=getattr(request.state, "csrf", ""),
            path=request.url.path,
            **ctx,
        )
        return HTMLResponse(body, status_code=status)

    def error_page(request: Request, message: str, status: int = 400) -> HTMLResponse:
        return render(request, "message.html", {"title": f"Error {status}", "message": message}, status)

    def country_list() -> list[str]:
        return facets(store)["countries"]

    router = APIRouter()

    # ------------------------------------------------------------------ search

    @router.get("/search", response_class=HTMLResponse)
    def search_page(
        request: Request,
        q: str = "",
        country: str = "",
        domain: str = "",
        language: str = "",
        limit: int = 20,
        msg: str = "",
        err: str = "",
    ) -> Response:
        from pipeline.services.search import SearchError

        ctx: dict[str, Any] = {
            "q": q,
            "country": country,
            "domain": domain,
            "language": language,
            "limit": max(1, min(limit, 100)),
            "hits": None,
            "error": err or None,
            "message": msg or None,
            "countries": country_list(),
            "languages": facets(store)["languages"],
            "encoder": None,
        }
        if q.strip():
            if domain and domain not in domains:
                ctx["error"] = f"unknown domain {domain!r}: domains are {', '.join(domains)}"
            else:
                try:
                    s = get_searcher()
                    ctx["encoder"] = s.encoder_name
                    ctx["hits"] = s.search(
                        q, country=country or None, domain=domain or None, language=language or None, limit=ctx["limit"]
                    )
                except (SearchError, ReviewError) as e:
                    ctx["error"] = str(e)
        return render(request, "search.html", ctx)

    @router.post("/search/send")
    async def search_send(request: Request) -> Response:
        from pipeline.services.search import SearchError
        from pipeline.services.search_send import send_to_queue

        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "Form too large.")
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items()}
        expected = getattr(request.state, "csrf", None)
        if expected and not hmac.compare_digest(form.get("csrf", ""), expected):
            raise HTTPException(403, "Missing or wrong CSRF token: reload the page and try again.")
        back = {k: form.get(k, "") for k in ("q", "country", "domain", "language", "limit") if form.get(k)}
        user = getattr(request.state, "user", None)
        try:
            s = get_searcher()
            sim = s.similarity(form.get("q", ""), form.get("passage_id", "")) if form.get("q") else None
            rank = int(form["rank"]) if form.get("rank", "").isdigit() else None
            out = send_to_queue(
                store,
                passage_id=form.get("passage_id", ""),
                indicator=form.get("indicator", ""),
                taxonomy=taxonomy,
                encoder=s.encoder_name,
                query=form.get("q", ""),
                similarity=sim,
                result_rank=rank,
                user=getattr(user, "name", None),
                via="web",
            )
            back["msg"] = out.message
        except (SearchError, ReviewError) as e:
            back["err"] = str(e)
        return RedirectResponse(f"{request.url_for('search_page').path}?{urlencode(back)}", status_code=303)

    # ------------------------------------------------------------------ coverage

    @router.get("/coverage", response_class=HTMLResponse)
    def coverage_page(request: Request, country: str = "") -> Response:
        if not country:
            return render(request, "coverage.html", {"cov": None, "countries": country_list(), "country": ""})
        try:
            cov = cov_mod.coverage(store, taxonomy, country, ui_language)
        except ReviewError as e:
            return error_page(request, str(e), 404)
        return render(
            request,
            "coverage.html",
            {
                "cov": cov,
                "countries": country_list(),
                "country": cov.country,
                "qs": urlencode({"country": cov.country}),
            },
        )

    @router.get("/coverage/cell", response_class=HTMLResponse)
    def coverage_cell(request: Request, country: str, indicator: str, document: str) -> Response:
        try:
            data = cov_mod.cell_passages(store, taxonomy, country, indicator, document)
        except ReviewError as e:
            return error_page(request, str(e), 404)
        return render(request, "cell.html", {"cell": data, "qs": urlencode({"country": data["country"]})})

    @router.get("/coverage.csv")
    def coverage_csv(country: str) -> Response:
        try:
            cov = cov_mod.coverage(store, taxonomy, country, ui_language)
        except ReviewError as e:
            raise HTTPException(404, str(e)) from e
        return Response(
            cov_mod.to_csv(cov),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="coverage-{slug(cov.country)}.csv"'},
        )

    @router.get("/coverage.xlsx")
    def coverage_xlsx(country: str) -> Response:
        import tempfile

        try:
            cov = cov_mod.coverage(store, taxonomy, country, ui_language)
        except ReviewError as e:
            raise HTTPException(404, str(e)) from e
        with tempfile.TemporaryDirectory() as tmp:
            path = cov_mod.to_xlsx(cov, Path(tmp) / "coverage.xlsx")
            data = path.read_bytes()
        return Response(
            data,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="coverage-{slug(cov.country)}.xlsx"'},
        )

    # ------------------------------------------------------------------ reading list, overview

    @router.get("/reading-list", response_class=HTMLResponse)
    def reading_page(
        request: Request, indicator: str = "", domain: str = "", country: str = "", limit: int = 10
    ) -> Response:
        ctx: dict[str, Any] = {
            "indicator": indicator,
            "domain": domain,
            "country": country,
            "rl": None,
            "error": None,
            "countries": country_list(),
            "limit": max(1, min(limit, 100)),
        }
        if indicator or domain:
            try:
                ctx["rl"] = reading_lists.reading_list(
                    store,
                    taxonomy,
                    indicator=indicator or None,
                    domain=domain or None,
                    country=country or None,
                    limit=ctx["limit"],
                    language=ui_language,
                )
            except ReviewError as e:
                ctx["error"] = str(e)
        return render(request, "reading_list.html", ctx)

    @router.get("/overview", response_class=HTMLResponse)
    def overview_page(request: Request, country: str = "") -> Response:
        try:
            data = overview_mod.overview(store, taxonomy, country or None, ui_language)
        except ReviewError as e:
            return error_page(request, str(e), 404)
        doms = data["domains"]
        charts = {
            "language": bar_chart(data["documents"]["by_language"], title="Documents by language"),
            "type": bar_chart(data["documents"]["by_type"], title="Documents by type", colour="#6a1b9a"),
            "year": bar_chart(data["documents"]["by_year"], title="Documents by year", colour="#00838f"),
            "status": bar_chart(data["documents"]["by_status"], title="Documents by status", colour="#546e7a"),
            "passages": bar_chart(
                {f"{d['id']}. {d['name']}": d["passages"] for d in doms},
                title="Passages with a suggestion, per domain",
                colour="#1565c0",
            ),
            "candidates": bar_chart(
                {f"{d['id']}. {d['name']}": d["candidates"] for d in doms},
                title="Candidates per domain",
                colour="#37474f",
            ),
            "review": stacked_chart(
                [(f"{d['id']}. {d['name']}", d) for d in doms],
                ["confirmed", "rejected", "conflict", "pending"],
                title="Review progress per domain",
            ),
            "coverage": stacked_chart(
                [(f"{d['id']}. {d['name']}", d["indicator_coverage"]) for d in doms],
                ["confirmed", "gap", "suggested", "none"],
                title="Indicators per domain by strongest evidence",
            ),
        }
        return render(
            request,
            "overview.html",
            {"data": data, "charts": charts, "countries": country_list(), "country": data["country"] or ""},
        )

    return router


def mount(
    app: FastAPI,
    require_session_dependency: Callable[..., Any] | None = None,
    *,
    store: Store | None = None,
    taxonomy: Taxonomy | None = None,
    home: Path | None = None,
    prefix: str = "",
    **options: Any,
) -> APIRouter:
    """Add the triage pages to ``app`` behind ``require_session_dependency`` (the app's session
    check). ``store`` defaults to ``app.state.store``, ``taxonomy`` to ``app.state.taxonomy`` or the
    configured one, ``home`` to MGI_HOME. Other options go to ``make_router``."""
    from pipeline.config import Settings
    from pipeline.stages.taxonomy import load_taxonomy

    settings = Settings.from_env()
    store = store or getattr(app.state, "store", None) or Store(settings.db_url)
    taxonomy = taxonomy or getattr(app.state, "taxonomy", None) or load_taxonomy(settings.taxonomy_path)
    if "nav" not in options:  # link back to the review app's main pages when they are there
        paths = {getattr(r, "path", None) for r in app.routes}
        options["nav"] = [
            (label, path) for label, path in (("Queue", "/queue"), ("Profile", "/profile")) if path in paths
        ]
    router = make_router(store, taxonomy, home or settings.home, root=prefix, env=templates_for(app).env, **options)
    deps = [Depends(require_session_dependency)] if require_session_dependency is not None else []
    serve_static(app, deps)
    app.include_router(router, prefix=prefix, dependencies=deps)
    return router


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
