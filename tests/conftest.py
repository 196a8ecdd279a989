"""Shared fixtures. The environment is pointed at a throw-away folder before anything is imported,
so no test touches ~/mgi, ~/.prefect or a model promoted on this machine."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="mgi-tests-"))
(_SESSION_DIR / "prefect").mkdir()
os.environ.update(
    {
        "MGI_HOME": str(_SESSION_DIR / "home"),
        "MGI_DB_URL": f"sqlite:///{_SESSION_DIR / 'home' / 'mgi.db'}",
        "MGI_MODEL": "none",  # zero-shot: tests never depend on a model someone trained
        "PREFECT_HOME": str(_SESSION_DIR / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
)
for _var in ("MGI_TAXONOMY", "MGI_EMBEDDER", "PREFECT_API_URL"):
    os.environ.pop(_var, None)

from pdfgen import write_docx_like, write_pdf  # noqa: E402 - after the environment is set
from testkit import (  # noqa: E402, F401 - re-exported for fixtures below
    GAZETTE_HEADER,
    REAL_CORPUS,
    REPO,
    SAMPLE,
    SAMPLE_EN,
    SAMPLE_ES,
    SAMPLE_FR,
    make_batch_folder,
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


# --------------------------------------------------------------------------- generated PDFs

GAZETTE_PAGES = [
    [
        "MIGRATION GOVERNANCE ACT",
        "Article 1. Scope",
        "This Act governs the admission, stay and integration of foreign nationals in the Republic of",
        "Testland, and the protection of Testland nationals who work abroad.",
        "Article 2. National plan",
        "(1) The Ministry of the Interior shall prepare a national plan for the implemen-",
        "tation of this Act within twelve months of its commencement.",
        "(2) The plan shall be reviewed every three years in consultation with civil society.",
    ],
    [
        "Article 3. Work permits",
        "(1) A foreign national may apply for a work permit to the Labour Migration Authority,",
        "which shall decide on the application within thirty days.",
        "(2) The Authority shall publish the list of shortage occupations every year.",
        "Article 4. Health care",
        "Every migrant, whatever his or her status, shall have access to emergency health care",
        "and to primary care services on the same terms as nationals.",
    ],
    [
        "Article 5. Entry into force",
        "This Act enters into force on the day after its publication in the Official Gazette.",
    ],
]


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every generated test file by role; made once per session."""
    d = tmp_path_factory.mktemp("pdfs")
    files: dict[str, Path] = {}
    files["gazette"] = write_pdf(d / "gazette.pdf", GAZETTE_PAGES, header=GAZETTE_HEADER, footer="Page {p} of {nb}")
    # drawn bottom paragraph first: the text must still come out top to bottom
    files["order"] = write_pdf(
        d / "order.pdf",
        [
            [
                (150, "Third, the closing paragraph sits at the bottom of the page."),
                (30, "First, the opening paragraph sits at the top of the page."),
                (90, "Second, the middle paragraph sits in the middle of the page."),
            ]
        ],
    )
    files["encrypted"] = write_pdf(d / "encrypted.pdf", GAZETTE_PAGES[:1], encrypt_with="s3cret")
    files["no_text"] = write_pdf(d / "no_text.pdf", [[], []])
    files["empty"] = d / "empty.pdf"
    files["empty"].write_bytes(b"")
    files["docx"] = write_docx_like(d / "report.pdf")
    files["html"] = d / "download.pdf"
    files["html"].write_text("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body/></html>\n")
    whole = (SAMPLE / SAMPLE_ES).read_bytes()
    files["truncated"] = d / "truncated.pdf"
    files["truncated"].write_bytes(whole[: len(whole) // 2])
    return files


# --------------------------------------------------------------------------- Prefect and processed databases


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for every test that runs a flow (starting it is the slow part)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def cli_db(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The session database (MGI_DB_URL) after one `mgi run` over two sample PDFs and two bad files."""
    import contextlib
    import io
    import json

    from apps.cli import main

    folder = make_batch_folder(tmp_path_factory.mktemp("cli-corpus"), [SAMPLE_EN, SAMPLE_FR])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(folder), "--json", "--quiet"])
    assert code == 0, err.getvalue()
    return {"folder": folder, "summary": json.loads(out.getvalue()), "db_url": os.environ["MGI_DB_URL"]}
