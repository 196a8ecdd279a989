"""Language detection: deterministic, honest about short text, right on real sentences."""

from __future__ import annotations

import pytest

from pipeline.records import UNKNOWN_LANGUAGE, LanguageGuess
from pipeline.stages.language import detect, detect_document

SENTENCES = {
    "en": "Every migrant worker shall have the right to join a trade union and to receive equal pay for equal work.",
    "fr": "Tout travailleur migrant a le droit d'adhérer à un syndicat et de recevoir un salaire égal pour un travail égal.",
    "es": "Toda persona trabajadora migrante tiene derecho a afiliarse a un sindicato y a recibir igual salario por igual trabajo.",
}


@pytest.mark.parametrize(("code", "text"), SENTENCES.items())
def test_detects_language_of_a_sentence(code, text):
    guess = detect(text)
    assert guess.code == code
    assert guess.known
    assert 0.7 <= guess.probability <= 1.0


@pytest.mark.parametrize("text", ["Hola", "Article 5", "", "   ", "12.3.4 (a)", "UNHCR IOM ILO", "§ 12 — 2024"])
def test_short_or_letterless_text_is_unknown(text):
    guess = detect(text)
    assert guess == LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    assert not guess.known


def test_deterministic_across_calls():
    # a mixed text is where langdetect's random sampling would otherwise wobble
    mixed = "Ley de Migración. Migration Act. Loi sur l'immigration. Artículo 5, section 12, article 7 du code."
    first = [detect(t) for t in (*SENTENCES.values(), mixed)]
    for _ in range(3):
        assert [detect(t) for t in (*SENTENCES.values(), mixed)] == first


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES.values(),
        "Ley Ley Ley law law law loi loi loi",
        "Artículo 5. The Minister shall decide. Le ministre décide.",
    ],
)
def test_probability_is_in_unit_interval(text):
    guess = detect(text)
    assert 0.0 <= guess.probability <= 1.0
    assert guess.code == UNKNOWN_LANGUAGE or guess.probability >= 0.7


@pytest.mark.parametrize(
    ("code", "heading"),
    [
        ("es", "CAPÍTULO IV\nLIBROS DE REGISTRO DE LOS DOCUMENTOS DE NACIONALIDAD MEXICANA POR"),
        ("es", "CAPÍTULO III\nDE LA NACIONALIDAD MEXICANA POR NATURALIZACIÓN"),
        ("fr", "TITRE PREMIER DISPOSITIONS GÉNÉRALES RELATIVES AU SÉJOUR DES ÉTRANGERS"),
        ("en", "PART 13: DEPORTATION AND EXCLUSION ORDERS OF THE IMMIGRATION RULES"),
    ],
)
def test_headings_in_capitals(code, heading):
    """langdetect skips words in capitals; real gazette headings must not come out as de/en."""
    assert detect(heading).code == code


def test_document_language_uses_pages_beyond_the_title_page():
    pages = ["REPUBLIC OF TESTLAND — MIGRATION ACT"] + [SENTENCES["es"] * 3] * 5
    guess = detect_document(pages)
    assert guess.code == "es"


def test_document_language_of_nothing_is_unknown():
    assert detect_document([]) == LanguageGuess(UNKNOWN_LANGUAGE, 0.0)
    assert detect_document(["", "  \n"]).code == UNKNOWN_LANGUAGE


def test_codes_are_iso_639_1():
    from pipeline.stages.language import _normalise

    assert _normalise("zh-cn") == _normalise("zh-tw") == "zh"
    assert _normalise("es") == "es"
    assert all(len(detect(t).code) == 2 for t in SENTENCES.values())


def _seed_texts(step: int = 5) -> list[str]:
    import json
    from pathlib import Path

    texts = []
    for path in sorted((Path(__file__).resolve().parents[3] / "annotations" / "seed").glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts[::step]


def test_fast_detection_gives_exactly_langdetects_probabilities():
    """``_probabilities`` re-implements langdetect's loop for speed; it must not change one bit."""
    import random

    from pipeline.stages.language import _factory, _probabilities

    rng = random.Random(7)
    texts = _seed_texts()
    texts += [t[(a := rng.randrange(len(t))) : a + rng.randrange(3, 90)] for t in texts[:120]]  # fragments
    texts += [
        "CAPÍTULO IV DE LA POBLACIÓN MEXICANA",  # capitals
        "  two  spaces  and   more   spaces  in a row, and http://example.org/x?y=1 and a@b.org",
        "Привет мир, это тест на русском языке",
        "これは日本語のテキストです。移民政策について",
        "Article 5 § 12 — 2024",
    ]
    assert len(texts) > 400
    for text in texts:
        detector = _factory().create()
        detector.append(text)
        try:
            expected = [(x.lang, x.prob) for x in detector.get_probabilities()]
        except Exception as err:  # noqa: BLE001 - "No features in text" must be raised alike
            with pytest.raises(type(err)):
                _probabilities(text)
            continue
        assert [(x.lang, x.prob) for x in _probabilities(text)] == expected, text


def test_threads_detecting_at_once_get_what_one_thread_gets(monkeypatch):
    """Documents are split on a worker thread while others may detect: the shared n-gram table grows
    under a lock, and the answers do not depend on who else is detecting."""
    from concurrent.futures import ThreadPoolExecutor

    import pipeline.stages.language as language

    texts = [f"{s} {i} " + s[::-1] for i in range(12) for s in SENTENCES.values()]
    monkeypatch.setattr(language, "_PROFILES", language._Profiles())  # an empty table: every thread adds rows
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(detect, texts))
    monkeypatch.setattr(language, "_PROFILES", language._Profiles())
    alone = [detect(t) for t in texts]
    assert together == alone
    assert {g.code for g in alone[:3]} == set(SENTENCES)
