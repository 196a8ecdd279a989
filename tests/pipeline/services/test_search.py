"""Semantic search: the cross-lingual check with the real multilingual encoder, the persistent
index's life cycle (incremental add, rebuild when missing or damaged), filters, highlighting,
sending a result to the review queue, and the CLI."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from toy import ToyEncoder
from triage_seed import SeedPassage, seed_document

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.services import search as search_mod
from pipeline.services.review import ReviewError
from pipeline.services.search import SearchError, SemanticSearch, choose_encoder
from pipeline.services.search_hits import sentence_spans
from pipeline.services.search_send import send_to_queue
from pipeline.stages.taxonomy import load_taxonomy
from pipeline.storage.store import Store
from pipeline.storage.tables import CandidateRow, DocumentRow, ReviewStateRow, SearchSendRow

TAXONOMY = load_taxonomy(DEFAULT_TAXONOMY)


def new_store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'mgi.db'}")


# --------------------------------------------------------------------------- the multilingual check

HEALTH = {
    "en": "Article 12. Every foreign national, whatever his or her migration status, shall receive emergency "
    "medical treatment and maternity care in public hospitals free of charge.",
    "fr": "Article 27. Tout étranger, quelle que soit sa situation au regard du séjour, bénéficie gratuitement des "
    "soins médicaux urgents et des soins de maternité dans les hôpitaux publics.",
    "es": "Artículo 8. Toda persona extranjera, cualquiera que sea su condición migratoria, recibirá "
    "gratuitamente atención médica de urgencia y atención de maternidad en los hospitales públicos.",
}
OTHER = {
    "en": [
        "Article 3. Work permits are issued by the Labour Migration Authority within thirty days of the application.",
        "Article 5. Children of migrant workers shall be enrolled in primary and secondary schools.",
        "Article 20. This Act enters into force on the day after its publication in the Official Gazette.",
        "Article 14. Fishing vessels shall carry a valid licence issued by the Ministry of Fisheries.",
        "Article 9. Employers who recruit foreign workers shall pay no recruitment fees to agencies.",
    ],
    "fr": [
        "Article 4. Le titre de séjour pluriannuel est délivré pour une durée de quatre ans.",
        "Article 31. Les élections municipales ont lieu tous les six ans au suffrage universel direct.",
        "Article 45. Le plan national de lutte contre la traite des êtres humains est révisé tous les trois ans.",
        "Article 52. La taxe sur les véhicules de tourisme est due par les sociétés au premier janvier.",
        "Article 7. Le regroupement familial peut être demandé après dix-huit mois de séjour régulier.",
    ],
    "es": [
        "Artículo 15. Las visas de turismo tendrán una vigencia máxima de noventa días.",
        "Artículo 22. El Consejo Nacional de Migración se reunirá al menos dos veces al año.",
        "Artículo 30. Los nacionales residentes en el exterior podrán votar en las elecciones presidenciales.",
        "Artículo 41. La pesca artesanal queda exenta del impuesto sobre embarcaciones.",
        "Artículo 3. Las personas extranjeras podrán obtener la naturalización tras cinco años de residencia.",
    ],
}
COUNTRIES = {"en": "Republic of Norvania", "fr": "République du Valmont", "es": "República de Costa Serena"}


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipeline.stages.embed import get_encoder

    encoder = get_encoder("use-multilingual")
    home = tmp_path_factory.mktemp("ml-home")
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    health_ids = {}
    for lang in ("en", "fr", "es"):
        passages = [SeedPassage(t, page=1 + i % 2) for i, t in enumerate(OTHER[lang][:3])]
        passages.append(SeedPassage(HEALTH[lang], page=2, suggest=[("1.1.1", 0.8)] if lang == "en" else ()))
        passages += [SeedPassage(t, page=3) for t in OTHER[lang][3:]]
        seeded = seed_document(
            store, title=f"Law ({lang})", country=COUNTRIES[lang], language=lang, passages=passages, encoder=encoder
        )
        health_ids[lang] = seeded.passage_ids[3]
    return {"store": store, "home": home, "health": health_ids}


@pytest.mark.slow
def test_english_query_finds_the_french_and_spanish_passages_on_the_same_policy(multilingual: dict) -> None:
    searcher = SemanticSearch(multilingual["store"], multilingual["home"])
    assert searcher.encoder_name == "use-multilingual"  # the encoder that made the stored vectors
    hits = searcher.search("emergency medical care for migrants regardless of their status", limit=5)
    top3 = [h.passage_id for h in hits[:3]]
    health = multilingual["health"]
    assert health["fr"] in top3 and health["es"] in top3, [(h.language, h.text[:60], h.similarity) for h in hits]
    assert set(top3) == set(health.values())
    by_id = {h.passage_id: h for h in hits}
    assert {by_id[health[lang]].language for lang in ("fr", "es")} == {"fr", "es"}
    assert by_id[health["en"]].suggestions[0]["indicator"] == "1.1.1"
    # the highlighted part is real text of the passage
    assert by_id[health["es"]].parts()[1] in HEALTH["es"]
    # filters: only French passages, only one country
    fr = searcher.search("emergency medical care for migrants", language="fr", limit=3)
    assert {h.language for h in fr} == {"fr"} and fr[0].passage_id == health["fr"]
    es = searcher.search("emergency medical care for migrants", country="Costa Serena", limit=2)
    assert es[0].passage_id == health["es"] and {h.country for h in es} == {COUNTRIES["es"]}


# --------------------------------------------------------------------------- the index's life cycle (toy encoder)


def seed_toy(store: Store, encoder: ToyEncoder, title: str, country: str, language: str, texts: list, **kw):  # noqa: ANN003, ANN201
    return seed_document(store, title=title, country=country, language=language, passages=texts, encoder=encoder, **kw)


@pytest.fixture
def toy(tmp_path: Path) -> dict:
    enc = ToyEncoder()
    store = new_store(tmp_path)
    a = seed_toy(
        store,
        enc,
        "Health Act",
        "Republic of Testland",
        "en",
        [
            SeedPassage(
                "Every migrant shall have access to emergency health care in public hospitals.",
                suggest=[("1.1.1", 0.82)],
            ),
            SeedPassage(
                "Work permits are issued by the labour authority within thirty days.", suggest=[("1.3.1", 0.7)]
            ),
            "The fishing season opens in May and closes in October.",
        ],
    )
    b = seed_toy(
        store,
        enc,
        "Loi sur le séjour",
        "République du Valmont",
        "fr",
        [
            SeedPassage("Les permis de travail sont délivrés par l'autorité du travail.", suggest=[("1.3.1", 0.66)]),
            "Le plan national contre la traite est révisé tous les trois ans.",
        ],
    )
    return {"store": store, "home": tmp_path, "enc": enc, "a": a, "b": b}


def test_index_is_built_once_then_extended_incrementally(toy: dict) -> None:
    s = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    first = s.sync()
    assert (first.action, first.count, first.reason) == ("rebuilt", 5, "no index yet")
    assert Path(first.path).is_file() and Path(first.path).parent == toy["home"] / "index" / "toy-hash"
    assert s.sync().action == "up to date"
    seed_toy(
        toy["store"],
        toy["enc"],
        "New Decree",
        "Republic of Testland",
        "en",
        ["Migrant children shall be enrolled in public schools.", "Visas are issued for ninety days."],
    )
    added = s.sync()
    assert (added.action, added.added, added.count) == ("added", 2, 7)
    assert not Path(first.path).exists()  # the previous file is cleaned up
    assert sorted(p.name for p in Path(added.path).parent.glob("*.faiss")) == [Path(added.path).name]
    # a new process loads the file instead of rebuilding
    fresh = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    assert fresh.sync().action == "loaded"
    hits = fresh.search("children enrolled in public schools", limit=1)
    assert hits[0].text == "Migrant children shall be enrolled in public schools."
    assert fresh.status()["up_to_date"] is True and fresh.status()["indexed"] == 7


def test_missing_or_damaged_index_file_is_rebuilt(toy: dict) -> None:
    s = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    path = Path(s.sync().path)
    path.unlink()
    again = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"]).sync()
    assert again.action == "rebuilt" and "missing" in again.reason and again.count == 5
    Path(again.path).write_bytes(b"not a faiss index")
    damaged = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"]).sync()
    assert damaged.action == "rebuilt" and "unreadable" in damaged.reason
    forced = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"]).sync(rebuild=True)
    assert forced.action == "rebuilt" and forced.reason == "rebuild requested"
    hits = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"]).search("emergency health care", limit=1)
    assert hits[0].passage_id == toy["a"].passage_ids[0]


def test_filters_restrict_results_and_the_filtered_graph_search_agrees(toy: dict, monkeypatch) -> None:  # noqa: ANN001
    s = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    fr = s.search("permis de travail", language="fr", limit=10)
    assert fr and {h.language for h in fr} == {"fr"}
    testland = s.search("work permits", country="testland", limit=10)  # matched like the review app does
    assert {h.country for h in testland} == {"Republic of Testland"} and len(testland) == 3
    dom1 = s.search("permits", domain="1", limit=10)
    assert {h.passage_id for h in dom1} == {toy["a"].passage_ids[0], toy["a"].passage_ids[1], toy["b"].passage_ids[0]}
    assert s.search("permits", language="de") == []
    with pytest.raises(ReviewError, match="no documents for country"):
        s.search("permits", country="Atlantis")
    exact = [h.passage_id for h in s.search("work permits labour authority", country="Testland", limit=3)]
    monkeypatch.setattr(search_mod, "EXACT_MAX", 0)  # force the HNSW search with an id selector
    graph = [h.passage_id for h in s.search("work permits labour authority", country="Testland", limit=3)]
    assert graph == exact


def test_graph_search_finds_each_stored_vector_first(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    s = SemanticSearch.__new__(SemanticSearch)
    s.m, s.ef_construction, s.ef_search = 32, 40, 64
    vecs = rng.standard_normal((600, 64)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    s._index = s._new_index(64)
    s._index.add(vecs)
    found = [s.nearest(vecs[i], 3)[0][0] for i in range(0, 600, 37)]
    assert found == list(range(0, 600, 37))
    allowed = np.arange(0, 600, 2, dtype=np.int64)
    assert all(p % 2 == 0 for p, _ in s.nearest(vecs[1], 5, allowed))


def test_the_sentence_closest_to_the_query_is_highlighted(toy: dict) -> None:
    store, enc = toy["store"], toy["enc"]
    text = (
        "Article 7. The Ministry publishes an annual report on migration. Foreign workers may change employer "
        "after one year without a new work permit. The report is laid before Parliament."
    )
    seed_toy(store, enc, "Report Act", "Republic of Testland", "en", [text])
    hit = SemanticSearch(store, toy["home"], encoder=enc).search("change employer without a new work permit", limit=1)[
        0
    ]
    before, match, after = hit.parts()
    assert match == "Foreign workers may change employer after one year without a new work permit."
    assert before + match + after == text and hit.highlight.start == len(before)


def test_sentence_spans_keep_abbreviations_and_split_items() -> None:
    text = (
        "Under art. 5 of the Act, permits last two years. 2. The Minister shall decide on renewals.\n"
        "(a) the first item of the list;\n(b) the second item of the list. Short one. It ends here, at long last, truly."
    )
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == [
        "Under art. 5 of the Act, permits last two years.",
        "2. The Minister shall decide on renewals.",
        "(a) the first item of the list;",
        "(b) the second item of the list. Short one.",  # a fragment under 25 characters joins its neighbour
        "It ends here, at long last, truly.",
    ]
    assert sentence_spans("") == [(0, 0)]


def test_choosing_the_encoder(tmp_path: Path, toy: dict) -> None:
    with pytest.raises(SearchError, match="run `mgi run FOLDER` first"):
        choose_encoder(new_store(tmp_path / "empty"))
    assert choose_encoder(toy["store"]) == "toy-hash"
    with pytest.raises(SearchError, match=r"no stored embeddings from encoder 'e5-small'.*toy-hash \(5 passages\)"):
        SemanticSearch(toy["store"], toy["home"], "e5-small")
    with pytest.raises(SearchError, match="empty query"):
        SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"]).search("   ")


# --------------------------------------------------------------------------- sending a result to the queue


def test_a_result_sent_to_the_queue_becomes_a_pending_candidate_with_provenance(toy: dict) -> None:
    store = toy["store"]
    s = SemanticSearch(store, toy["home"], encoder=toy["enc"])
    hit = s.search("fishing season", limit=1)[0]
    assert hit.passage_id == toy["a"].passage_ids[2] and hit.suggestions == []
    assert s.search("fishing season", domain="2") == []  # (and the domain filter is now cached)
    out = send_to_queue(
        store,
        passage_id=hit.passage_id,
        indicator="2.1.1",
        taxonomy=TAXONOMY,
        encoder=s.encoder_name,
        query="fishing season",
        similarity=hit.similarity,
        result_rank=1,
        user="ana",
        via="web",
    )
    assert out.created and f"#{out.candidate_id}" in out.message
    with store.session() as ses:
        cand = ses.get(CandidateRow, out.candidate_id)
        assert (cand.passage_id, cand.indicator_id, cand.domain, cand.model_version, cand.status) == (
            hit.passage_id,
            "2.1.1",
            "2",
            "search:toy-hash",
            "pending",
        )
        assert cand.score == pytest.approx(hit.similarity)
        prov = ses.scalar(select(SearchSendRow).where(SearchSendRow.candidate_id == out.candidate_id))
        assert (prov.query, prov.user, prov.via, prov.encoder, prov.result_rank) == (
            "fishing season",
            "ana",
            "web",
            "toy-hash",
            1,
        )
        assert ses.get(ReviewStateRow, out.candidate_id).status == "pending"  # in the review queue now
        assert ses.get(DocumentRow, toy["a"].sha256).n_candidates == 3
    assert s.search("fishing season", limit=1)[0].suggestions[0]["model_version"] == "search:toy-hash"
    assert [h.passage_id for h in s.search("fishing season", domain="2")] == [hit.passage_id]  # cache refreshed
    twice = send_to_queue(
        store, passage_id=hit.passage_id, indicator="2.1.1", taxonomy=TAXONOMY, encoder="toy-hash", query="again"
    )
    assert not twice.created and twice.candidate_id == out.candidate_id and "already in the queue" in twice.message
    # a passage the classifier already suggested for that indicator is not queued a second time
    dup = send_to_queue(
        store,
        passage_id=toy["a"].passage_ids[0],
        indicator="1.1.1",
        taxonomy=TAXONOMY,
        encoder="toy-hash",
        query="health",
    )
    assert not dup.created and dup.candidate_id == toy["a"].candidate_ids[(0, "1.1.1")]
    with pytest.raises(ReviewError, match="unknown indicator '9.9.9'"):
        send_to_queue(
            store, passage_id=hit.passage_id, indicator="9.9.9", taxonomy=TAXONOMY, encoder="toy-hash", query="x"
        )
    with pytest.raises(SearchError, match="no passage 'nope'"):
        send_to_queue(store, passage_id="nope", indicator="2.1.1", taxonomy=TAXONOMY, encoder="toy-hash", query="x")


# --------------------------------------------------------------------------- CLI


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    from apps.cli import triage as triage_cli

    parser = argparse.ArgumentParser(prog="mgi")
    sub = parser.add_subparsers(dest="command", required=True)
    triage_cli.add_commands(sub, lambda p, model=False: p.add_argument("--taxonomy"))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def toy_env(toy: dict, monkeypatch) -> dict:  # noqa: ANN001
    monkeypatch.setenv("MGI_HOME", str(toy["home"]))
    monkeypatch.setenv("MGI_DB_URL", toy["store"].url)
    monkeypatch.delenv("MGI_EMBEDDER", raising=False)
    monkeypatch.setattr("pipeline.stages.embed.get_encoder", lambda name: toy["enc"])
    return toy


def test_cli_search_json_and_text(toy_env: dict) -> None:
    code, out, _ = run_cli(["search", "emergency health care", "--limit", "2", "--json"])
    data = json.loads(out)
    assert code == 0 and data["encoder"] == "toy-hash" and len(data["results"]) == 2
    first = data["results"][0]
    assert first["passage_id"] == toy_env["a"].passage_ids[0] and first["document_title"] == "Health Act"
    assert first["highlight_text"] and first["suggestions"][0]["indicator"] == "1.1.1"
    code, out, _ = run_cli(["search", "emergency health care", "--limit", "1", "--country", "Testland"])
    assert code == 0 and out.startswith("[1] ") and "Health Act — p. 1 [en]" in out
    assert "**Every migrant shall have access" in out and "1.1.1 Migrants' access to public health care" in out
    code, _out, err = run_cli(["search", "work permits", "--limit", "1"])
    assert "search index" not in err  # up to date: nothing to say
    code, out, _ = run_cli(["search-index", "--json"])
    assert code == 0 and json.loads(out)["up_to_date"] is True


def test_cli_search_sends_a_result_to_the_queue(toy_env: dict) -> None:
    code, out, _ = run_cli(["search", "fishing season", "--send-to-queue", "2.1.1", "--result", "1", "--user", "ana"])
    assert code == 0 and out.startswith("queued as #")
    with toy_env["store"].session() as ses:
        cand = ses.scalar(select(CandidateRow).where(CandidateRow.model_version == "search:toy-hash"))
        assert cand.passage_id == toy_env["a"].passage_ids[2]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["search", "x", "--country", "Atlantis"], "mgi search: no documents for country 'Atlantis'"),
        (["search", "x", "--domain", "9"], "mgi search: unknown domain '9'"),
        (["search", "x", "--send-to-queue", "1.1.1"], "needs --result N"),
        (["search", "x", "--send-to-queue", "1.1.1", "--result", "40"], "no result number 40"),
        (["search", "x", "--encoder", "minilm"], "no stored embeddings from encoder 'minilm'"),
    ],
)
def test_cli_search_errors_are_one_line(toy_env: dict, argv: list[str], message: str) -> None:
    code, _out, err = run_cli(argv)
    last = err.strip().splitlines()[-1]  # (after any note about updating the index)
    assert code == 2 and last.startswith("mgi search: ") and message in last and "Traceback" not in err


def test_a_long_lived_searcher_picks_up_another_process_rebuild(toy: dict) -> None:
    web = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    assert web.search("fishing season", limit=1)[0].passage_id == toy["a"].passage_ids[2]
    seed_toy(toy["store"], toy["enc"], "Zeta Decree", "Republic of Testland", "en", ["Boats need a fishing licence."])
    other = SemanticSearch(toy["store"], toy["home"], encoder=toy["enc"])
    assert other.sync(rebuild=True).action == "rebuilt"  # positions are reassigned
    hits = web.search("fishing season", limit=2)  # well within the full-sync interval
    assert hits[0].passage_id == toy["a"].passage_ids[2] and hits[0].text.startswith("The fishing season")
    assert web._loaded == other._loaded


def test_bookkeeping_of_an_older_shape_is_replaced_and_the_index_rebuilt(toy: dict) -> None:
    from sqlalchemy import inspect, text

    store = toy["store"]
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS search_index_entries"))  # the migrations made the current shape
        conn.execute(text("CREATE TABLE search_index_entries (key VARCHAR(40), position INTEGER, passage_id TEXT)"))
    fresh = Store(store.url)
    assert SemanticSearch(fresh, toy["home"], encoder=toy["enc"]).sync().action == "rebuilt"
    assert "language" in {c["name"] for c in inspect(fresh.engine).get_columns("search_index_entries")}
