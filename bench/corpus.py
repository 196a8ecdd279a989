"""Benchmark corpora: realistic policy PDFs in English, French and Spanish, of any total page count.

The text is the project's own seed annotations (``annotations/seed/*.jsonl``: passages written in
the style of real legislation and strategies, plus passages that answer no indicator), laid out
the way ``corpora/build_sample.py`` lays out the sample: A4 gazette pages with a running header, a
page-number footer, chapter and article headings, numbered clauses, lettered items, justified
paragraphs with words hyphenated at line ends, and a title block on the first page. One document
in five uses an embedded TrueType font (DejaVu) like many real PDFs; the others use core fonts.

A corpus of N pages is a sequence of documents of typical lengths (3 to 48 pages) whose pages add
up to exactly N. Document *i* depends only on its index and length, so a 1,000-page corpus holds
the documents of the 100-page one (but its last, trimmed one). Everything is deterministic: the
same call writes byte-identical files.

Corpora are cached under ``bench/.cache/`` (git-ignored): documents once in ``docs/``, each
corpus as a folder of hard links plus a ``manifest.csv`` that the pipeline reads.

    python -m bench.corpus 100 300 1000      # build (or reuse) the corpora, print where they are
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
SEED_DIR = REPO / "annotations" / "seed"
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
CORPUS_VERSION = 1  # bump when the generator changes: cached corpora are then rebuilt
SEED = "mgi-bench"
SIZES = (3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 48)  # typical lengths of laws, decrees and plans
LANGUAGES = ("en", "fr", "es")
SOFT_HYPHEN = "\u00ad"
MANIFEST_COLUMNS = ["file", "title", "country", "level", "date", "source_url", "language", "document_type"]

COUNTRIES = {
    "en": ["Republic of Norvania", "Kingdom of Eastmarch", "Federal Republic of Calderra", "Republic of Solent"],
    "fr": ["République de Valmont", "République du Bénaro", "Royaume d'Aurèle", "République de Sainte-Lune"],
    "es": ["República de Costa Serena", "Estado Libre de Altamira", "República del Marisal", "República de Vallerío"],
}
KINDS = {
    "en": {
        "law": "{country} — Act No. {num} of {year} on Migration and Asylum",
        "decree": "{country} — Regulations No. {num}/{year} on the Entry and Stay of Foreign Nationals",
        "strategy": "{country} — National Migration Policy {year}–{end}",
    },
    "fr": {
        "law": "{country} — Loi n° {year}-{num} relative aux étrangers et au droit d'asile",
        "decree": "{country} — Décret n° {year}-{num} portant application du code de l'entrée et du séjour",
        "strategy": "{country} — Plan national migrations {year}–{end}",
    },
    "es": {
        "law": "{country} — Ley N.º {num} de Migración y Extranjería de {year}",
        "decree": "{country} — Decreto Ejecutivo N.º {num}-{year} por el que se reglamenta la Ley de Migración",
        "strategy": "{country} — Política Nacional de Movilidad Humana {year}–{end}",
    },
}
FOOTERS = {"en": "Page {p} of {nb}", "fr": "Page {p} sur {nb}", "es": "Página {p} de {nb}"}
CHAPTER = {"en": "CHAPTER", "fr": "CHAPITRE", "es": "CAPÍTULO"}
ARTICLE = {"en": "Article", "fr": "Article", "es": "Artículo"}
SECTION = {"en": "Objective", "fr": "Objectif", "es": "Objetivo"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"]
CHAPTER_TITLES = {
    "en": [
        "GENERAL PROVISIONS",
        "ENTRY AND STAY",
        "RIGHTS OF MIGRANTS",
        "LABOUR MIGRATION",
        "INSTITUTIONAL COORDINATION",
        "PROTECTION AND ASSISTANCE",
        "FINAL PROVISIONS",
    ],
    "fr": [
        "DISPOSITIONS GÉNÉRALES",
        "ENTRÉE ET SÉJOUR",
        "DROITS DES MIGRANTS",
        "MIGRATION DE TRAVAIL",
        "COORDINATION INSTITUTIONNELLE",
        "PROTECTION ET ASSISTANCE",
        "DISPOSITIONS FINALES",
    ],
    "es": [
        "DISPOSICIONES GENERALES",
        "INGRESO Y PERMANENCIA",
        "DERECHOS DE LAS PERSONAS MIGRANTES",
        "MIGRACIÓN LABORAL",
        "COORDINACIÓN INTERINSTITUCIONAL",
        "PROTECCIÓN Y ASISTENCIA",
        "DISPOSICIONES FINALES",
    ],
}
_STRUCTURED = re.compile(r"^\s*(?:art|sec|rule|r[eè]gle|regla|\d|\(|[IVX]+\.)", re.IGNORECASE)
_LONG_WORD = re.compile(r"\b([^\W\d_]{11,})\b")


@dataclass(frozen=True)
class Corpus:
    folder: Path
    pages: int
    documents: int

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.pdf"))


@dataclass(frozen=True)
class DocSpec:
    index: int
    pages: int
    language: str
    kind: str
    font: str

    @property
    def file(self) -> str:
        return f"{self.index:04d}-{self.language}-{self.kind}-{self.pages}p.pdf"


# --------------------------------------------------------------------------- text


def _printable(text: str, font: str) -> str:
    """Text the font can draw: core fonts speak cp1252 only."""
    if font == "DejaVu":
        return text
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            alt = unicodedata.normalize("NFKC", ch)
            out.append(alt if alt != ch and all(_encodable(c) for c in alt) else "?")
    return "".join(out)


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def hyphenate(text: str) -> str:
    """Soft hyphens in long words, so justified lines break inside some of them (as in print)."""

    def soft(m: re.Match[str]) -> str:
        word = m.group(1)
        mid = len(word) // 2
        for cut in range(mid, len(word) - 4):  # after a vowel that a consonant follows
            if word[cut - 1].lower() in "aeiouáéíóúàèêâôûy" and word[cut].lower() not in "aeiouáéíóúàèêâôûy":
                return word[:cut] + SOFT_HYPHEN + word[cut:]
        return word

    return _LONG_WORD.sub(soft, text)


_SEED_TEXTS: dict[str, list[str]] = {}


def seed_texts(language: str) -> list[str]:
    """The seed annotation texts in ``language``, in file order."""
    if not _SEED_TEXTS:
        for path in sorted(SEED_DIR.glob("*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        item = json.loads(line)
                        _SEED_TEXTS.setdefault(item["language"], []).append(item["text"])
    texts = _SEED_TEXTS.get(language)
    if not texts:
        raise FileNotFoundError(f"no seed annotations in {language!r} under {SEED_DIR}: the corpus needs them")
    return texts


def _text_stream(language: str, rng: random.Random) -> Iterator[str]:
    """Seed texts in a shuffled order, reshuffled each time round."""
    texts = list(seed_texts(language))
    while True:
        rng.shuffle(texts)
        yield from texts


_LABEL = re.compile(
    r"^(?:(?:Article|Artículo|Art\.|Reg\.|Rule|Règle|Regla|Section|Sección|[A-Z]{2,6})\s*)?"
    r"\(?[\dIVX]{1,4}[A-Z]?(?:[.\-]\d+)*\)?\.?\s*(?:[-–—]\s*)?(?=[A-ZÁÉÍÓÚÑÇÀÈ(])"
)


def _unlabelled(text: str) -> str:
    """A seed text without the number it opens with, to sit inside a clause or an item."""
    return _LABEL.sub("", text, count=1)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[a-zà-ÿ)][.;])\s+(?=[A-ZÁÉÍÓÚÑÇÀÈ])", _unlabelled(text))
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if out and len(out[-1]) < 40:
            out[-1] += " " + part
        elif part:
            out.append(part)
    return out


# --------------------------------------------------------------------------- PDF


def _fpdf_class():  # noqa: ANN202 - fpdf2 is imported lazily (a dev dependency)
    from fpdf import FPDF

    class Gazette(FPDF):
        def __init__(self, header_text: str, footer_text: str, font: str) -> None:
            super().__init__(format="A4", unit="mm")
            self.header_text, self.footer_text, self.body_font = header_text, footer_text, font
            self.set_margins(22, 24, 22)
            self.set_auto_page_break(True, margin=22)

        def header(self) -> None:
            self.set_y(10)
            self.set_font(self.body_font, "", 8)
            self.set_text_color(60, 60, 60)
            self.cell(self.epw, 5, self.header_text, align="C")
            self.set_draw_color(120, 120, 120)
            self.line(self.l_margin, 16, self.w - self.r_margin, 16)
            self.set_text_color(0, 0, 0)
            self.set_y(self.t_margin)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(self.body_font, "", 8.5)
            self.set_text_color(60, 60, 60)
            self.cell(self.epw, 5, self.footer_text.format(p=self.page_no(), nb="{nb}"), align="C")
            self.set_text_color(0, 0, 0)

    return Gazette


class _Writer:
    """Draws blocks onto a fixed number of pages; a block that would open page N+1 is not drawn."""

    SIZE = 11.0
    LH = 11.0 * 0.47

    def __init__(self, pdf, pages: int, font: str) -> None:  # noqa: ANN001 - an fpdf2 FPDF
        self.pdf, self.pages, self.font = pdf, pages, font

    def _height(self, parts: Sequence[tuple[str, str, float, float, str]]) -> float:
        pdf, total = self.pdf, 0.0
        for style, text, indent, gap, align in parts:
            pdf.set_font(self.font, style, self.SIZE + (1 if style == "B" and align == "C" else 0))
            total += pdf.multi_cell(pdf.epw - indent, self.LH, text, align=align, dry_run=True, output="HEIGHT")
            total += gap
        return total

    def fits(self, parts: Sequence[tuple[str, str, float, float, str]]) -> bool:
        """Whether ``parts`` can be drawn without opening a page past the last one."""
        pdf = self.pdf
        room = (pdf.page_break_trigger - pdf.get_y()) + (self.pages - pdf.page) * (
            pdf.page_break_trigger - pdf.t_margin
        )
        return self._height(parts) <= room

    def draw(self, parts: Sequence[tuple[str, str, float, float, str]], keep_together: float = 0.0) -> bool:
        """Draw (style, text, indent, gap after, align) parts; False when the document is full."""
        if not self.fits(parts):
            return False
        pdf = self.pdf
        if keep_together and pdf.get_y() + keep_together > pdf.page_break_trigger:
            if pdf.page >= self.pages:
                return False
            pdf.add_page()
        for style, text, indent, gap, align in parts:
            pdf.set_font(self.font, style, self.SIZE + (1 if style == "B" and align == "C" else 0))
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(pdf.epw - indent, self.LH, text, align=align, new_x="LMARGIN", new_y="NEXT")
            if gap:
                pdf.ln(gap)
        return True

    def fill_to_end(self) -> None:
        """Make sure the document has exactly its page count (short documents end early otherwise)."""
        while self.pdf.page < self.pages:
            self.pdf.add_page()


def specs_for(total_pages: int) -> list[DocSpec]:
    """The documents of a corpus of ``total_pages`` pages (deterministic; a prefix of larger ones)."""
    if total_pages < 1:
        raise ValueError(f"a corpus needs at least one page, not {total_pages}")
    rng = random.Random(f"{SEED}:{CORPUS_VERSION}:sizes")
    specs, used, i = [], 0, 0
    while used < total_pages:
        size = min(rng.choice(SIZES), total_pages - used)
        lang = LANGUAGES[i % len(LANGUAGES)]
        kind = ("law", "decree", "strategy", "law")[(i // 3) % 4]
        font = "DejaVu" if i % 5 == 4 else ("Times" if i % 2 == 0 else "Helvetica")
        specs.append(DocSpec(i, size, lang, kind, font))
        used += size
        i += 1
    return specs


def _meta(spec: DocSpec) -> dict[str, str]:
    rng = random.Random(f"{SEED}:{CORPUS_VERSION}:meta:{spec.index}")
    country = rng.choice(COUNTRIES[spec.language])
    year = 2015 + rng.randrange(10)
    num = str(rng.randrange(12, 990))
    title = KINDS[spec.language][spec.kind].format(country=country, num=num, year=year, end=year + 5)
    return {
        "file": spec.file,
        "title": title.split(" — ", 1)[1],
        "country": country,
        "level": "national",
        "date": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        "source_url": f"https://example.org/bench/{spec.file}",
        "language": spec.language,
        "document_type": spec.kind,
        "header": title,
    }


def build_document(spec: DocSpec, path: Path) -> int:
    """Write one document; returns its page count (always ``spec.pages``)."""
    meta = _meta(spec)
    font, lang = spec.font, spec.language
    pdf = _fpdf_class()(_printable(meta["header"], font), FOOTERS[lang], font)
    if font == "DejaVu":
        pdf.add_font("DejaVu", "", str(DEJAVU_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(DEJAVU_DIR / "DejaVuSans-Bold.ttf"))
        pdf.add_font("DejaVu", "I", str(DEJAVU_DIR / "DejaVuSans-Oblique.ttf"))
    else:
        pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.set_title(_printable(meta["title"], font))
    pdf.set_creator("mgi bench corpus")
    pdf.set_lang(lang)
    pdf.add_page()
    w = _Writer(pdf, spec.pages, font)
    rng = random.Random(f"{SEED}:{CORPUS_VERSION}:doc:{spec.index}:{spec.pages}")
    texts = _text_stream(lang, rng)

    def text() -> str:
        return _printable(hyphenate(next(texts)), font)

    lh = w.LH
    w.draw(
        [
            ("B", _printable(meta["country"].upper(), font), 0, lh * 0.5, "C"),
            ("B", _printable(meta["title"], font), 0, lh * 0.5, "C"),
            ("I", meta["date"], 0, lh, "C"),
            ("", text(), 0, lh * 0.6, "J"),
        ]
    )
    article = section = 0
    for chapter in range(10_000):
        heading = f"{CHAPTER[lang]} {ROMAN[chapter % len(ROMAN)]}"
        title = CHAPTER_TITLES[lang][chapter % len(CHAPTER_TITLES[lang])]
        if not w.draw([("B", heading, 0, 0, "C"), ("B", _printable(title, font), 0, lh * 0.6, "C")], keep_together=40):
            break
        full = False
        for _ in range(rng.randint(3, 8)):
            roll = rng.random()
            if spec.kind == "strategy":
                section += 1
                parts = [("B", f"{SECTION[lang]} {chapter + 1}.{section}", 0, lh * 0.3, "L")]
            else:
                article += 1
                parts = [("B", f"{ARTICLE[lang]} {article}", 0, lh * 0.3, "L")]
            if roll < 0.3:  # numbered clauses: one long article, each clause on its own line
                parts += [
                    ("", f"({n}) {_printable(hyphenate(_unlabelled(next(texts))), font)}", 6, lh * 0.25, "J")
                    for n in range(1, rng.randint(3, 5))
                ]
            elif roll < 0.45:  # a list of lettered items made of one text's sentences
                body = next(texts)
                parts.append(("", _printable(hyphenate(_sentences(body)[0]), font), 0, lh * 0.25, "J"))
                parts += [
                    ("", f"({chr(97 + n)}) {_printable(hyphenate(s), font)}", 9, lh * 0.2, "J")
                    for n, s in enumerate(_sentences(body)[1:] + _sentences(next(texts)))
                ]
            else:  # one or two plain paragraphs; texts that carry their own number need no heading
                first = text()
                if _STRUCTURED.match(first) and rng.random() < 0.7:
                    parts = []
                parts.append(("", first, 0, lh * 0.6, "J"))
                if rng.random() < 0.4:
                    parts.append(("", text(), 0, lh * 0.6, "J"))
            if not w.draw(parts, keep_together=lh * 4):
                full = True
                break
        if full:
            break
    w.fill_to_end()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pdf.output(str(tmp))
    os.replace(tmp, path)
    return pdf.page


def build_corpus(total_pages: int, cache: Path = CACHE, *, log=None) -> Corpus:  # noqa: ANN001
    """The corpus of ``total_pages`` pages, built or reused from ``cache``."""
    specs = specs_for(total_pages)
    folder = cache / f"corpus-v{CORPUS_VERSION}-{total_pages}p"
    done = folder / ".complete"
    if done.is_file() and json.loads(done.read_text()).get("pages") == total_pages:
        return Corpus(folder, total_pages, len(specs))
    pool = cache / f"docs-v{CORPUS_VERSION}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows = []
    for spec in specs:
        src = pool / spec.file
        if not src.is_file():
            n = build_document(spec, src)
            if n != spec.pages:
                raise RuntimeError(f"{spec.file}: the generator wrote {n} pages, not {spec.pages}")
            if log:
                log(f"  wrote {spec.file}")
        try:
            os.link(src, folder / spec.file)
        except OSError:
            shutil.copy(src, folder / spec.file)
        rows.append({k: v for k, v in _meta(spec).items() if k in MANIFEST_COLUMNS})
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    done.write_text(json.dumps({"pages": total_pages, "documents": len(specs), "version": CORPUS_VERSION}))
    return Corpus(folder, total_pages, len(specs))


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100]
    for size in sizes:
        corpus = build_corpus(size, log=print)
        print(f"{corpus.pages} pages in {corpus.documents} documents: {corpus.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
