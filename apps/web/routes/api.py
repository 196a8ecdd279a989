"""`/api/...`: the JSON the pages' script uses (me, queue, one item, indicators).

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from apps.web.deps import (
    PAGE_SIZE,
    web,
)
from pipeline.services import review

router = APIRouter()


@router.get("/api/me")
def api_me(request: Request) -> dict[str, Any]:
    u = request.state.user
    return {"name": u.name, "role": u.role, "csrf": request.state.csrf}


@router.get("/api/queue")
def api_queue(request: Request) -> dict[str, Any]:
    w = web(request)
    params = dict(request.query_params)
    f, sort, errors = w.filters_from(params)
    try:
        offset, limit = int(params.get("offset") or 0), min(500, int(params.get("limit") or PAGE_SIZE))
    except ValueError as err:
        raise HTTPException(400, "offset and limit must be numbers") from err
    result = review.queue(w.store, f, sort=sort, offset=offset, limit=limit)
    return json.loads(
        json.dumps(
            {"items": result.items, "total": result.total, "counts": result.counts, "errors": errors}, default=str
        )
    )


@router.get("/api/items/{cid}")
def api_item(request: Request, cid: int) -> dict[str, Any]:
    w = web(request)
    try:
        item = review.item_detail(w.store, request.state.user, cid)
    except review.UnknownItem as err:
        raise HTTPException(404, str(err)) from err
    return json.loads(json.dumps(item, default=str))


@router.get("/api/indicators")
def api_indicators(request: Request) -> list[dict[str, str]]:
    w = web(request)
    return [
        {"id": i.id, "domain": i.domain, "name": i.label(w.ui_language), "description": i.describe(w.ui_language)}
        for i in w.taxonomy.indicators
    ]
