"""Corpus: finding input files and their metadata (manifest beside the files, CLI overrides)."""

from __future__ import annotations

import pytest
from testkit import SAMPLE

from pipeline.records import DocumentMeta
from pipeline.stages.corpus import ManifestError, discover, load_manifest, metadata_for


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 a")
    (tmp_path / "B.PDF").write_bytes(b"%PDF-1.4 b")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.pdf").write_bytes(b"%PDF-1.4 c")
    (tmp_path / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0 old Word")
    (tmp_path / "sub" / "scan.tiff").write_bytes(b"II*\x00")
    (tmp_path / "law.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "page.htm").write_text("<html><body>Article 1</body></html>")
    (tmp_path / "sub" / "decree.aspx").write_bytes(b"%PDF-1.4 served by a web site")
    (tmp_path / "sub" / "act.php").write_text("<!DOCTYPE html><html><body><p>Article 1</p></body></html>")
    (tmp_path / "sub" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>')
    (tmp_path / "notes.txt").write_text("%PDF is mentioned here, but this is text")
    (tmp_path / ".hidden.pdf").write_bytes(b"%PDF-1.4 h")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "d.pdf").write_bytes(b"%PDF-1.4 d")
    (tmp_path / "manifest.csv").write_text("file,title\n")
    (tmp_path / "README.md").write_text("about these files\n")
    return tmp_path


def test_discover_walks_folders_and_reports_unsupported(folder):
    found = discover([folder])
    assert [p.relative_to(folder).as_posix() for p in found.files] == [
        "B.PDF",
        "a.pdf",
        "law.docx",
        "page.htm",
        "sub/act.php",  # an HTML page under a web name, found by its content
        "sub/c.pdf",
        "sub/decree.aspx",  # a PDF under a web name, found by its content
    ]
    assert [p.relative_to(folder).as_posix() for p in found.unsupported] == [
        "notes.doc",
        "notes.txt",
        "sub/logo.svg",
        "sub/scan.tiff",
    ]


def test_hidden_files_and_manifests_are_ignored(folder):
    found = discover([folder])
    names = {p.name for p in found.files + found.unsupported}
    assert not names & {".hidden.pdf", "d.pdf", "manifest.csv", "README.md"}


def test_discover_single_files_and_duplicates(folder):
    found = discover([folder / "a.pdf", folder / "notes.doc", folder, folder / "a.pdf"])
    assert found.files.count(folder / "a.pdf") == 1
    assert found.unsupported.count(folder / "notes.doc") == 1


def test_discover_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        discover([tmp_path / "nowhere"])


def test_sample_manifest_csv():
    manifest = load_manifest(SAMPLE)
    pdfs = sorted(p.name for p in SAMPLE.glob("*.pdf"))
    assert sorted(manifest) == pdfs
    meta = manifest["valmont_plan_national_traite_2022-2026.pdf"]
    assert meta.country == "République du Valmont"
    assert meta.level == "national" and meta.language_hint == "fr" and meta.document_type == "action_plan"
    assert meta.date == "2022-10-18" and meta.title.startswith("Plan national de lutte contre la traite")
    assert manifest["puerto_alba_programa_salud_educacion_migrantes_2024-2027.pdf"].level == "local"


def test_manifest_yaml_list(tmp_path):
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n"
        "  - file: sub/ley.pdf\n    title: Ley 1\n    country: Testland\n    level: Local\n    language: es\n"
        "  - file: act.pdf\n    date: 2024-01-31\n"
    )
    manifest = load_manifest(tmp_path)
    assert manifest["ley.pdf"] == DocumentMeta(title="Ley 1", country="Testland", level="local", language_hint="es")
    assert manifest["act.pdf"].date == "2024-01-31"  # YAML dates come back as the ISO text given


def test_manifest_yaml_mapping(tmp_path):
    (tmp_path / "manifest.yml").write_text("act.pdf:\n  country: Testland\nplan.pdf:\n")
    manifest = load_manifest(tmp_path)
    assert manifest["act.pdf"].country == "Testland"
    assert manifest["plan.pdf"] == DocumentMeta()


def test_manifest_csv_blank_cells_are_none(tmp_path):
    (tmp_path / "metadata.csv").write_text("filename,title,country,level\nx.pdf,,Testland,\n", encoding="utf-8-sig")
    meta = load_manifest(tmp_path)["x.pdf"]
    assert meta.title is None and meta.level is None and meta.country == "Testland"


def test_no_manifest_means_no_metadata(tmp_path):
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("file,level\nact.pdf,federal\n", r"entry 2 \(act.pdf\) has level 'federal'; use one of national, local"),
        ("file,level\n,national\n", "entry 2 has no 'file' column/key naming the document"),
        ("title,level\nAct,national\n", "entry 2 has no 'file'"),
    ],
)
def test_bad_manifest_rows_are_rejected(tmp_path, content, expected):
    (tmp_path / "manifest.csv").write_text(content)
    with pytest.raises(ManifestError, match=expected) as info:
        load_manifest(tmp_path)
    assert str(tmp_path / "manifest.csv") in str(info.value)


def test_manifest_yaml_of_wrong_shape(tmp_path):
    (tmp_path / "manifest.yaml").write_text("just a string\n")
    with pytest.raises(ManifestError, match="expected a list of documents"):
        load_manifest(tmp_path)


def test_cli_options_override_the_manifest(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,title,country,level\nact.pdf,The Act,Norvania,national\n")
    (tmp_path / "act.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "other.pdf").write_bytes(b"%PDF-1.4")
    files = [tmp_path / "act.pdf", tmp_path / "other.pdf"]
    plain = metadata_for(files)
    assert plain[files[0]] == DocumentMeta(title="The Act", country="Norvania", level="national")
    assert plain[files[1]] == DocumentMeta()
    over = metadata_for(files, country="Valmont", level="local")
    assert over[files[0]] == DocumentMeta(title="The Act", country="Valmont", level="local")
    assert over[files[1]] == DocumentMeta(country="Valmont", level="local")


def test_each_folder_uses_its_own_manifest(tmp_path):
    for name, country in (("x", "Norvania"), ("y", "Valmont")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.csv").write_text(f"file,country\ndoc.pdf,{country}\n")
        (tmp_path / name / "doc.pdf").write_bytes(b"%PDF-1.4")
    meta = metadata_for(discover([tmp_path]).files)
    assert {p.parent.name: m.country for p, m in meta.items()} == {"x": "Norvania", "y": "Valmont"}
