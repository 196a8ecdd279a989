"""The draft profile: per domain, well-developed areas and areas with potential for further
development, every finding citing document title and page; a coverage chart; languages."""

from __future__ import annotations

import re

import pytest
from review_seed import NORVANIA, candidate_id, mgi, seeded

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.services import accounts, profile, review
from pipeline.stages.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture
def reviewed(tmp_path, taxonomy):
    store = seeded(tmp_path)
    alice = accounts.get_user(store, "alice")
    review.decide(
        store, alice, candidate_id(store, "1.2.1", "Migration Act"), version=0, status="confirmed", taxonomy=taxonomy
    )
    review.decide(
        store,
        alice,
        candidate_id(store, "2.2.1"),
        version=0,
        status="confirmed",
        polarity="gap",
        note="no coordination body",
        taxonomy=taxonomy,
    )
    review.decide(store, alice, candidate_id(store, "2.3.1"), version=0, status="rejected")
    review.decide(store, alice, candidate_id(store, "4.3.4"), version=0, status="rejected")
    return store


def test_profile_from_a_seeded_database_cites_title_and_page(reviewed, taxonomy):
    prof = profile.build_profile(reviewed, taxonomy, "norvania")
    assert prof.country == NORVANIA and prof.confirmed == 2 and [s.id for s in prof.sections] == list("123456")
    d1, d2, d4, d6 = (prof.sections[i] for i in (0, 1, 3, 5))
    [finding] = d1.developed
    assert finding.indicator == "1.2.1" and finding.label == taxonomy.indicator("1.2.1").label("en")
    [cite] = finding.citations
    assert (cite.title, cite.page) == ("Migration Act 2021", 1)
    assert cite.excerpt.startswith("Article 2. Family reunification")
    [gap] = d2.gaps
    assert gap.indicator == "2.2.1" and gap.citations[0].title == "National Strategy on Migration 2024-2030"
    # rejected and never-suggested indicators count as "no evidence"; pending ones are set apart
    assert "4.3.4" in [i for i, _ in d4.no_evidence] and "2.3.1" in [i for i, _ in d2.no_evidence]
    assert [(i, n) for i, _, n in d6.pending] == [("6.4.2", 2)]
    assert d1.coverage() == {"developed": 1, "gap": 0, "pending": 1, "missing": d1.n_indicators - 2}

    md = profile.render_markdown(prof)
    assert "## 1. Migrants' rights" in md and "### Well-developed areas" in md
    assert "### Areas with potential for further development" in md
    assert "(Migration Act 2021, p. 1)" in md and "(National Strategy on Migration 2024-2030, p. 1)" in md
    assert "Analyst note: no coordination body" in md
    assert "| 1. Migrants' rights | 18 | 1 | 0 | 1 |" in md  # the coverage table

    page = profile.render_html(prof)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and page.count("<rect") >= 10
    assert "Migration Act 2021, p. 1" in page and "Well-developed areas" in page
    assert not re.search(r"<script", page)


def test_profile_in_french_and_spanish(reviewed, taxonomy):
    fr = profile.render_markdown(profile.build_profile(reviewed, taxonomy, NORVANIA, "fr"))
    assert "Domaines bien développés" in fr and "## 1. Droits des migrants" in fr
    assert taxonomy.indicator("1.2.1").label("fr") in fr
    assert "“Article 2. Family reunification" in fr  # quotations stay in the document's language
    es = profile.render_html(profile.build_profile(reviewed, taxonomy, NORVANIA, "es"))
    assert "Áreas bien desarrolladas" in es and 'lang="es"' in es


def test_profile_language_the_taxonomy_lacks_falls_back_to_english(reviewed, taxonomy):
    prof = profile.build_profile(reviewed, taxonomy, NORVANIA, "de")
    assert prof.notes and "English" in prof.notes[0]
    assert "Migrants' rights" in profile.render_markdown(prof)


def test_profile_of_an_unknown_country_is_a_one_line_error(reviewed, taxonomy):
    with pytest.raises(review.ReviewError, match=r"no documents for country 'Atlantis'; countries in the database: "):
        profile.build_profile(reviewed, taxonomy, "Atlantis")
    with pytest.raises(review.ReviewError, match="matches several"):
        profile.build_profile(reviewed, taxonomy, "r")


def test_mgi_profile_command(reviewed, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MGI_DB_URL", reviewed.url)
    out = tmp_path / "p.html"
    code, _, err = mgi(capsys, "profile", "--country", "Norvania", "--format", "html", "--out", str(out))
    assert code == 0 and "written to" in err and "Migration Act 2021, p. 1" in out.read_text(encoding="utf-8")
    code, stdout, _ = mgi(capsys, "profile", "--country", "Norvania", "--format", "md", "--language", "fr")
    assert code == 0 and stdout.startswith("# Profil de gouvernance des migrations")
    code, _, err = mgi(capsys, "profile", "--country", "Atlantis")
    assert code == 2 and err.startswith("mgi profile: no documents for country 'Atlantis'") and err[-1] == "\n"
    assert err.count("\n") == 1
