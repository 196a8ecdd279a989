"""Taxonomy: the bundled file, the validator's messages, and the other accepted file shapes."""

from __future__ import annotations

import copy

import pytest
import yaml

from pipeline.config import DEFAULT_TAXONOMY
from pipeline.stages.taxonomy import TaxonomyError, from_mapping, load_taxonomy, validate


@pytest.fixture(scope="module")
def bundled():
    return load_taxonomy(DEFAULT_TAXONOMY)


def test_bundled_taxonomy_loads(bundled):
    assert bundled.name == "mgi-national"
    assert bundled.domain_ids == ["1", "2", "3", "4", "5", "6"]
    assert 80 <= len(bundled.indicators) <= 100
    assert len(set(bundled.indicator_ids)) == len(bundled.indicators)
    assert validate(bundled) == []
    assert bundled.key == f"mgi-national@{bundled.version}"


def test_every_indicator_is_described_in_en_fr_es(bundled):
    for ind in bundled.indicators:
        for lang in ("en", "fr", "es"):
            assert len(ind.description.get(lang, "").strip()) > 40, (ind.id, lang)
            assert ind.name.get(lang, "").strip(), (ind.id, lang)
        assert ind.domain in bundled.domain_ids
        assert ind.id.startswith(f"{ind.domain}.")
    assert {"en", "fr", "es"} <= set(bundled.languages())


def test_every_domain_has_indicators_and_a_name(bundled):
    for dom in bundled.domains:
        assert dom.label("en") and dom.label("fr") and dom.label("es")
        assert sum(1 for i in bundled.indicators if i.domain == dom.id) >= 5


def test_lookup_and_labels(bundled):
    first = bundled.indicators[0]
    assert bundled.indicator(first.id) is first
    assert first.label("fr") == first.name["fr"]
    assert first.label("xx") == first.name["en"]  # unknown language falls back to English
    with pytest.raises(KeyError, match="unknown indicator id '9.9.9'"):
        bundled.indicator("9.9.9")
    with pytest.raises(KeyError, match="domains are 1, 2, 3, 4, 5, 6"):
        bundled.domain("7")


def test_prototype_texts_cover_each_language(bundled):
    texts = dict(bundled.prototype_texts(bundled.indicators[0]))
    assert {"en", "fr", "es"} <= set(texts)
    assert texts["fr"].startswith(bundled.indicators[0].name["fr"])


# --------------------------------------------------------------------------- the validator


def small() -> dict:
    return {
        "name": "tiny",
        "version": "1",
        "domains": [
            {
                "id": "1",
                "name": "Rights",
                "indicators": [
                    {
                        "id": "1.1",
                        "name": {"en": "Health care", "fr": "Santé"},
                        "description": {"en": "Access of migrants to public health care.", "fr": "Accès aux soins."},
                    },
                    {"id": "1.2", "name": "Education", "description": "Access of migrant children to public schools."},
                ],
            },
            {
                "id": "2",
                "name": "Whole of government",
                "indicators": [
                    {
                        "id": "2.1",
                        "name": "Migration agency",
                        "description": "A government body in charge of migration.",
                    },
                ],
            },
        ],
    }


def test_small_mapping_is_valid():
    tax = from_mapping(small())
    assert tax.indicator_ids == ["1.1", "1.2", "2.1"]
    assert tax.indicator("1.2").name == {"en": "Education"}  # plain text means English
    assert tax.key == "tiny@1"


def _problems(data: dict) -> str:
    with pytest.raises(TaxonomyError) as info:
        from_mapping(data, source="tiny.yaml")
    message = str(info.value)
    assert message.startswith("tiny.yaml: ")
    return message


def test_duplicate_ids_are_reported():
    data = small()
    data["domains"][1]["indicators"][0]["id"] = "1.1"
    assert "indicator id '1.1' is used 2 times: ids must be unique" in _problems(data)


def test_duplicate_domain_ids_are_reported():
    data = small()
    data["domains"][1]["id"] = "1"
    assert "domain id '1' is used 2 times" in _problems(data)


def test_unknown_domain_is_reported():
    data = small()
    data["indicators"] = [{"id": "9.1", "domain": "9", "name": "Orphan", "description": "Belongs nowhere."}]
    assert "indicator '9.1' names domain '9', which is not defined" in _problems(data)


def test_empty_description_is_reported():
    data = small()
    data["domains"][0]["indicators"][1]["description"] = "  "
    message = _problems(data)
    assert "indicator '1.2' has an empty description: write the evidence that answers it" in message


def test_empty_translation_is_reported():
    data = small()
    data["domains"][0]["indicators"][0]["description"]["fr"] = ""
    assert "indicator '1.1' has an empty fr description" in _problems(data)


def test_clashing_names_are_reported():
    data = small()
    data["domains"][1]["indicators"][0]["name"] = "  education "
    assert "indicators 1.2, 2.1 share the en name 'education': labels must differ" in _problems(data)


