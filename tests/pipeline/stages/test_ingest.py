"""Ingest: PDFs made by the tests (fpdf2) and the bundled sample, read back through pdfplumber."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from testkit import GAZETTE_HEADER, SAMPLE, SAMPLE_ES

from pipeline.records import DocumentMeta
from pipeline.stages.cleaning import clean_pages, find_running_lines, join_lines
from pipeline.stages.ingest import IngestError, read_pdf, sha256_file

# --------------------------------------------------------------------------- a generated gazette


@pytest.fixture(scope="module")
def gazette(pdfs):
    return read_pdf(pdfs["gazette"])


def test_running_header_and_page_numbers_are_removed(gazette):
    doc, pages = gazette
    assert doc.n_pages == len(pages) == 3
    for page in pages:
        assert "OFFICIAL GAZETTE" not in page.text
        assert f"of {doc.n_pages}" not in page.text  # "Page 2 of 3"
        assert page.removed_lines == 2  # one header, one footer
    # the body's own mention of the gazette is text, not a running line
    assert "publication in the Official Gazette." in pages[2].text


def test_hyphenated_word_is_repaired_across_the_line_end(gazette):
    _doc, pages = gazette
    assert "for the implementation of this Act" in pages[0].text
    assert "implemen-" not in pages[0].text
    assert "implemen tation" not in pages[0].text


def test_paragraph_lines_join_and_articles_start_lines(gazette):
    _doc, pages = gazette
    lines = pages[0].text.split("\n")
    # a wrapped sentence becomes one line, joined with a space
    assert "in the Republic of Testland, and the protection" in pages[0].text
    # every article heading and numbered clause starts its own line (capitalised "Article" too)
    assert "Article 1. Scope" in lines
    assert "Article 2. National plan" in lines
    assert any(line.startswith("(2) The plan shall be reviewed") for line in lines)
    assert "Article 4. Health care" in pages[1].text.split("\n")


def test_pages_keep_their_numbers_and_order(gazette):
    _doc, pages = gazette
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[0].text.startswith("MIGRATION GOVERNANCE ACT")
    assert pages[1].text.startswith("Article 3. Work permits")
    assert pages[2].text.startswith("Article 5. Entry into force")


def test_reading_order_is_top_to_bottom_not_drawing_order(pdfs):
    _doc, pages = read_pdf(pdfs["order"])
    text = pages[0].text
    first, second, third = (text.index(w) for w in ("First, the opening", "Second, the middle", "Third, the closing"))
    assert first < second < third


def test_sha256_identity(pdfs, tmp_path):
    path = pdfs["gazette"]
    doc, _ = read_pdf(path)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == sha256_file(path)
    assert doc.size_bytes == path.stat().st_size
    copy = tmp_path / "renamed copy.pdf"
    shutil.copy(path, copy)
    copy_doc, _ = read_pdf(copy)
    assert copy_doc.sha256 == doc.sha256 and copy_doc.path != doc.path  # the bytes are the identity
    other, _ = read_pdf(pdfs["order"])
    assert other.sha256 != doc.sha256


def test_metadata_is_carried_and_given_digest_is_trusted(pdfs):
    meta = DocumentMeta(title="Migration Governance Act", country="Testland", level="national")
    doc, _ = read_pdf(pdfs["gazette"], meta, sha256="f" * 64)
    assert doc.meta == meta
    assert doc.sha256 == "f" * 64


def test_sample_pdf_is_cleaned(tmp_path):
    doc, pages = read_pdf(SAMPLE / SAMPLE_ES)
    assert doc.n_pages == len(pages) >= 4
    for page in pages:  # header "GACETA OFICIAL ... N.º 188", footer "Página N de M"
        assert page.removed_lines == 2
        assert "GACETA OFICIAL" not in page.text
        assert f"Página {page.number} de {doc.n_pages}" not in page.text
    text = "\n".join(p.text for p in pages)
    assert "\u00ad" not in text
    assert "Artículo 17. Visa humanitaria" in text.split("\n")  # an article starts its own line


# --------------------------------------------------------------------------- files that cannot be read


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("empty", "empty file"),
        ("docx", "not a PDF (a ZIP container"),
        ("html", "not a PDF (an HTML page)"),
        ("truncated", "damaged or truncated PDF"),
        ("encrypted", "password-protected PDF"),
        ("no_text", "no text layer"),
    ],
)
def test_unreadable_files_give_a_one_line_reason(pdfs, role, expected):
    with pytest.raises(IngestError) as info:
        read_pdf(pdfs[role])
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and len(message) < 200
    assert ":" in message  # reason, then what to do


def test_missing_file_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_pdf(tmp_path / "absent.pdf")


def test_pdf_magic_with_garbage_body(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00\x01 this is not a PDF body " * 50)
    with pytest.raises(IngestError, match="damaged or truncated PDF"):
        read_pdf(path)


# --------------------------------------------------------------------------- cleaning functions on raw text


def _page(body: list[str], header: str, footer: str) -> str:
    return "\n".join([header, *body, footer])


BODY = [
    [
        "Article 1. The State shall protect the rights of all migrants on its territory.",
        "Article 2. The Ministry shall publish statistics on migration every year.",
    ],
    [
        "Article 3. Foreign workers may change employer after one year of employment.",
        "Article 4. Children of migrants shall be enrolled in public schools.",
    ],
    [
        "Article 5. The Ministry shall cooperate with countries of origin and transit.",
        "Article 6. This law enters into force on the day of its publication.",
    ],
    [
        "Article 7. Victims of trafficking shall receive a residence permit.",
        "Article 8. Remittances shall not be taxed.",
    ],
]


@pytest.mark.parametrize(
    "footer",
    ["{p}", "- {p} -", "— {p} —", "Page {p}", "Page {p} of 4", "Página {p} de 4", "p. {p}", "{p} / 4", "{p}/4"],
)
def test_page_number_styles_are_dropped(footer):
    raw = [_page(b, "Official Journal of Testland", footer.format(p=i)) for i, b in enumerate(BODY, start=1)]
    pages = clean_pages(raw)
    for page, body in zip(pages, BODY, strict=True):
        assert page.text == "\n".join(body)
        assert page.removed_lines == 2


def test_headers_with_changing_numbers_are_running_lines():
    raw = [_page(b, f"Gazette No. {100 + i} — 2024", f"{i}") for i, b in enumerate(BODY, start=1)]
    pages = clean_pages(raw)
    assert all("Gazette" not in p.text for p in pages)
    assert "gazette no. # — #" in find_running_lines([r.splitlines() for r in raw])


def test_repeated_line_outside_header_zone_is_kept():
    filler = [f"Paragraph {n} of the body has its own words and text." for n in range(6)]
    raw = [
        "\n".join(["Head of page", *filler[:3], "See the annex for the forms.", *filler[3:], "Foot"]) for _ in range(4)
    ]
    pages = clean_pages(raw)
    for page in pages:
        assert "See the annex for the forms." in page.text
        assert "Head of page" not in page.text and "Foot" not in page.text


def test_single_page_document_keeps_its_first_line():
    pages = clean_pages(["CHAPTER ONE\nThe only page of this document has a first line."])
    assert pages[0].text.startswith("CHAPTER ONE")
    assert pages[0].removed_lines == 0


def test_join_lines_repairs_hyphens_and_keeps_structure():
    lines = [
        "The Authority shall ensure the protec-",
        "tion of migrant workers, in particular-",
        "(a) seasonal workers; and",
        "(b) domestic workers.",
        "Article 9. Final provisions",
    ]
    text = join_lines(lines)
    assert "the protection of migrant workers" in text
    assert text.split("\n")[1:] == ["(a) seasonal workers; and", "(b) domestic workers.", "Article 9. Final provisions"]


def test_join_lines_keeps_compound_hyphen_inside_a_line():
    assert join_lines(["A non-discrimination clause applies to all long-term residents."]) == (
        "A non-discrimination clause applies to all long-term residents."
    )


def test_offsets_survive_cleaning():
    """Joining changes only line ends (space or newline), so cleaned length is predictable."""
    lines = ["Article 1. Scope", "This law applies to every foreign national who", "enters the territory."]
    text = join_lines(lines)
    assert len(text) == sum(len(line) for line in lines) + len(lines) - 1


def test_gazette_header_constant_is_what_the_pdf_prints(pdfs):
    """Guard for the tests above: the header really is in the raw text (so removing it is work)."""
    from pipeline.stages.ingest import iter_raw_pages

    raw = list(iter_raw_pages(pdfs["gazette"]))
    assert all(r.splitlines()[0] == GAZETTE_HEADER for r in raw)
    assert raw[0].splitlines()[-1] == "Page 1 of 3"
    assert any(line.endswith("implemen-") for line in raw[0].splitlines())


def test_article_headings_at_page_tops_are_not_running_headers():
    """Bare "Article N" lines differ only in their digits, like page numbers, but they are text."""
    raw = [
        "\n".join(["Journal officiel — 15 mars 2023", f"Article {n}", *body, f"{i}/4"])
        for i, (n, body) in enumerate(zip((5, 11, 17, 25), BODY, strict=True), start=1)
    ]
    pages = clean_pages(raw)
    for page, n in zip(pages, (5, 11, 17, 25), strict=True):
        assert page.text.startswith(f"Article {n}\n")
        assert page.removed_lines == 2


def test_every_article_of_the_sample_law_survives():
    _doc, pages = read_pdf(SAMPLE / "valmont_loi_2023-118_entree_sejour_etrangers_asile.pdf")
    lines = [line for page in pages for line in page.text.split("\n")]
    articles = [line for line in lines if line.startswith("Article ")]
    assert [a.split()[1] for a in articles] == ["1er", *map(str, range(2, 30))]
