"""`/items/{id}` (one item, its lease, deciding it), `/undo` and `/history`.

May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI and Starlette.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from apps.web.deps import (
    one,
    parse_qs_flat,
    safe_next,
    web,
)
from pipeline.services import accounts, review
from pipeline.services.review import ReviewError

router = APIRouter()


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
    w = web(request)
    user = request.state.user
    lease_error = None
    if lease:
        try:
            review.acquire_lease(w.store, user, cid, w.lease_minutes)
        except review.LeaseHeld as err:
            lease_error = str(err)
        except review.UnknownItem as err:
            raise HTTPException(404, str(err)) from err
    try:
        item = review.item_detail(w.store, user, cid)
    except review.UnknownItem as err:
        raise HTTPException(404, str(err)) from err
    read_only = item["lease_user_id"] not in (None, user.id)
    return w.page(
        request,
        "item.html",
        {
            "item": item,
            "qs": qs,
            "error": error,
            "lease_error": lease_error,
            "read_only": read_only,
            "form": form or {},
            "guideline": w.guideline,
            "lease_minutes": w.lease_minutes,
            "indicators": w.taxonomy.indicators,
            "next_url": w.with_qs(f"/items/{cid}/go", urlencode({**parse_qs_flat(qs), "dir": "next"})),
            "prev_url": w.with_qs(f"/items/{cid}/go", urlencode({**parse_qs_flat(qs), "dir": "prev"})),
            "queue_url": w.with_qs("/queue", qs),
        },
        status=status,
    )


@router.get("/items/{cid}", response_class=HTMLResponse)
def item_view(request: Request, cid: int) -> Response:
    w = web(request)
    return item_page(request, cid, w.clean_qs(request.url.query))


@router.get("/items/{cid}/go")
def item_go(request: Request, cid: int, dir: str = "next") -> Response:  # noqa: A002
    w = web(request)
    params = dict(request.query_params)
    f, sort, _errors = w.filters_from(params)
    qs = w.qs_of(f, sort)
    target = review.neighbour(w.store, request.state.user, f, sort=sort, after=cid, reverse=dir == "prev", wrap=False)
    if target is None:
        return w.redirect(
            w.with_qs(f"/items/{cid}", qs),
            "This is the first item of the queue." if dir == "prev" else "This is the last item of the queue.",
        )
    return w.redirect(w.with_qs(f"/items/{target}", qs))


@router.post("/items/{cid}/decide")
def item_decide(request: Request, cid: int) -> Response:
    w = web(request)
    form = request.state.form
    user = request.state.user
    qs = w.clean_qs(one(form, "qs"))
    action = one(form, "action")
    flat = {k: one(form, k) for k in ("note", "polarity", "indicator")}
    try:
        version = int(one(form, "version"))
    except ValueError:
        return item_page(request, cid, qs, error="The form lacks the item version: reload the page.", status=400)
    status = {"confirm": "confirmed", "relabel": "confirmed", "reject": "rejected"}.get(action)
    if status is None:
        return item_page(request, cid, qs, error=f"Unknown action {action!r}.", status=400, form=flat)
    indicator = None
    if action == "relabel":
        try:
            indicator = review.resolve_indicator(w.taxonomy, flat["indicator"]).id
        except ReviewError as err:
            return item_page(request, cid, qs, error=str(err), status=400, form=flat)
    kind = "resolution" if one(form, "resolve") == "1" else "review"
    try:
        out = review.decide(
            w.store,
            user,
            cid,
            version=version,
            status=status,
            indicator=indicator,
            polarity=flat["polarity"] or None,
            note=flat["note"],
            taxonomy=w.taxonomy,
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
    f, sort, _errors = w.filters_from(parse_qs_flat(qs))
    nxt = review.neighbour(w.store, user, f, sort=sort, after=cid, wrap=True)
    msg += " Press u to undo."
    if nxt is None:
        return w.redirect(w.with_qs("/queue", qs), msg + " Nothing left to review with these filters.")
    return w.redirect(w.with_qs(f"/items/{nxt}", qs), msg)


@router.post("/undo")
def undo_view(request: Request) -> Response:
    w = web(request)
    form = request.state.form
    qs = w.clean_qs(one(form, "qs"))
    raw = one(form, "change_id")
    try:
        out = review.undo(w.store, request.state.user, int(raw) if raw else None)
    except ValueError:
        return w.redirect(w.with_qs("/queue", qs), "Unknown change to undo.", "error")
    except ReviewError as err:
        back = one(form, "back") or w.with_qs("/queue", qs)
        return w.redirect(safe_next(back), str(err), "error")
    return w.redirect(
        w.with_qs(f"/items/{out.candidate_id}", qs),
        f"Undone: #{out.candidate_id} is {out.status} again."
        if out.status != "pending"
        else f"Undone: #{out.candidate_id} is back in the queue.",
    )


@router.get("/history", response_class=HTMLResponse)
def history_view(request: Request, user: str | None = None, page_no: int = 1) -> Response:
    w = web(request)
    me = request.state.user
    target: int | None = me.id
    users = []
    if me.is_admin:
        users = accounts.list_users(w.store)
        if user == "all":
            target = None
        elif user:
            match = next((u for u in users if u["name"] == user), None)
            target = match["id"] if match else me.id
    rows = review.history(w.store, target, limit=100, offset=(max(page_no, 1) - 1) * 100)
    return w.page(
        request,
        "history.html",
        {"rows": rows, "users": users, "selected": user or me.name, "page_no": max(page_no, 1)},
    )