def test_every_problem_is_listed_at_once():
    data = small()
    data["domains"][0]["indicators"][0]["id"] = ""
    data["domains"][0]["indicators"][1]["description"] = None
    data["domains"][1]["indicators"][0]["name"] = None
    message = _problems(data)
    assert "3 problem(s)" in message
    assert "has no id" in message and "'1.2' has an empty description" in message and "'2.1' has no name" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"domains": ["1", "2"]}, "domains: entry 1 ('1') is not a mapping with an id"),
        ({"indicators": ["1.1"]}, "indicators: entry 1 ('1.1') is not a mapping with an id"),
        ({"indicators": {"1.1": "x"}}, "indicators: expected a list of entries, got dict"),
        ({"domains": []}, "no indicators found"),
    ],
)
def test_malformed_shapes_are_problems_not_tracebacks(data, expected):
    assert expected in _problems(data)


def test_version_defaults_to_a_content_hash():
    data = small()
    del data["version"]
    a, b = from_mapping(data), from_mapping(copy.deepcopy(data))
    assert a.version == b.version and a.version.startswith("sha-")
    data["domains"][0]["indicators"][0]["description"]["en"] = "Changed."
    assert from_mapping(data).version != a.version


# --------------------------------------------------------------------------- files


def test_yaml_file_round_trip(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(small(), allow_unicode=True), encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.source == str(path) and tax.indicator_ids == ["1.1", "1.2", "2.1"]


def test_flat_yaml_with_implicit_domains(tmp_path):
    path = tmp_path / "flat.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "indicators": [
                    {"id": "a", "domain": "X", "name": "First", "description": "The first indicator."},
                    {
                        "id": "b",
                        "domain": "Y",
                        "name": "Second",
                        "description": "The second indicator.",
                        "subarea": "Y.1",
                    },
                ]
            }
        )
    )
    tax = load_taxonomy(path)
    assert tax.domain_ids == ["X", "Y"] and tax.name == "flat"
    assert tax.indicator("b").subarea == "Y.1"


def test_csv_with_per_language_columns(tmp_path):
    path = tmp_path / "official.csv"
    path.write_text(
        "id,domain,subarea,name_en,name_fr,name_es,description_en,description_fr,description_es,keywords_en\n"
        '1.1,1,1.a,Health,Santé,Salud,"Access to health care, whatever the status.",Accès aux soins.,'
        "Acceso a la salud.,health; hospital ;\n"
        "2.1,2,,Agency,Agence,Agencia,A migration agency.,Une agence des migrations.,Una agencia de migración.,\n",
        encoding="utf-8-sig",  # spreadsheets add a BOM
    )
    tax = load_taxonomy(path)
    health = tax.indicator("1.1")
    assert health.name == {"en": "Health", "fr": "Santé", "es": "Salud"}
    assert health.description["en"] == "Access to health care, whatever the status."
    assert health.describe("es") == "Acceso a la salud."
    assert health.keywords == {"en": ("health", "hospital")}
    assert health.subarea == "1.a" and tax.indicator("2.1").subarea is None
    assert tax.domain_ids == ["1", "2"]
    assert tax.languages()[:1] == ["en"] and set(tax.languages()) == {"en", "fr", "es"}


def test_csv_with_plain_columns_is_english(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,domain,name,description\n1.1,1,Health,Access to health care.\n")
    ind = load_taxonomy(path).indicator("1.1")
    assert ind.name == {"en": "Health"} and ind.description == {"en": "Access to health care."}


def test_tsv_is_read_with_tabs(tmp_path):
    path = tmp_path / "plain.tsv"
    path.write_text("id\tdomain\tname\tdescription\n1.1\t1\tHealth, care\tAccess to health care.\n")
    assert load_taxonomy(path).indicator("1.1").name == {"en": "Health, care"}


def test_csv_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("id,domain,name,description\n")
    with pytest.raises(TaxonomyError, match="the CSV has no rows"):
        load_taxonomy(empty)
    missing = tmp_path / "missing.csv"
    missing.write_text("code,name,description\n1.1,Health,Access.\n")
    with pytest.raises(TaxonomyError, match=r"missing column\(s\) domain, id"):
        load_taxonomy(missing)
    blank = tmp_path / "blank.csv"
    blank.write_text("id,domain,name,description\n1.1,1,Health,\n")
    with pytest.raises(TaxonomyError, match="'1.1' has an empty description"):
        load_taxonomy(blank)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.yaml", None, "taxonomy file not found"),
        ("tax.xlsx", "binary", "unsupported taxonomy format '.xlsx'"),
        ("broken.yaml", "domains: [unclosed", "not valid YAML"),
        ("list.yaml", "- a\n- b\n", "expected a mapping with 'domains' or 'indicators'"),
    ],
)
def test_unusable_files_name_the_problem(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(TaxonomyError, match=expected) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value)


def test_local_mgi_taxonomy_loads_and_maps_to_national_indicators() -> None:
    import yaml

    from pipeline.config import PACKAGE_DATA

    path = PACKAGE_DATA / "taxonomy" / "mgi-local.yaml"
    local = load_taxonomy(path)
    national = load_taxonomy(PACKAGE_DATA / "taxonomy" / "mgi-national.yaml")
    assert len(local.domains) == 6 and len(local.indicators) == 87
    assert local.domain_ids == national.domain_ids
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    mapped = [i.get("national") for d in raw["domains"] for s in d["subareas"] for i in s["indicators"]]
    assert set(filter(None, mapped)) <= set(national.indicator_ids)
    assert all(set(i.description) >= {"en", "fr", "es"} for i in local.indicators)
