"""Language detection with langdetect, made deterministic and honest about short text."""

from __future__ import annotations

import re
from functools import lru_cache

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

    detector = _factory().create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    if best.prob < MIN_PROBABILITY:
        return LanguageGuess(UNKNOWN_LANGUAGE, round(best.prob, 4))
    return LanguageGuess(_normalise(best.lang), round(best.prob, 4))


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
