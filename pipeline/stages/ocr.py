"""OCR: judging whether a page's text layer is usable, and reading pages with Tesseract.

A page needs OCR when it has no text layer, or when its layer is mostly garbage: a scanner's bad
OCR, a font without a Unicode map (text comes out shifted or as symbols), ``(cid:12)`` glyph ids,
replacement characters. ``text_quality`` scores that from the text alone (no dictionary per
language is needed): the share of characters that sit in implausible tokens, and, for Latin-script
text long enough to judge, how few of its words are common function words of any of the
languages we read (a real sentence in en/fr/es/pt/de/it is 30-50 % such words; shifted or
random text almost none).

Tesseract is called as a subprocess (``tesseract stdin stdout``) with ``OMP_THREAD_LIMIT=1``:
on two cores its OpenMP threads fight each other and one page goes from ~1.5 s to ~13 s.
Pages are rendered with pypdfium2 at ``dpi`` (300 by default), capped in pixels so that a
hostile page size cannot exhaust memory.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)

# ISO 639-1 (what pipeline.stages.language says) -> Tesseract's traineddata names
TESSERACT_LANGUAGES = {
    "en": "eng",
    "fr": "fra",
    "es": "spa",
    "pt": "por",
    "de": "deu",
    "it": "ita",
    "nl": "nld",
    "ar": "ara",
    "ru": "rus",
    "hi": "hin",
    "zh": "chi_sim",
}
FALLBACK_LANGUAGES = ("eng", "fra", "spa")
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-por"

MIN_LETTERS = 30  # a page with fewer letters than this has no usable text layer
GARBAGE_THRESHOLD = 0.5  # text_quality().garbage at or above this: the layer is mostly garbage
MAX_PIXELS = 40_000_000  # an A4 page at 300 dpi is 8.7 MP; a hostile 5 m page would be gigabytes


class OcrUnavailable(RuntimeError):
    """Tesseract (or the language data it needs) is not installed."""


class OcrFailed(RuntimeError):
    """Tesseract ran but could not read the page (timeout, crash, unreadable image)."""


# --------------------------------------------------------------------------- text quality


# The most frequent function words of the Latin-script languages we meet. In running text of any
# of them 30-50 % of the words are in this list; in shifted or random text almost none are.
_FUNCTION_WORDS_TEXT = """
en: the of and to in a is that for on by with as be or at from this which it are an shall not any
    such may all its has have under his her their who other been were was will than into upon if no
    any person act section where there these those each within
fr: le la les de des du un une et en à au aux est sont par pour dans sur que qui ne pas ou il elle
    ils se sa son ses leur leurs ce cette ces être avec plus tout tous toute lors dont sont selon
    entre sans sous peut doit ainsi été fait
es: el la los las de del y en a al que un una por para con no se su sus es son lo como o u ser
    sobre entre sin este esta estos estas cuando será podrá deberá ante dicho dicha cual cada ha
    han otro otra todo toda
pt: o a os as de do da dos das e em no na nos nas um uma por para com não se seu sua seus suas
    que ao aos pelo pela ou é são ser como mais quando este esta entre sem sobre será cada
de: der die das und in den von zu mit dem des sich auf für ist im nicht ein eine als auch es an
    werden aus er hat dass sie nach bei oder um wird
it: il lo la i gli le di del della dei delle e in a al alla da che un una per con non si sono è
    come nel nella o ai dal sul
"""
_FUNCTION_WORDS = frozenset(
    w for line in _FUNCTION_WORDS_TEXT.strip().splitlines() for w in line.split(":")[-1].split()
)


_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ")
_ODD_SYMBOLS = set("@#$%^*~|\\{}<>=+_`¤¦§¨ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿×÷□■▪●◆◊�")
_CID = re.compile(r"\(cid:\d+\)")
_NUMBERISH = re.compile(r"^[\(\[]?[0-9IVXLCivxlc]{1,7}[A-Za-z]?(?:[.\-/:,][0-9A-Za-z]{1,4})*[\)\].,:;]*$")
_ENUM = re.compile(r"^[\(\[]?[A-Za-z]{1,3}[\)\].]$")  # (a)  b)  (iv)  A.
_ONE_LETTER_WORDS = set("aAàeéEoOóyYuUiI")  # en, fr, es, pt, it one-letter words
_URL = re.compile(r"^(?:https?://|www\.|[\w.+-]+@[\w-]+\.)", re.IGNORECASE)
_STRIP = "\"'“”‘’«»()[]{}.,;:!?¡¿—–-…*•"


def _is_letter(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] == "L" or cat[0] == "M"  # combining marks: Devanagari vowel signs are text, not noise


def _latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def _plausible_word(word: str) -> bool:
    """A token that looks like a word of some language (not like decoding noise)."""
    letters = [c for c in word if _is_letter(c)]
    if len(word) > 40 or re.search(r"(.)\1{4}", word):
        return False  # no word is 40 letters long or has a letter five times in a row
    if len(letters) < len(word.replace("-", "").replace("'", "").replace("’", "")):
        return False  # symbols or digits inside letters: "fa@her", "l[person]", "vol~~ntarily"
    if not all(_latin(c) for c in letters):
        return True  # another script: we cannot judge its spelling, only its characters
    low = word.lower()
    if len(letters) >= 3 and not any(c in _VOWELS for c in low):
        return low.isupper() or word.isupper()  # acronyms (DOF, UNHCR) are fine
    if re.search(r"[^aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ\W\d]{6,}", low):
        return False  # six consonants in a row
    inner = word[1:]
    if any(c.isupper() for c in inner) and any(c.islower() for c in word) and not word.isupper():
        return sum(c.isupper() for c in inner) <= 1  # "McDonald", "eVisa" happen; "jftLVªh" is noise
    return True


@dataclass(frozen=True, slots=True)
class TextQuality:
    """How usable a page's text layer is. ``garbage`` is 0 (clean) .. 1 (noise)."""

    letters: int
    tokens: int
    bad_share: float  # share of non-space characters in implausible tokens
    function_share: float | None  # share of Latin-script words that are common function words
    replacement: int  # U+FFFD, private-use characters, (cid:N) glyph ids
    short_share: float  # share of tokens that are a lone symbol or a lone letter that is no word
    garbage: float

    @property
    def empty(self) -> bool:
        return self.letters < MIN_LETTERS

    @property
    def usable(self) -> bool:
        return not self.empty and self.garbage < GARBAGE_THRESHOLD


