"""Language detection with langdetect, made deterministic and honest about short text.

langdetect's own detection loop is pure Python over 55 languages per sampled n-gram, and the
pipeline detects every block of every document. ``_probabilities`` runs the same algorithm on
langdetect's own profiles, random sequence and floating-point operations in the same order, with
the per-language arithmetic in numpy: the results are identical to
``Detector.get_probabilities()`` (tests/pipeline/test_language.py checks this on the seed
annotations), 1.86 times faster per text (``python -m bench.micro language``, docs/benchmarks.md).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import numpy as np

from pipeline.records import UNKNOWN_LANGUAGE, LanguageGuess

MIN_LETTERS = 24  # below this langdetect guesses wildly ("Hola" -> tr, "Article 5" -> ro)
MIN_WORDS = 4
MIN_PROBABILITY = 0.70
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@lru_cache(maxsize=1)
def _factory():  # noqa: ANN202 - langdetect's DetectorFactory is untyped
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory


def detect(text: str, max_chars: int = 2000) -> LanguageGuess:
    """Best language of ``text`` with its probability, or ``unknown`` when it cannot be told."""
    sample = text[:max_chars]
    words = _WORD.findall(sample)
    if len(_LETTERS.findall(sample)) < MIN_LETTERS or len(words) < MIN_WORDS:
        return LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    if sum(w.isupper() for w in words) * 2 > len(words):
        # langdetect ignores words in capitals (it takes them for acronyms), so a heading set in
        # capitals would be judged on almost nothing ("CAPÍTULO IV ... MEXICANA" -> de)
        sample = sample.lower()
    from langdetect.lang_detect_exception import LangDetectException

    try:
        best = _probabilities(sample)[0]
    except (LangDetectException, IndexError):
        return LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    if best.prob < MIN_PROBABILITY:
        return LanguageGuess(UNKNOWN_LANGUAGE, round(best.prob, 4))
    return LanguageGuess(_normalise(best.lang), round(best.prob, 4))


_SPACES = re.compile(" {2,}")


def _probabilities(text: str):  # noqa: ANN202 - a list of langdetect Language objects
    """``Detector.append(text)`` then ``.get_probabilities()``, computed the fast way (same result)."""
    from langdetect.detector import Detector
    from langdetect.utils.ngram import NGram

    detector = _factory().create()
    if detector.prior_map is not None or detector.verbose or type(detector) is not Detector:
        detector.append(text)  # not the configuration the fast path replicates
        return detector.get_probabilities()
    # Detector.append: URLs and e-mail addresses out, Vietnamese normalised, runs of spaces collapsed
    text = detector.URL_RE.sub(" ", text)
    text = detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    detector.text = _SPACES.sub(" ", text[: detector.max_text_length])
    detector.cleaning_text()
    ngrams = _extract_ngrams(detector.text, detector.word_lang_prob_map)
    if not ngrams:
        from langdetect.lang_detect_exception import ErrorCode, LangDetectException

        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    detector.langprob = _detect_block(detector, ngrams)
    return detector._sort_probability(detector.langprob)


_NORMALISED: dict[str, str] = {}  # character -> NGram.normalize(character)


def _extract_ngrams(text: str, known: dict) -> list[str]:
    """``Detector._extract_ngrams`` with ``NGram.add_char`` inlined and character normalisation cached."""
    from langdetect.utils.ngram import NGram

    norm = _NORMALISED
    result: list[str] = []
    append = result.append
    grams, capital = " ", False
    for ch in text:
        n_ch = norm.get(ch)
        if n_ch is None:
            n_ch = norm[ch] = NGram.normalize(ch)
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if n_ch == " ":
                continue  # add_char returned early; " " alone is no n-gram
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += n_ch
        if n_ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:  # langdetect ignores words in capitals
            continue
        w = grams[-1:]
        if w != " " and w in known:
            append(w)
        if len(grams) >= 2:
            w = grams[-2:]
            if w in known:
                append(w)
            if len(grams) >= 3:
                w = grams[-3:]
                if w in known:
                    append(w)
    return result


class _Profiles:
    """Per-language probabilities of the n-grams met so far, as rows of one matrix (converted from
    langdetect's lists once; a few MB for a corpus in a handful of languages, 40 MB at most)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.matrix = np.empty((0, 0))
        self.lock = threading.Lock()  # documents are split on a worker thread while others detect

    def rows(self, words: list[str], table: dict) -> tuple[np.ndarray, list[int]]:
        """The distinct words' rows (a copy) and, for every word, its position among them."""
        with self.lock:
            unique, local = np.unique(np.asarray(self.ids(words, table)), return_inverse=True)
            return self.matrix[unique], local.tolist()

    def ids(self, words: list[str], table: dict) -> list[int]:
        """The row of every word (adding the rows of words not met before)."""
        index = self.index
        try:
            return [index[w] for w in words]
        except KeyError:
            pass
        missing = [w for w in dict.fromkeys(words) if w not in index]
        new = np.array([table[w] for w in missing], dtype=np.float64)
        n = len(index)
        if n + len(missing) > self.matrix.shape[0]:
            grown = np.empty((max(2 * self.matrix.shape[0], n + len(missing), 1024), new.shape[1]))
            if n:
                grown[:n] = self.matrix[:n]
            self.matrix = grown
        self.matrix[n : n + len(missing)] = new
        for offset, w in enumerate(missing):
            index[w] = n + offset
        return [index[w] for w in words]


_PROFILES = _Profiles()


def _chooser(rand):  # noqa: ANN001, ANN202 - random.Random -> (list -> item)
    """``rand.choice`` without its Python call overhead, if this Python's ``choice`` draws the way
    it is replicated here (checked on a throw-away generator), else ``rand.choice`` itself."""
    if _draws_like_choice():
        getrandbits = rand.getrandbits

        def choice(seq: list[int]) -> int:
            n = len(seq)
            k = n.bit_length()
            r = getrandbits(k)
            while r >= n:
                r = getrandbits(k)
            return seq[r]

        return choice
    return rand.choice


@lru_cache(maxsize=1)
def _draws_like_choice() -> bool:
    import random

    a, b = random.Random(12345), random.Random(12345)
    for n in (1, 2, 3, 7, 64, 100, 513, 1000, 4097):
        seq = list(range(n))
        for _ in range(50):
            k = n.bit_length()
            r = b.getrandbits(k)
            while r >= n:
                r = b.getrandbits(k)
            if a.choice(seq) != seq[r]:
                return False
    return a.random() == b.random()


def _detect_block(detector, ngrams: list[str]) -> list[float]:  # noqa: ANN001 - a langdetect Detector
    """``Detector._detect_block`` after the n-grams: the same random draws in the same order and the
    same float operations per language (numpy element-wise is IEEE-exact, sums stay Python's)."""
    rows, ids = _PROFILES.rows(ngrams, detector.word_lang_prob_map)
    # random.choice(ngrams) and random.choice(ids) draw the same position
    n_lang = len(detector.langlist)
    rand = detector.random
    rand.seed(detector.seed)
    choice = _chooser(rand)
    limit, conv, trials = detector.ITERATION_LIMIT, detector.CONV_THRESHOLD, detector.n_trial
    langprob = [0.0] * n_lang
    for _ in range(trials):
        prob = np.full(n_lang, 1.0 / n_lang)
        alpha = detector.alpha + rand.gauss(0.0, 1.0) * detector.ALPHA_WIDTH
        factors = (alpha / detector.BASE_FREQ) + rows  # weight + lang_prob_map[i], per n-gram
        i, size = 0, 1  # langdetect updates once, checks at i % 5 == 0, so draws come 1, 5, 5, ...
        while True:
            for _k in range(size):
                prob *= factors[choice(ids)]
            i += size - 1
            sump = sum(prob.tolist())  # Python's sum, as langdetect (numpy's pairwise sum rounds differently)
            prob /= sump
            if prob.max() > conv or i >= limit:
                break
            i += 1
            size = 5
        for j, p in enumerate(prob.tolist()):
            langprob[j] += p / trials
    return langprob


def detect_document(texts: list[str], sample_chars: int = 6000) -> LanguageGuess:
    """A document's main language from slices spread over its pages (not just the title page)."""
    texts = [t for t in texts if t.strip()]
    if not texts:
        return LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    per = max(300, sample_chars // len(texts))
    step = max(1, len(texts) * per // sample_chars)
    sample = "\n".join(t[len(t) // 4 : len(t) // 4 + per] for t in texts[::step])
    return detect(sample, max_chars=sample_chars)


def _normalise(code: str) -> str:
    # langdetect says zh-cn / zh-tw; the rest of the pipeline speaks ISO 639-1
    return code.split("-")[0]
