"""`/documents/{sha256}/pdf`, `/profile`, `/export` and `/guidelines`: what is read and taken away.

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from apps.web.deps import (
    slug,
    web,
)
from pipeline.services.review import ReviewError
from pipeline.storage.tables import DocumentRow

router = APIRouter()


@router.get("/documents/{sha256}/pdf")
def document_pdf(request: Request, sha256: str) -> Response:
    w = web(request)
    with w.store.session() as s:
        doc = s.get(DocumentRow, sha256)
    if doc is None:
        raise HTTPException(404, f"No document {sha256[:12]}… in the database.")
    path = Path(doc.path)
    if not path.is_file():
        raise HTTPException(404, f"The file is no longer at {doc.path}: put it back or re-run `mgi run` on its folder.")
    return FileResponse(path, media_type="application/pdf", filename=doc.filename, content_disposition_type="inline")


@router.get("/profile", response_class=HTMLResponse)
def profile_view(request: Request, country: str | None = None, language: str = "en", format: str = "page") -> Response:  # noqa: A002
    w = web(request)
    from pipeline.services.profile import build_profile, render_html, render_markdown

    countries = w.facets()["countries"]
    ctx: dict[str, Any] = {
        "countries": countries,
        "country": country,
        "language": language,
        "languages": [x for x in ("en", "fr", "es", "pt") if x in w.taxonomy.languages()],
        "profile_html": None,
        "error": None,
    }
    if country:
        try:
            prof = build_profile(w.store, w.taxonomy, country, language)
        except ReviewError as err:
            ctx["error"] = str(err)
        else:
            if format == "md":
                return Response(
                    render_markdown(prof),
                    media_type="text/markdown; charset=utf-8",
                    headers={
                        "Content-Disposition": f'attachment; filename="profile-{slug(prof.country)}-{language}.md"'
                    },
                )
            if format == "html":
                return Response(
                    render_html(prof),
                    media_type="text/html; charset=utf-8",
                    headers={
                        "Content-Disposition": f'attachment; filename="profile-{slug(prof.country)}-{language}.html"'
                    },
                )
            ctx["profile_html"] = render_html(prof, standalone=False)
            ctx["country"] = prof.country
    return w.page(request, "profile.html", ctx)


@router.get("/export")
def export_view(
    request: Request,
    format: str = "csv",
    status: str = "confirmed",  # noqa: A002
    country: str | None = None,
) -> Response:
    w = web(request)
    from pipeline.services import export

    if format not in export.FORMATS:
        raise HTTPException(400, f"Unknown export format {format!r}: use {', '.join(export.FORMATS)}.")
    try:
        if format == "training":
            rows = export.training_examples(w.store, country=country or None, taxonomy=w.taxonomy)
        else:
            rows = export.evidence_rows(w.store, status=status, country=country or None, taxonomy=w.taxonomy)
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
    name = f"mgi-{'training' if format == 'training' else status}{'-' + slug(country) if country else ''}.{ext}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/guidelines", response_class=HTMLResponse)
def guidelines_view(request: Request) -> Response:
    w = web(request)
    return w.page(request, "guidelines.html", {"guideline": w.guideline})
