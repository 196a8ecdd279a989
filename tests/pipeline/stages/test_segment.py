"""Segment: passages follow legal structure, stay under the size limit and point back into the pages."""

from __future__ import annotations

import re

import pytest
from helpers import assert_in_order_without_overlap, page_slice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.records import LanguageGuess, Page, Passage
from pipeline.stages.segment import MAJOR_START, segment, split_sentences

SHA = "ab" * 32
EN = LanguageGuess("en", 1.0)
ES = LanguageGuess("es", 1.0)

ARTICLE_5 = """Article 5. Work permits
(1) A foreign national who holds a job offer may apply for a work permit.
(2) The Authority shall decide on the application within thirty days and shall give reasons for a refusal.
(a) the permit is valid for two years;
(b) it may be renewed once."""
ARTICLE_6 = """Article 6. Family reunification
A migrant who holds a residence permit may be joined by his or her spouse and minor children."""

SENTENCE = "The Ministry shall publish an annual report on the implementation of this Act. "


def test_article_with_sub_clauses_stays_whole():
    pages = [Page(1, f"{ARTICLE_5}\n{ARTICLE_6}")]
    passages = segment(SHA, pages, EN)
    assert [p.text for p in passages] == [ARTICLE_5, ARTICLE_6]
    assert [p.heading for p in passages] == ["Article 5. Work permits", "Article 6. Family reunification"]
    assert all(p.language.code == "en" for p in passages)


def test_long_article_is_windowed_by_sentences_under_max_chars():
    body = (SENTENCE * 20).strip()
    pages = [Page(1, f"Article 7. Reporting\n{body}")]
    passages = segment(SHA, pages, EN, target_chars=700, max_chars=1000)
    assert len(passages) >= 2
    for p in passages:
        assert len(p.text) <= 1000
        assert p.text.endswith("of this Act.")  # cut between sentences, never inside one
        assert p.heading == "Article 7. Reporting"
    # nothing but the spaces between windows is lost
    assert sum(len(p.text) for p in passages) + len(passages) - 1 == len(pages[0].text)


def test_over_long_sentence_is_cut_at_whitespace_without_losing_characters():
    words = " ".join(f"w{i:04d}" for i in range(400))  # one 2,400-character "sentence"
    pages = [Page(1, words)]
    passages = segment(SHA, pages, EN, target_chars=300, max_chars=500)
    assert all(len(p.text) <= 500 for p in passages)
    assert " ".join(p.text for p in passages) == words


def test_unbreakable_text_loses_no_character():
    blob = "x" * 2500
    passages = segment(SHA, [Page(1, blob)], EN, target_chars=300, max_chars=500)
    assert "".join(p.text for p in passages) == blob


def test_offsets_round_trip_and_passages_do_not_overlap():
    text = "\n".join([ARTICLE_5, ARTICLE_6, "Article 7. Reporting", (SENTENCE * 15).strip(), ARTICLE_6])
    pages = [Page(1, text), Page(2, ARTICLE_5)]
    passages = segment(SHA, pages, EN)
    assert len(passages) >= 5
    for p in passages:
        if p.page == p.page_end:
            assert pages[p.page - 1].text[p.char_start : p.char_end] == p.text
    assert_in_order_without_overlap(passages)


def test_passage_spans_a_page_break():
    page1 = f"{ARTICLE_5}\nArticle 8. Detention\n(1) Detention of a migrant is a measure of last resort and may be ordered only"
    page2 = "for the shortest time necessary, by a judge.\n(2) Children shall never be detained.\n" + ARTICLE_6
    pages = [Page(1, page1), Page(2, page2)]
    passages = segment(SHA, pages, EN)
    spanning = [p for p in passages if p.page != p.page_end]
    assert len(spanning) == 1
    p = spanning[0]
    assert (p.page, p.page_end) == (1, 2)
    assert p.text.startswith("Article 8. Detention") and p.text.endswith("Children shall never be detained.")
    assert page_slice(pages, p) == p.text
    assert_in_order_without_overlap(passages)


def test_heading_too_short_to_stand_alone_is_carried_forward():
    pages = [Page(1, "CHAPTER II\nArticle 3. Health\nEvery migrant shall have access to emergency health care.")]
    passages = segment(SHA, pages, EN)
    assert len(passages) == 1
    assert passages[0].text.startswith("CHAPTER II\nArticle 3. Health")


def test_passages_get_their_own_language():
    pages = [
        Page(
            1,
            f"{ARTICLE_5}\nArtículo 6. Reunificación familiar\nLa persona migrante con residencia "
            "podrá ser acompañada por su cónyuge y sus hijos menores de edad.",
        )
    ]
    passages = segment(SHA, pages, EN)
    assert [p.language.code for p in passages] == ["en", "es"]


