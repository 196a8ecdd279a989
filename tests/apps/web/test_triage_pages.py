"""The triage pages (search, coverage heatmap, reading list, overview) mounted on a minimal
FastAPI app behind a session dependency, as the review app mounts them; and the coverage page in
real Chromium."""

from __future__ import annotations

import csv
import io
import re
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from toy import ToyEncoder
from triage_seed import TESTLAND, expected_cells, seed_coverage_corpus

from apps.web.triage import bar_chart, mount
from pipeline.config import DEFAULT_TAXONOMY
from pipeline.services import coverage as cov
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, SearchSendRow

TAXONOMY = load_taxonomy(DEFAULT_TAXONOMY)
CSRF = "token-123"
# the review app's policy: no inline script, inline styles allowed
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@dataclass(frozen=True)
class FakeUser:
    id: int = 1
    name: str = "ana"
    role: str = "analyst"


def require_session(request: Request) -> None:
    if request.cookies.get("session") != "ok":
        raise HTTPException(401, "not logged in")
    request.state.user = FakeUser()
    request.state.csrf = CSRF


def make_app(store: Store, home: Path, prefix: str = "") -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def csp(request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    mount(app, require_session, store=store, taxonomy=TAXONOMY, home=home, prefix=prefix, encoder=ToyEncoder())
    return app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("web-triage")
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    seeded = seed_coverage_corpus(store, TAXONOMY, encoder=ToyEncoder())
    return {"store": store, "home": home, **seeded}


@pytest.fixture
def client(site: dict) -> TestClient:
    c = TestClient(make_app(site["store"], site["home"]))
    c.cookies.set("session", "ok")
    return c


def test_every_page_needs_the_session(site: dict) -> None:
    anonymous = TestClient(make_app(site["store"], site["home"]))
    for url in (
        "/search?q=x",
        "/coverage?country=Testland",
        "/coverage.csv?country=Testland",
        "/overview",
        "/reading-list",
        f"/coverage/cell?country=Testland&indicator=1.1.1&document={site['A'].sha256}",
    ):
        assert anonymous.get(url).status_code == 401, url
    assert anonymous.post("/search/send", content="q=x").status_code == 401


def test_coverage_page_and_downloads(client: TestClient, site: dict) -> None:
    r = client.get("/coverage", params={"country": "testland"})
    assert r.status_code == 200 and "<script" not in r.text
    assert r.text.count('<tr class="indicator"') == len(TAXONOMY.indicators)
    assert "<strong>1</strong> with confirmed evidence" in r.text
    row = re.search(r'<tr class="indicator" data-indicator="1\.1\.1">(.*?)</tr>', r.text, re.S).group(1)
    assert re.findall(r'data-state="(\w+)"', row) == ["confirmed", "none", "suggested"]  # A, C, B (by date)
    link = unescape(re.search(r'href="(/coverage/cell\?[^"]+)"', row).group(1))
    cell = client.get(link)
    assert cell.status_code == 200 and "Every migrant shall have access to emergency health care." in cell.text
    assert f'href="/items/{site["A"].candidate_ids[(0, "1.1.1")]}"' in cell.text  # into the review app
    csv_resp = client.get("/coverage.csv", params={"country": TESTLAND})
    assert csv_resp.headers["content-disposition"] == 'attachment; filename="coverage-republic-of-testland.csv"'
    assert csv_resp.text == cov.to_csv(cov.coverage(site["store"], TAXONOMY, TESTLAND))
    xlsx = client.get("/coverage.xlsx", params={"country": TESTLAND})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    missing = client.get("/coverage", params={"country": "Atlantis"})
    assert missing.status_code == 404 and "no documents for country &#39;Atlantis&#39;" in missing.text
    assert TESTLAND in client.get("/coverage").text  # the country picker


def test_reading_list_and_overview_pages(client: TestClient, site: dict) -> None:
    r = client.get("/reading-list", params={"domain": "1", "country": TESTLAND})
    assert r.status_code == 200
    assert re.findall(r'<li data-sha="(\w+)"', r.text) == [site["B"].sha256, site["A"].sha256]
    bad = client.get("/reading-list", params={"indicator": "1.1.1", "domain": "1"})
    assert "either an indicator or a domain" in bad.text
    o = client.get("/overview", params={"country": "Testland"})
    assert o.status_code == 200 and o.text.count("<svg") == 8
    assert re.search(r'<div class="big">3</div>documents', o.text)
    assert "<title>Review progress per domain</title>" in o.text


def test_bar_chart_escapes_labels() -> None:
    svg = str(bar_chart({"<b>x</b>": 3, "y": 1}, title="T & U"))
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg and 'aria-label="T &amp; U"' in svg


def test_search_page_and_sending_a_result_to_the_queue(client: TestClient, site: dict) -> None:
    r = client.get("/search", params={"q": "emergency health care", "limit": 3})
    assert r.status_code == 200
    first = re.search(r'<article class="hit" id="hit-1" data-passage="([^"]+)"', r.text).group(1)
    assert first == site["A"].passage_ids[0]
    assert "<mark>Every migrant shall have access to emergency health care.</mark>" in r.text
    assert f'name="csrf" value="{CSRF}"' in r.text
    form = {"csrf": "wrong", "passage_id": site["A"].passage_ids[0], "indicator": "4.1.1", "q": "emergency health care"}
    assert client.post("/search/send", data=form).status_code == 403
    form["csrf"] = CSRF
    sent = client.post("/search/send", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/search?q=emergency+health+care&msg=queued")
    with site["store"].session() as s:
        prov = s.scalar(select(SearchSendRow).where(SearchSendRow.indicator_id == "4.1.1"))
        cand = s.get(CandidateRow, prov.candidate_id)
    assert (prov.user, prov.via, cand.model_version, cand.passage_id) == (
        "ana",
        "web",
        "search:toy-hash",
        site["A"].passage_ids[0],
    )
    assert "queued as #" in client.get(sent.headers["location"]).text
    unknown = client.post("/search/send", data={**form, "indicator": "nothing like it"}, follow_redirects=True)
    assert "unknown indicator &#39;nothing like it&#39;" in unknown.text
    assert "unknown domain" in client.get("/search", params={"q": "x", "domain": "9"}).text


def test_mounted_under_a_prefix(site: dict) -> None:
    c = TestClient(make_app(site["store"], site["home"], prefix="/triage"))
    c.cookies.set("session", "ok")
    page = c.get("/triage/coverage", params={"country": TESTLAND})
    assert page.status_code == 200 and 'href="/triage/coverage.csv?country=Republic+of+Testland"' in page.text
    sent = c.post(
        "/triage/search/send",
        data={"csrf": CSRF, "passage_id": "nope", "indicator": "1.1.1", "q": "x"},
        follow_redirects=False,
    )
    assert sent.headers["location"].startswith("/triage/search?q=x&err=no+passage")


# --------------------------------------------------------------------------- real Chromium

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(site: dict):  # noqa: ANN201
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(site["store"], site["home"]), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install playwright (never `playwright install`)")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.slow
def test_coverage_heatmap_renders_in_chromium_and_its_csv_matches_the_database(
    browser,
    live_server: str,
    site: dict,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    context = browser.new_context(accept_downloads=True)
    context.add_cookies([{"name": "session", "value": "ok", "url": live_server}])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server}/coverage?country=Testland")
    table = page.locator("table#coverage")
    table.wait_for()
    assert page.locator("h1").inner_text() == f"Coverage of {TESTLAND}"
    assert page.locator("tr.indicator").count() == len(TAXONOMY.indicators)
    assert page.locator("thead th.doc").count() == 3
    assert page.locator("tr.domain").count() == len(TAXONOMY.domains)
    confirmed = page.locator('tr[data-indicator="1.1.1"] td[data-state="confirmed"]')
    assert confirmed.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(46, 125, 50)"
    suggested = page.locator('tr[data-indicator="2.1.1"] td[data-state="suggested"]')
    assert suggested.inner_text().strip() == "80"
    assert suggested.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    gap = page.locator('tr[data-indicator="1.2.2"] td[data-state="gap"]')
    assert gap.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(230, 81, 0)"
    box = table.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 1000  # laid out, not collapsed
    # click through to the passages behind a cell
    confirmed.locator("a").click()
    page.wait_for_url("**/coverage/cell?**")
    assert page.locator("#cell-state").get_attribute("data-state") == "confirmed"
    assert "Every migrant shall have access to emergency health care." in page.locator(".passage").first.inner_text()
    page.go_back()
    table.wait_for()
    # the CSV the page offers matches the database
    with page.expect_download() as info:
        page.locator("#csv-link").click()
    path = tmp_path / "coverage.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    n = len(cov.MATRIX_HEAD)
    full = {sha[:8]: sha for sha in (site["A"].sha256, site["B"].sha256, site["C"].sha256)}
    shas = [full[h.rsplit("[", 1)[1].rstrip("]")] for h in rows[0][n:]]
    got = {(r[2], sha): v for r in rows[1:] for sha, v in zip(shas, r[n:], strict=True) if v}
    assert got == expected_cells(site["store"], TESTLAND)
    assert [r[2] for r in rows[1:]] == TAXONOMY.indicator_ids
    assert problems == [], problems  # no CSP violation or script error
    context.close()
