"""The review app in a real Chromium (Playwright driving Debian's /usr/bin/chromium): log in, then
confirm, reject, relabel and undo with the keyboard only, and find the audit rows in the database.

Loopback only: the test starts uvicorn on 127.0.0.1 with a free port and a seeded database."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from review_seed import PASSWORDS
from sqlalchemy import select

from pipeline.storage.tables import CandidateRow, ChangeRow, DecisionRow, ReviewStateRow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow


def _need_browser():  # noqa: ANN202
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the browser test needs Playwright for Python (pip install playwright; no `playwright install`)")
    if not Path(CHROMIUM).is_file() and not shutil.which("chromium"):
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _item_id(page) -> int:  # noqa: ANN001
    return int(page.locator("body").get_attribute("data-item-id"))


def test_keyboard_review_in_chromium(server, store):
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            # every page needs a session: the queue sends us to the login form
            page.goto(f"{server}/queue")
            assert "/login" in page.url
            page.fill("#name", "alice")
            page.fill("#password", PASSWORDS["alice"])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url.endswith("/queue")
            assert page.locator(".badge.pending").first.inner_text() == "8 pending"

            # queue: Enter opens the selected (most uncertain) item
            with page.expect_navigation():
                page.keyboard.press("Enter")
            first = _item_id(page)
            assert page.locator("mark#passage").is_visible()

            # help overlay
            page.keyboard.press("?")
            assert page.locator("#help").is_visible()
            page.keyboard.press("Escape")
            assert not page.locator("#help").is_visible()

            # g: polarity to "gap", a: confirm -> the next item opens
            page.keyboard.press("g")
            assert page.locator("#pol-gap").is_checked()
            with page.expect_navigation():
                page.keyboard.press("a")
            second = _item_id(page)
            assert second != first and "confirmed as" in page.locator("#flash").inner_text()

            # x: reject
            with page.expect_navigation():
                page.keyboard.press("x")
            third = _item_id(page)
            assert third not in (first, second) and "rejected" in page.locator("#flash").inner_text()

            # c: change the indicator (type an id), Enter confirms it
            page.keyboard.press("c")
            assert page.evaluate("document.activeElement.id") == "indicator-input"
            page.keyboard.type("1.5.2")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            fourth = _item_id(page)
            assert fourth != third

            # u: undo the last decision (the relabel) -> back on that item, pending again
            with page.expect_navigation():
                page.keyboard.press("u")
            assert _item_id(page) == third
            assert "back in the queue" in page.locator("#flash").inner_text()
            assert page.locator("#item-status").inner_text() == "pending"

            # j / k walk the queue
            with page.expect_navigation():
                page.keyboard.press("j")
            after_j = _item_id(page)
            with page.expect_navigation():
                page.keyboard.press("k")
            assert _item_id(page) == third and after_j != third
        finally:
            browser.close()

    # the audit trail in the database
    with store.session() as s:
        decisions = s.scalars(select(DecisionRow).order_by(DecisionRow.id)).all()
        assert [(d.candidate_id, d.status, d.active) for d in decisions] == [
            (first, "confirmed", True),
            (second, "rejected", True),
            (third, "confirmed", False),
        ]
        confirmed, rejected, relabelled = decisions
        assert confirmed.polarity == "gap" and confirmed.final_indicator == confirmed.shown_indicator
        assert relabelled.final_indicator == "1.5.2" and relabelled.shown_indicator != "1.5.2"
        assert relabelled.undone_by == confirmed.user_id and relabelled.undone_at is not None
        assert all(d.model_version.startswith("zero-shot:") and d.shown_score > 0 for d in decisions)
        changes = s.scalars(select(ChangeRow).order_by(ChangeRow.id)).all()
        assert [(c.candidate_id, c.action) for c in changes] == [
            (first, "decide"),
            (second, "decide"),
            (third, "decide"),
            (third, "undo"),
        ]
        assert changes[-1].undoes_change_id == changes[2].id and changes[-1].after["status"] == "pending"
        states = {cid: s.get(ReviewStateRow, cid) for cid in (first, second, third)}
        assert [states[c].status for c in (first, second, third)] == ["confirmed", "rejected", "pending"]
        assert states[third].version == 2
        assert s.get(CandidateRow, first).status == "confirmed" and s.get(CandidateRow, third).status == "pending"
