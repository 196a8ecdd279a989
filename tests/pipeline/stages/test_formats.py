"""Other formats: Word files and HTML pages become the same Page records a PDF gives."""

from __future__ import annotations

import zipfile

import pytest
from hostile import LAW_HTML, write_law_docx, write_zip_bomb_docx
from pdfgen import write_docx_like, write_pdf

from pipeline.stages.formats import FormatError, html_lines, read_docx, read_html, sniff, virtual_pages

# --------------------------------------------------------------------------- what a file is


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf  \n%PDF-1.4", "pdf"),  # junk before the header, as some servers send
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00[Content_Types].xml", "docx"),
        (b"PK\x03\x04 a plain zip archive", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
        (b"<!DOCTYPE html><html>", "html"),
        (b"\n  <HTML><BODY>Ley</BODY></HTML>", "html"),
        (b"<div><p>Article 1</p></div>", "html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "text"),
        (b"\x89PNG\r\n\x1a\n", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
        (b"Plain words of a text file.", "text"),
        (b"\x00\x01\x02\x03\xff", "unknown"),
        (b"", "empty"),
    ],
)
def test_sniff(head, kind):
    assert sniff(head) == kind


def test_virtual_pages_cut_at_lines_near_the_size():
    lines = [f"Line {n} " + "x" * 90 for n in range(100)]
    pages = virtual_pages(lines, page_chars=1000)
    assert "\n".join(pages) == "\n".join(lines)  # nothing lost, nothing split inside a line
    assert all(len(p) <= 1100 for p in pages) and len(pages) >= 9
    assert virtual_pages([]) == []


# --------------------------------------------------------------------------- DOCX


def test_docx_explicit_page_break_paragraphs_lists_and_tables(tmp_path):
    pages, virtual = read_docx(write_law_docx(tmp_path / "law.docx"))
    assert not virtual and len(pages) == 2
    lines = pages[0].split("\n")
    assert lines[:3] == ["Migration Governance Act 2024", "Article 1. Scope", lines[2]]
    assert lines[2].startswith("This Act governs the admission") and "\n" not in lines[2]
    assert "The plan shall be reviewed every three years with civil society." in lines  # list items are lines
    second = pages[1].split("\n")
    assert second[0] == "Article 3. Work permits"
    assert second[-2:] == ["Permit | Duration", "Work permit | 2 years"]  # a table row is a line


def test_docx_without_breaks_gets_virtual_pages(tmp_path):
    import docx

    d = docx.Document()
    paragraphs = [f"Article {n}. " + "The Ministry shall protect migrant workers. " * 8 for n in range(1, 41)]
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(tmp_path / "long.docx"))
    pages, virtual = read_docx(tmp_path / "long.docx", page_chars=3000)
    assert virtual and len(pages) >= 4
    assert [line for page in pages for line in page.split("\n")] == [p.strip() for p in paragraphs]


def test_docx_page_break_before_and_soft_hyphens(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("First page text of the regulation.")
    p = d.add_paragraph("Second page starts here with a pro\u00adtected word.")
    p.paragraph_format.page_break_before = True
    d.save(str(tmp_path / "pb.docx"))
    pages, virtual = read_docx(tmp_path / "pb.docx")
    assert not virtual and pages == [
        "First page text of the regulation.",
        "Second page starts here with a protected word.",
    ]


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path):
    bomb = write_zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=30)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(FormatError, match="refused: it would unpack to 3[0-9] MB"):
        read_docx(bomb, max_unpacked_bytes=10 << 20)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: write_docx_like(p), "damaged Word file"),
        (lambda p: p.write_bytes(b"PK\x03\x04 truncated"), "damaged ZIP container"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("other.txt", "x"), "without word/document.xml"),
    ],
    ids=["bad-xml", "truncated-zip", "not-word"],
)
def test_damaged_docx_gives_a_one_line_reason(tmp_path, make, message):
    path = tmp_path / "bad.docx"
    make(path)
    with pytest.raises(FormatError, match=message) as info:
        read_docx(path)
    assert "\n" not in str(info.value) and ": " in str(info.value)


# --------------------------------------------------------------------------- HTML


def test_html_keeps_the_law_and_drops_the_site(tmp_path):
    path = tmp_path / "law.html"
    path.write_text(LAW_HTML, encoding="utf-8")
    title, pages = read_html(path)
    assert title == "Migration Act 2024 - Legislation of Testland"
    assert len(pages) == 1
    lines = pages[0].split("\n")
    assert lines[0] == "Migration Act 2024"
    assert "Part 1 — Preliminary" in lines  # headings are lines; entities decoded
    assert "Section 1. Short title. This Act may be cited as the Migration Act 2024." in lines
    assert "(a) children of migrants shall be enrolled in public schools;" in lines  # list items are lines
    assert "Permit | Duration" in lines
    text = pages[0]
    for dropped in ("NAVIGATION SCRIPT", "font-family", "Search legislation", "Home", "Cookies", "Related:"):
        assert dropped.lower() not in text.lower()
    # a paragraph wrapped in the source is one line
    assert any(
        line.startswith("Section 2. Health care. Every migrant") and line.endswith("nationals.") for line in lines
    )


def test_html_without_main_reads_the_body_minus_navigation():
    title, lines = html_lines(
        "<html><head><title>Ley</title></head><body><nav>Inicio | Buscar</nav>"
        "<h1>Ley de Migración</h1><p>Artículo 1. Objeto.</p><div hidden>oculto</div>"
        "<p style='display: none'>también oculto</p><p>Artículo 2.<br>Definiciones.</p></body></html>"
    )
    assert title == "Ley" and lines == ["Ley de Migración", "Artículo 1. Objeto.", "Artículo 2.", "Definiciones."]


def test_html_in_a_legacy_encoding(tmp_path):
    path = tmp_path / "loi.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><p>Article 1er. Le séjour des étrangers…</p></body></html>'.encode(
            "cp1252"
        )
    )
    _title, pages = read_html(path)
    assert pages == ["Article 1er. Le séjour des étrangers…"]


def test_html_error_page_is_not_a_document(tmp_path):
    path = tmp_path / "download.html"
    path.write_text("<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>")
    with pytest.raises(FormatError, match=r"an error page \('404 Not Found'\)"):
        read_html(path)


def test_hostile_html_does_not_hang_or_crash():
    deep = "<div>" * 50_000 + "Article 1. Deep text." + "</span>" * 50_000 + "</div>" * 50_000
    _title, lines = html_lines(deep)
    assert lines == ["Article 1. Deep text."]
    _title, lines = html_lines("<p>unclosed <b>bold <script>evil()</p> after")
    assert lines == ["unclosed bold"]  # an unclosed script swallows the rest, as in a browser


def test_a_pdf_is_not_read_as_html(tmp_path):
    pdf = write_pdf(tmp_path / "x.pdf", [["Article 1. Text."]])
    assert sniff(pdf.read_bytes()[:4096]) == "pdf"
