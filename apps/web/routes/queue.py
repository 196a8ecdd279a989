"""`/`, `/queue` and `/next`: the filtered, sorted review queue.

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from apps.web.deps import (
    PAGE_SIZE,
    web,
)
from pipeline.services import review

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue_view(request: Request) -> Response:
    w = web(request)
    w.sync()
    params = dict(request.query_params)
    f, sort, errors = w.filters_from(params)
    try:
        page_no = max(1, int(params.get("page") or 1))
    except ValueError:
        page_no = 1
    t0 = time.perf_counter()
    result = review.queue(w.store, f, sort=sort, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    ms = 1000 * (time.perf_counter() - t0)
    qs = w.qs_of(f, sort)
    return w.page(
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
            "facets": w.facets(),
            "query_ms": ms,
            "params": params,
        },
    )


@router.get("/next")
def next_item(request: Request) -> Response:
    w = web(request)
    w.sync()
    f, sort, errors = w.filters_from(dict(request.query_params))
    qs = w.qs_of(f, sort)
    cid = review.neighbour(w.store, request.state.user, f, sort=sort)
    if cid is None:
        return w.redirect(w.with_qs("/queue", qs), "Nothing left to review with these filters.")
    return w.redirect(w.with_qs(f"/items/{cid}", qs))
