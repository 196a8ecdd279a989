"""Passages that follow real legal structure, checked on real pages of each language
(../shared/corpus-real and corpus-real-2; skipped when absent): article starts inside a line, § and
Artikel/Artigo/Artículo forms, UK paragraph ids, lists kept with their lead-in, and the furniture
(tables of contents, amendment notes) that is never queued."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from testkit import REAL_CORPUS, REAL_CORPUS_2

from pipeline.stages.analyse import prepare
from pipeline.stages.corpus import metadata_for
from pipeline.stages.ingest import read_document
from pipeline.stages.kinds import passage_kind

pytestmark = [
    pytest.mark.slow,
    pytest.mark.real_corpus,
    pytest.mark.skipif(
        not (REAL_CORPUS.is_dir() and REAL_CORPUS_2.is_dir()),
        reason=f"real corpora not found at {REAL_CORPUS.resolve()} and {REAL_CORPUS_2.resolve()}",
    ),
]


@lru_cache(maxsize=8)
def passages(corpus: str, name: str) -> list:
    path = (REAL_CORPUS if corpus == "1" else REAL_CORPUS_2) / name
    doc, pages = read_document(path, metadata_for([path])[path])
    return prepare(doc, pages).passages


def holding(ps: list, needle: str):  # noqa: ANN201
    found = [p for p in ps if needle in p.text]
    assert found, f"no passage holds {needle!r}"
    return found[0]


def test_french_articles_glued_on_one_line_become_separate_passages():
    # the Burkina Faso family code prints "… réciprocité … Art. 6. Les actes …" on one line
    ps = passages("2", "bf_code_personnes_famille_1989.pdf")
    art5 = holding(ps, "Les étrangers jouissent, au Burkina Faso, des droits civils")
    assert "Art. 6." not in art5.text
    assert holding(ps, "Les actes de l'état civil font preuve").text.startswith("Art. 6.")


def test_german_paragraph_sign_starts_a_passage():
    ps = passages("2", "de_aufenthg.md")
    p = holding(ps, "Die Niederlassungserlaubnis ist ein unbefristeter Aufenthaltstitel")
    assert p.text.startswith("§ 9 Niederlassungserlaubnis")
    assert "§ 9a" not in p.text


def test_dutch_article_heading_starts_a_passage_and_list_stays_with_its_lead():
    ps = passages("2", "nl_vreemdelingenwet_2000.md")
    p = holding(ps, "kan in ieder geval als referent optreden:")
    assert "a. een Nederlander" in p.text


def test_spanish_list_stays_with_the_sentence_that_introduces_it():
    ps = passages("1", "mx_ley_de_migracion_2026.pdf")
    p = holding(ps, "Dicho sistema deberá considerar como mínimo lo siguiente:")
    assert re.search(r"\nI\. Los criterios para el ingreso", p.text)


def test_uk_paragraph_ids_start_passages():
    ps = passages("2", "uk_hc1333_statement_of_changes_2025.pdf")
    p = holding(ps, "This Part applies to all routes under these rules")
    assert p.text.startswith("SUI 1.1.")


def test_portuguese_article_forms_start_passages():
    ps = passages("2", "br_compilacao_legislacao_migratoria_oabrs_2019.pdf")
    starts = [p for p in ps if re.match(r"Art\. ?\d+º", p.text)]
    assert len(starts) >= 100
    # an article never holds the start of the next one after its own first line
    glued = [p for p in starts if re.search(r"[.;]\s+Art\. ?\d+º\s", p.text[20:])]
    assert len(glued) <= 0.02 * len(starts)


def test_contents_and_amendment_notes_are_recognised():
    ps = passages("2", "au_migration_act_1958_vol2.pdf")
    kinds = [passage_kind(p.text) for p in ps[:40]]
    assert kinds.count("toc") >= 5  # the first pages are the act's table of contents
