"""`/bulk` and `/bulk/decide`: deciding many filtered items at once.

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from apps.web.deps import (
    one,
    web,
)
from pipeline.services import review

router = APIRouter()


@router.get("/bulk", response_class=HTMLResponse)
def bulk_view(request: Request) -> Response:
    w = web(request)
    w.sync()
    params = dict(request.query_params)
    params["status"] = "pending"
    f, sort, errors = w.filters_from(params)
    try:
        threshold = min(1.0, max(0.5, float(params.get("threshold") or review.DUPLICATE_COSINE)))
    except ValueError:
        threshold = review.DUPLICATE_COSINE
        errors.append("similarity must be a number between 0.5 and 1; using 0.95")
    t0 = time.perf_counter()
    groups = review.near_duplicate_groups(w.store, f, threshold=threshold)
    ms = 1000 * (time.perf_counter() - t0)
    return w.page(
        request,
        "bulk.html",
        {
            "groups": groups[:100],
            "n_groups": len(groups),
            "f": f,
            "errors": errors,
            "threshold": threshold,
            "qs": w.qs_of(f, sort),
            "facets": w.facets(),
            "query_ms": ms,
            "params": params,
        },
    )


@router.post("/bulk/decide")
def bulk_decide(request: Request) -> Response:
    w = web(request)
    form = request.state.form
    qs = w.clean_qs(one(form, "qs"))
    action = one(form, "action")
    status = {"confirm": "confirmed", "reject": "rejected"}.get(action)
    back = w.with_qs("/bulk", qs)
    if status is None:
        return w.redirect(back, f"Unknown action {action!r}.", "error")
    items = []
    for raw in form.get("item", []):
        try:
            cid, version = (int(x) for x in raw.split(":"))
            items.append((cid, version))
        except ValueError:
            continue
    if not items:
        return w.redirect(back, "No item selected.", "error")
    out = review.bulk_decide(
        w.store,
        request.state.user,
        items,
        status=status,
        polarity=one(form, "polarity") or None,
        note=one(form, "note"),
        taxonomy=w.taxonomy,
        lease_minutes=w.lease_minutes,
    )
    msg = f"{len(out.done)} item(s) {status}."
    if out.refused:
        msg += f" {len(out.refused)} refused: " + "; ".join(f"#{c}: {m}" for c, m in out.refused[:3])
    return w.redirect(back, msg, "error" if out.refused else "ok")
