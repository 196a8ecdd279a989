"""The web app's one template tree (``apps/web/templates``), its one Jinja environment and its
static files (``apps/web/static``, served by Starlette's ``StaticFiles`` under ``/static/``).

Every page extends ``templates/base.html``; the triage pages go through ``triage/layout.html``
(their header and stylesheet, no script). May import: Starlette, Jinja2; nothing from the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def templates_for(app: FastAPI) -> Jinja2Templates:
    """The app's Jinja environment (made once per app, kept in ``app.state.templates``)."""
    templates = getattr(app.state, "templates", None)
    if templates is None:
        templates = Jinja2Templates(directory=str(TEMPLATES))
        app.state.templates = templates
    return templates


def serve_static(app: FastAPI, dependencies: Sequence[Any] = ()) -> None:
    """Serve ``apps/web/static`` at ``/static/...`` (once per app) with Starlette's ``StaticFiles``.

    Through an API route rather than ``app.mount``: a mount would skip the app's dependencies
    (the session check), and every route of the review app needs the session."""
    if any(getattr(r, "path", None) == "/static/{path:path}" for r in app.routes):
        return
    files = StaticFiles(directory=str(STATIC))

    @app.get("/static/{path:path}", dependencies=list(dependencies), include_in_schema=False)
    async def static(path: str, request: Request) -> Response:
        return await files.get_response(path, request.scope)


def label_helpers(taxonomy: Any, ui_language: str) -> dict[str, Any]:
    """The names of indicators and domains in the page language, for templates: ``ind_label``,
    ``ind_desc`` and ``dom_label`` (an unknown id is shown as it is)."""
    indicators = {i.id: i for i in taxonomy.indicators}
    domains = {d.id: d for d in taxonomy.domains}

    def ind_label(iid: str | None) -> str:
        ind = indicators.get(iid or "")
        return ind.label(ui_language) if ind else (iid or "")

    def ind_desc(iid: str | None) -> str:
        ind = indicators.get(iid or "")
        return ind.describe(ui_language) if ind else "(not in the taxonomy in use)"

    def dom_label(did: str | None) -> str:
        dom = domains.get(did or "")
        return dom.label(ui_language) if dom else (did or "")

    return {"ind_label": ind_label, "ind_desc": ind_desc, "dom_label": dom_label}