def text_quality(text: str) -> TextQuality:
    """Score a page's text (see the module docstring)."""
    cids = len(_CID.findall(text))
    text = _CID.sub(" \ufffd ", text)
    tokens = text.split()
    letters = sum(1 for c in text if _is_letter(c))
    replacement = cids + sum(1 for c in text if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cs", "Cn"))
    if not tokens:
        return TextQuality(letters, 0, 0.0, None, replacement, 0.0, 1.0)
    total = bad = 0
    short = 0
    latin_words = function_words = 0
    fw = _FUNCTION_WORDS
    for k, tok in enumerate(tokens):
        n = len(tok)
        total += n
        core = tok.strip(_STRIP)
        if "\ufffd" in tok or any(unicodedata.category(c) in ("Co", "Cs", "Cn", "Cc") for c in tok):
            bad += n
            continue
        if not core:
            leader = tok in (".", ",,", "…") and tok in tokens[max(0, k - 1) : k] + tokens[k + 1 : k + 2]
            if n == 1 and tok not in "-–—•*§;:!?»«" and not leader:  # French sets ; : ! ? apart with spaces
                short += 1
            if n > 3 and tok.strip("._-…·") and len(set(tok)) > 2:  # "''~~,,"; dot leaders are fine
                bad += n
            continue
        if len(core) == 1 and core.isalpha() and core not in _ONE_LETTER_WORDS and not _ENUM.match(tok):
            short += 1  # a lone letter that is no word: OCR debris
            continue
        if _NUMBERISH.match(tok) or _ENUM.match(tok) or core.isdigit() or _URL.match(core):
            continue
        if sum(c in _ODD_SYMBOLS for c in core) > max(1, len(core) // 4):
            bad += n
            continue
        if len(core) == 1 and not core.isalnum():
            short += 1
            bad += n
            continue
        # words glued to numbers are normal in legislation ("2(1)(b)", "1955.", "19551"): judge letter runs
        parts = [p for p in re.split(r"[\d()\[\]/.,:;—–]+", core) if p]
        if not parts:
            continue
        if all(_plausible_word(p) for p in parts):
            if all(_latin(c) for c in core if _is_letter(c)):
                latin_words += 1
                function_words += core.lower() in fw
        else:
            bad += n
    bad_share = bad / total if total else 0.0
    short_share = short / len(tokens)
    function_share = function_words / latin_words if latin_words >= 30 else None
    garbage = bad_share
    if function_share is not None:
        # prose has 30-50 % function words; lists and tables of names fewer; shifted text none
        garbage = max(garbage, min(1.0, max(0.0, (0.12 - function_share) / 0.10)))
    garbage = min(1.0, garbage + short_share + min(0.5, 20 * replacement / max(1, total)))
    return TextQuality(
        letters,
        len(tokens),
        round(bad_share, 4),
        None if function_share is None else round(function_share, 4),
        replacement,
        round(short_share, 4),
        round(garbage, 4),
    )


# --------------------------------------------------------------------------- Tesseract


@dataclass(frozen=True)
class Tesseract:
    """The Tesseract binary and the languages it has data for."""

    command: str
    languages: frozenset[str]

    def language_for(self, codes: Iterable[str]) -> str:
        """A ``-l`` value for the given ISO 639-1 codes, limited to installed data; else the fallback."""
        wanted = [TESSERACT_LANGUAGES[c] for c in codes if c in TESSERACT_LANGUAGES]
        have = [w for w in dict.fromkeys(wanted) if w in self.languages]
        if not have:
            have = [f for f in FALLBACK_LANGUAGES if f in self.languages] or sorted(self.languages - {"osd"})[:1]
        if not have:
            raise OcrUnavailable(f"Tesseract has no language data: {INSTALL_HINT}")
        return "+".join(have)


@lru_cache(maxsize=4)
def find_tesseract(command: str = "tesseract") -> Tesseract:
    """The installed Tesseract, or ``OcrUnavailable`` with the command that installs it."""
    path = shutil.which(command)
    if path is None:
        raise OcrUnavailable(f"Tesseract is not installed: {INSTALL_HINT}")
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        raise OcrUnavailable(f"Tesseract at {path} does not run ({err}): {INSTALL_HINT}") from err
    langs = frozenset(
        line.strip() for line in (out.stdout + out.stderr).splitlines()[1:] if re.fullmatch(r"[\w]+", line.strip())
    )
    if not langs - {"osd"}:
        raise OcrUnavailable(f"Tesseract has no language data: {INSTALL_HINT}")
    return Tesseract(path, langs)


def render_page(pdf, index: int, dpi: int = 300):  # noqa: ANN001, ANN201 - pypdfium2 document -> PIL image
    """Render page ``index`` (0-based) of an open pypdfium2 document in greyscale."""
    page = pdf[index]
    try:
        width, height = page.get_size()  # points
        if width <= 0 or height <= 0:
            raise OcrFailed("the page has no size")
        scale = dpi / 72
        pixels = width * scale * height * scale
        if pixels > MAX_PIXELS:
            scale *= (MAX_PIXELS / pixels) ** 0.5 * 0.999  # (rendering rounds up)
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return bitmap.to_pil().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def ink_share(image) -> float:  # noqa: ANN001 - PIL image
    """Share of dark pixels (a blank page has none, and is not worth sending to Tesseract)."""
    hist = image.convert("L").histogram()
    return sum(hist[:128]) / max(1, image.width * image.height)


@dataclass(frozen=True, slots=True)
class OcrResult:
    """What Tesseract read on one page: lines (a blank line between paragraphs) and its mean word
    confidence (0-100, weighted by word length; well-printed pages score 90+, a page in a script
    Tesseract has no data for scores ~40)."""

    text: str
    confidence: float
    words: int


def _run(tesseract: Tesseract, args: list[str], data: bytes, timeout: float) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        out = subprocess.run(
            [tesseract.command, "stdin", "stdout", *args], input=data, capture_output=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired as err:
        raise OcrFailed(f"Tesseract took more than {timeout:.0f} s") from err
    except OSError as err:
        raise OcrUnavailable(f"Tesseract cannot be started ({err.strerror or err}): {INSTALL_HINT}") from err
    if out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailed(f"Tesseract failed ({message[-1] if message else f'exit code {out.returncode}'})")
    return out.stdout.decode("utf-8", "replace")


def _png(image) -> bytes:  # noqa: ANN001 - PIL image
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def ocr_image(image, language: str, tesseract: Tesseract, *, dpi: int = 300, timeout: float = 180.0) -> OcrResult:  # noqa: ANN001
    """Read one page image (Tesseract's TSV output: words with their confidence and layout)."""
    tsv = _run(tesseract, ["-l", language, "--psm", "3", "--dpi", str(dpi), "tsv"], _png(image), timeout)
    lines: list[str] = []
    words: list[str] = []
    key = para = None
    weighted = length = 0.0
    count = 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":  # level 5 = a word
            continue
        word = cols[11].strip()
        if not word:
            continue
        try:
            conf = max(0.0, float(cols[10]))
        except ValueError:
            continue
        line_key = (cols[1], cols[2], cols[3], cols[4])  # page, block, paragraph, line
        if line_key != key:
            if words:
                lines.append(" ".join(words))
            words = []
            if para is not None and line_key[:3] != para:
                lines.append("")  # a new paragraph
            key, para = line_key, line_key[:3]
        words.append(word)
        weighted += conf * len(word)
        length += len(word)
        count += 1
    if words:
        lines.append(" ".join(words))
    return OcrResult("\n".join(lines), round(weighted / length, 1) if length else 0.0, count)


# Tesseract's script names (OSD) -> a language with that script (its Debian package: tesseract-ocr-<lang>)
SCRIPT_LANGUAGES = {
    "Devanagari": "hin",
    "Arabic": "ara",
    "Cyrillic": "rus",
    "Han": "chi_sim",
    "Hangul": "kor",
    "Japanese": "jpn",
    "Greek": "ell",
    "Hebrew": "heb",
    "Bengali": "ben",
    "Tamil": "tam",
    "Thai": "tha",
}


def debian_package(language: str) -> str:
    return "tesseract-ocr-" + language.replace("_", "-").lower()


def detect_script(image, tesseract: Tesseract, timeout: float = 60.0) -> str | None:  # noqa: ANN001
    """The writing system on a page image (Tesseract's orientation and script detection), if known."""
    if "osd" not in tesseract.languages:
        return None
    try:
        out = _run(tesseract, ["--psm", "0"], _png(image), timeout)
    except (OcrFailed, OcrUnavailable):
        return None
    found = re.search(r"^Script:\s*(\w+)", out, re.MULTILINE)
    return found.group(1) if found else None