def test_language_comes_from_the_injected_detector():
    seen: list[str] = []

    def detector(text: str) -> LanguageGuess:
        seen.append(text)
        return LanguageGuess("pt", 0.9)

    passages = segment(SHA, [Page(1, f"{ARTICLE_5}\n{ARTICLE_6}")], EN, detector=detector)
    assert [p.language for p in passages] == [LanguageGuess("pt", 0.9)] * 2
    assert seen == [ARTICLE_5, ARTICLE_6]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "As provided in art. 5 of this Law, the Ministry shall act. Under Art. 12 and arts. 3 and 4, no fee "
            "is due. The third sentence follows.",
            3,
        ),
        (
            "es",
            "Conforme al art. 12 de la Ley, la Secretaría resolverá. Según el núm. 3 del inciso b), no procede. "
            "Fin de la regla.",
            3,
        ),
        (
            "fr",
            "En application de l'art. 5 du code, le préfet statue. Voir aussi l'art. L. 313-11 et les "
            "art. 7 et 8. Fin de l'article.",
            3,
        ),
    ],
)
def test_legal_abbreviations_do_not_split_sentences(language, text, expected):
    spans = split_sentences(text, language)
    sentences = [text[a:b] for a, b in spans]
    assert len(sentences) == expected, sentences
    assert not any(re.search(r"\b[Aa]rts?\.$", s.strip()) for s in sentences)


def test_major_start_is_about_structure_not_any_unpunctuated_line():
    assert MAJOR_START.match("Article 14. Family reunification")
    assert MAJOR_START.match("TITLE III — CATEGORIES OF MIGRANTS")
    assert MAJOR_START.match("2.1. The Ministry shall publish")
    assert not MAJOR_START.match("in accordance with the law")  # lower case is not an ALL-CAPS heading
    assert not MAJOR_START.match("Presidenta de la Asamblea Legislativa")


def test_empty_and_blank_pages_give_no_passages():
    assert segment(SHA, [], EN) == []
    assert segment(SHA, [Page(1, ""), Page(2, "  \n\n ")], EN) == []


# --------------------------------------------------------------------------- property test

page_texts = st.lists(st.text(max_size=400), min_size=1, max_size=3)
texty = st.lists(
    st.one_of(
        st.sampled_from(["Article 5.", "(a)", "CHAPTER II", "art. 5", "1.2.", "\n", "\n\n", " ", "—", "."]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
        st.sampled_from([SENTENCE, "Toda persona migrante tiene derecho a la salud. ", "Le préfet statue. "]),
    ),
    max_size=40,
).map("".join)


def _check(pages: list[Page], passages: list[Passage]) -> None:
    by_number = {p.number: p.text for p in pages}
    for p in passages:
        assert p.page in by_number and p.page_end in by_number
        assert p.page <= p.page_end
        assert 0 <= p.char_start <= len(by_number[p.page])
        assert 0 <= p.char_end <= len(by_number[p.page_end])
        assert p.text and p.text == p.text.strip()
        # the offsets point at the passage's words (blank lines between units are not repeated)
        assert page_slice(pages, p).split() == p.text.split()
        assert 0.0 <= p.language.probability <= 1.0
    assert_in_order_without_overlap(passages)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_texts)
def test_segment_never_raises_on_random_text(texts):
    pages = [Page(n, t) for n, t in enumerate(texts, start=1)]
    passages = segment(SHA, pages, EN, target_chars=60, max_chars=100, min_chars=12)
    _check(pages, passages)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texty, min_size=1, max_size=3), st.sampled_from([EN, ES, LanguageGuess("unknown", 0.0)]))
def test_segment_keeps_offsets_on_structured_random_text(texts, language):
    pages = [Page(n, t) for n, t in enumerate(texts, start=1)]
    passages = segment(SHA, pages, language, target_chars=80, max_chars=150, min_chars=20)
    _check(pages, passages)


@pytest.mark.slow
def test_sentence_pipelines_do_not_load_torch_but_leave_it_importable():
    """spaCy's thinc would import torch (1.4 s, 180 MB) for nothing: segmentation keeps it out of the
    process, without stopping anyone else from importing it afterwards."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pipeline.stages.segment import split_sentences\n"
        "spans = split_sentences('Article 5. The Minister shall decide. See art. 7 of the Act.', 'en')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "import thinc.compat, torch\n"
        "assert not thinc.compat.has_torch and torch.tensor([1.0]).sum().item() == 1.0\n"
        "print(spans)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(0, 10), (11, 37), (38, 60)]"
