"""Inputs that are not PDFs: Word (.docx) files, HTML pages, Markdown and plain-text renderings of
legislation.

Both become the same ``Page`` records a PDF gives, so every later stage is unchanged:

- **DOCX** (python-docx): paragraphs and table rows in document order, one line each. Pages end
  at explicit page breaks (a page-break character, "page break before", a section break to a new
  page); a document without them is cut into virtual pages of about ``page_chars`` characters at
  paragraph boundaries.
- **HTML** (the standard library's ``html.parser``): navigation, scripts, styles, forms, headers and
  footers of the site are dropped; headings, paragraphs, list items, table rows and other blocks
  become lines. When the page has a ``<main>`` (or an ``<article>``), only that is read. Long
  pages are cut into virtual pages like DOCX.
- **Markdown / plain text** (markdown-it-py): open law collections publish statutes this way. Front
  matter, HTML tags, link targets, images and escapes are dropped; headings, paragraphs, list items
  and table rows become lines. Virtual pages end before a heading once a page holds half of
  ``page_chars`` (so an article is not cut across pages), or before any line at twice that.

A paragraph is already a paragraph here, so no PDF line joining or header removal is applied:
the lines are the text. What a file *is* is judged by its first bytes (``sniff``), not its name.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from pipeline.errors import MgiError

PAGE_CHARS = 3000  # size of a virtual page when the source has no pages of its own


class FormatError(MgiError):
    """The file cannot be read as its format; ``str(err)`` is a one-line reason."""


# --------------------------------------------------------------------------- what a file is


def sniff(head: bytes) -> str:
    """The kind of content from a file's first bytes: pdf, docx, zip, ole, html, image, text, empty, unknown."""
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in head or b"[Content_Types].xml" in head else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xdb") or head[:4] in (
        b"II*\x00",
        b"MM\x00*",
    ):
        return "image"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()[:2048]
    if text.startswith((b"<!doctype html", b"<html")) or (
        text.startswith(b"<") and re.search(rb"<(?:html|head|body|title|main|article|p|div|h[1-6])\b", text)
    ):
        return "html"
    if b"\x00" not in head[:512]:
        try:
            head[:512].decode("utf-8")
            return "text"
        except UnicodeDecodeError as err:
            if err.start >= 509 and err.reason == "unexpected end of data":
                return "text"  # the 512 bytes end inside a multi-byte character
    return "unknown"


KIND_DESCRIPTIONS = {
    "docx": "a ZIP container, e.g. a Word .docx file",
    "zip": "a ZIP container, e.g. a Word .docx file",
    "ole": "an old Microsoft Office file",
    "html": "an HTML page",
    "image": "an image",
    "text": "plain text",
    "unknown": "unrecognised content",
}


def virtual_pages(lines: Iterable[str], page_chars: int = PAGE_CHARS) -> list[str]:
    """Group lines into pages of about ``page_chars`` characters (a line is never split)."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) > page_chars:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages


_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00ad", "")).strip()


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(path: Path, max_unpacked_bytes: int) -> None:
    """Refuse ZIP bombs and broken containers before python-docx unpacks anything."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise FormatError(f"damaged ZIP container ({type(err).__name__}): re-save or re-download it") from err
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked_bytes:
        raise FormatError(
            f"refused: it would unpack to {unpacked / 1e6:.0f} MB (limit {max_unpacked_bytes / 1e6:.0f} MB); "
            "check the file, or raise MGI_MAX_FILE_MB"
        )
    if not any(i.filename == "word/document.xml" for i in infos):
        raise FormatError("a ZIP container without word/document.xml, so not a Word file: convert it to PDF or DOCX")


def _docx_blocks(document) -> Iterator[tuple[str, bool]]:  # noqa: ANN001 - python-docx Document
    """(text, page_break_after) for every paragraph and table row of the body, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            p = block._p
            ppr = p.pPr
            if ppr is not None and ppr.find(f"{_W}pageBreakBefore") is not None:
                yield "", True
            # text and explicit page breaks in run order: a break in the middle splits the paragraph
            chunks, buf = [], []
            for el in p.iter(f"{_W}t", f"{_W}br", f"{_W}tab", f"{_W}cr"):
                if el.tag == f"{_W}br" and el.get(f"{_W}type") == "page":
                    chunks.append("".join(buf))
                    buf = []
                elif el.tag == f"{_W}t":
                    buf.append(el.text or "")
                else:
                    buf.append(" ")
            chunks.append("".join(buf))
            for i, chunk in enumerate(chunks):
                yield _clean(chunk), i < len(chunks) - 1
            section_break = ppr is not None and ppr.find(f"{_W}sectPr") is not None
            if section_break:
                sect = ppr.find(f"{_W}sectPr")
                kind = sect.find(f"{_W}type")
                if kind is None or kind.get(f"{_W}val") in (None, "nextPage", "oddPage", "evenPage"):
                    yield "", True
        elif isinstance(block, Table):
            for row in block.rows:
                seen: list[str] = []
                try:
                    cells = row.cells
                except Exception:  # noqa: BLE001 - malformed merged cells
                    continue
                for cell in cells:
                    text = _clean(" ".join(par.text for par in cell.paragraphs))
                    if text and (not seen or seen[-1] != text):  # merged cells repeat their text
                        seen.append(text)
                if seen:
                    yield " | ".join(seen), False


def read_docx(path: Path, *, max_unpacked_bytes: int = 1 << 30, page_chars: int = PAGE_CHARS) -> tuple[list[str], bool]:
    """Page texts of a Word file and whether the pages are virtual (the file has no page breaks)."""
    check_zip(path, max_unpacked_bytes)
    try:
        import docx
    except ImportError as err:  # pragma: no cover - python-docx is a dependency
        raise FormatError("python-docx is not installed: pip install python-docx") from err
    try:
        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document))
    except Exception as err:  # noqa: BLE001 - python-docx and lxml raise many types for damaged files
        raise FormatError(
            f"damaged Word file ({type(err).__name__}): re-save it from Word, or export it as PDF"
        ) from err
    pages: list[list[str]] = [[]]
    explicit = False
    for text, brk in blocks:
        if text:
            pages[-1].append(text)
        if brk:
            explicit = True
            pages.append([])
    if explicit:
        out = ["\n".join(lines) for lines in pages]
        while len(out) > 1 and not out[-1]:
            out.pop()  # a trailing break makes no page
        return out, False
    return virtual_pages(pages[0], page_chars) or [""], True


# --------------------------------------------------------------------------- HTML

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "option",
    "svg",
    "canvas",
    "iframe",
    "object",
    "menu",
    "dialog",
    "head",
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "details",
    "summary",
    "center",
    "body",
    "html",
    "hr",
    "br",
}
_CELL = {"td", "th"}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar", "toolbar", "complementary"}


class _TextParser(HTMLParser):
    """Lines of visible text, tracking which came from inside <main>/<article>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipping, is main content)
        self.skip_depth = 0
        self.main_depth = 0
        self.saw_main = False
        self.lines: list[tuple[str, bool]] = []  # (text, inside main)
        self.buf: list[str] = []
        self.title: list[str] = []
        self.in_title = False

    def _flush(self) -> None:
        text = _clean("".join(self.buf))
        self.buf = []
        if text:
            self.lines.append((text, self.main_depth > 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag == "title":
            self.in_title = True
        if tag in _VOID:
            if tag in ("br", "hr") and not self.skip_depth:
                self._flush()
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        skip = (
            tag in _SKIP
            or a.get("role", "").lower() in _SKIP_ROLES
            or "hidden" in a
            or a.get("aria-hidden", "").lower() == "true"
            or re.search(r"display\s*:\s*none", a.get("style", ""), re.IGNORECASE) is not None
        )
        if tag in _BLOCK and not self.skip_depth:
            self._flush()
        elif tag in _CELL and not self.skip_depth and self.buf and "".join(self.buf).strip():
            self.buf.append(" | ")
        is_main = tag in ("main", "article") or a.get("role", "").lower() == "main"
        self.stack.append((tag, skip, is_main))
        if skip:
            self.skip_depth += 1
        if is_main:
            self.main_depth += 1
            self.saw_main = True

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag == "title":
            self.in_title = False
        if tag in _VOID:
            return
        # close up to the matching open tag (HTML in the wild leaves tags unclosed)
        # (looking back a bounded distance, so hostile nesting cannot make this quadratic)
        for i in range(len(self.stack) - 1, max(-1, len(self.stack) - 200), -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        if tag in _BLOCK and not self.skip_depth:
            self._flush()
        while len(self.stack) > i:
            _t, skip, is_main = self.stack.pop()
            if skip:
                self.skip_depth -= 1
            if is_main:
                if not self.skip_depth:
                    self._flush()
                self.main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if not self.skip_depth:
            self.buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def decode_html(raw: bytes) -> str:
    """Bytes to text: BOM, then a declared charset, then UTF-8, then Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    declared = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w\-]+)""", raw[:4096], re.IGNORECASE)
    encodings = ([declared.group(1).decode("ascii", "ignore")] if declared else []) + ["utf-8", "cp1252"]
    for enc in encodings:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


_ERROR_TITLE = re.compile(
    r"\b(?:404|403|500|502|503|not found|page not found|access denied|forbidden|error|"
    r"página no encontrada|page introuvable|erreur)\b",
    re.IGNORECASE,
)


def html_lines(html: str) -> tuple[str, list[str]]:
    """The page title and its visible lines (only those in <main>/<article> when it has one)."""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception as err:  # noqa: BLE001 - html.parser is lenient; anything else is a damaged file
        raise FormatError(f"unreadable HTML ({type(err).__name__}): save the page again") from err
    lines = [t for t, in_main in parser.lines if in_main] if parser.saw_main else [t for t, _ in parser.lines]
    if parser.saw_main and not lines:
        lines = [t for t, _ in parser.lines]
    return _clean("".join(parser.title)), lines


def read_html(path: Path, *, max_bytes: int = 200 << 20, page_chars: int = PAGE_CHARS) -> tuple[str, list[str]]:
    """The title and virtual page texts of an HTML page."""
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise FormatError(f"HTML page over {max_bytes >> 20} MB: save only the text, or raise MGI_MAX_FILE_MB")
    title, lines = html_lines(decode_html(raw))
    text_chars = sum(len(line) for line in lines)
    if title and _ERROR_TITLE.search(title) and text_chars < 1500:
        raise FormatError(f"an error page ({title[:60]!r}), not a document: download the page again")
    return title, virtual_pages(lines, page_chars)


# --------------------------------------------------------------------------- Markdown and plain text

MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
_FRONT_MATTER = re.compile(r"\A(?:[^\n]*\n){0,3}?---[ \t]*\n.*?\n---[ \t]*\n", re.DOTALL)
_TIGHT_HEADING = re.compile(r"^(#{1,6})(?=[^#\s])", re.MULTILINE)  # "##Wet ..." -> "## Wet ..."
_HTML_LINE = re.compile(r"^\s*<(?:meta|br|hr|/?div|/?span|/?p|!--)[^>]*>\s*$", re.IGNORECASE | re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]{1,80}\]:?")


def _inline_text(token) -> str:  # noqa: ANN001 - markdown-it Token
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            continue
    return _clean(_FOOTNOTE_REF.sub("", "".join(out)))


def markdown_lines(text: str) -> tuple[str | None, list[tuple[str, bool]]]:
    """The first heading (as a title) and the visible lines of a Markdown text, each with whether it
    is a heading."""
    from markdown_it import MarkdownIt

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = text[:4000]
    m = _FRONT_MATTER.match(head)
    preface = ""
    if m:
        # lines before the front matter (some collections put the start of the title there)
        preface = head[: m.start()] + head[m.start() : m.end()].split("---", 1)[0]
        text = text[m.end() :]
    text = _HTML_LINE.sub("", _TIGHT_HEADING.sub(r"\1 ", text))
    md = MarkdownIt("commonmark").enable("table")
    lines: list[tuple[str, bool]] = [(_clean(line), False) for line in preface.splitlines() if _clean(line)]
    title: str | None = None
    in_heading = in_table = False
    row: list[str] = []
    for tok in md.parse(text):
        if tok.type in ("heading_open", "heading_close"):
            in_heading = tok.type == "heading_open"
        elif tok.type in ("table_open", "table_close"):
            in_table = tok.type == "table_open"
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and any(row):
            lines.append((" | ".join(c for c in row if c), False))
        elif tok.type == "inline":
            s = _inline_text(tok)
            if in_table:
                row.append(s)
            elif s:
                if in_heading and title is None:
                    title = s
                lines.append((s, in_heading))
        elif tok.type in ("code_block", "fence"):
            # indented blocks in statute dumps are text (footnotes, enumerations), not code
            for para in re.split(r"\n\s*\n", tok.content):
                s = _clean(_FOOTNOTE_REF.sub("", para.replace("\\", "")))
                if s:
                    lines.append((s, False))
    return title, lines


def heading_pages(lines: Iterable[tuple[str, bool]], page_chars: int = PAGE_CHARS) -> list[str]:
    """Group lines into virtual pages: a page ends before a heading once it holds half of
    ``page_chars``, or before any line once it would pass twice ``page_chars``."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line, is_heading in lines:
        if current and ((is_heading and size >= page_chars // 2) or size + len(line) > 2 * page_chars):
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages


def read_markdown(
    path: Path, *, max_bytes: int = 200 << 20, page_chars: int = PAGE_CHARS
) -> tuple[str | None, list[str]]:
    """The title and virtual page texts of a Markdown or plain-text file (UTF-8, else Latin-1)."""
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise FormatError(f"text file over {max_bytes >> 20} MB: split it, or raise MGI_MAX_FILE_MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    title, lines = markdown_lines(text)
    return title, heading_pages(lines, page_chars)
