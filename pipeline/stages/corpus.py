"""Finding input files and their metadata (sidecar manifest beside the files, or CLI options).

PDFs, Word (.docx) files, HTML pages, Markdown and text files are taken by their name; a file with another name is
taken too when its first bytes show it is one of them (a PDF saved as ``download.aspx``). What a
file really is is judged again by ingest, from its content, whatever its name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import MgiError
from pipeline.records import DocumentMeta

MANIFEST_NAMES = ("manifest.csv", "manifest.yaml", "manifest.yml", "metadata.csv", "metadata.yaml")
SUPPORTED_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}
# names under which web sites serve documents: taken when the content is HTML (or a PDF/DOCX)
_WEB_SUFFIXES = {"", ".aspx", ".asp", ".php", ".jsp", ".shtml", ".xhtml", ".cfm", ".do", ".download"}
_IGNORED_NAMES = {n.lower() for n in MANIFEST_NAMES} | {"readme.md", "readme.txt", "license", ".ds_store"}
_META_FIELDS = ("title", "country", "level", "date", "source_url", "document_type")


class ManifestError(MgiError, ValueError):
    pass


@dataclass(frozen=True)
class Discovery:
    files: list[Path]  # to process
    unsupported: list[Path]  # files of another type, reported but not stored


def discover(paths: Iterable[Path | str]) -> Discovery:
    """The documents under ``paths``. In a folder, a Markdown file is taken when the folder has no
    manifest or its manifest names it, and a text file only when a manifest names it (folders of
    PDFs often hold notes); a file given by its own path is always taken."""
    files, unsupported = [], []
    listed: dict[Path, set[str] | None] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in candidates:
            if any(part.startswith(".") for part in p.relative_to(path if path.is_dir() else p.parent).parts):
                continue
            if p.name.lower() in _IGNORED_NAMES:
                continue
            if path.is_dir() and p.suffix.lower() in _NOTE_SUFFIXES and not _listed(p, listed):
                unsupported.append(p)  # a README or notes beside the documents
                continue
            (files if p.suffix.lower() in SUPPORTED_SUFFIXES or _sniffed_document(p) else unsupported).append(p)
    return Discovery(sorted(set(files)), sorted(set(unsupported)))


# national and local assessments; international and regional instruments (conventions, regional
# agreements) are read with the national taxonomy
LEVELS = ("national", "local", "international", "regional")
_NOTE_SUFFIXES = {".md", ".markdown", ".txt"}


def _listed(path: Path, listed: dict[Path, set[str] | None]) -> bool:
    """Whether the folder's manifest names ``path`` (for Markdown, also true without a manifest)."""
    folder = path.parent
    if folder not in listed:
        try:
            names = load_manifest(folder)
        except (ManifestError, OSError, ValueError):
            names = {}
        listed[folder] = set(names) or None
    names = listed[folder]
    if names is None:
        return path.suffix.lower() in (".md", ".markdown")
    return path.name in names


def _sniffed_document(path: Path) -> bool:
    """Whether a file with an unexpected name is a PDF, a Word file or (under a web name) an HTML page."""
    from pipeline.stages.formats import sniff

    try:
        with open(path, "rb") as fh:
            kind = sniff(fh.read(4096))
    except OSError:
        return False
    return kind in ("pdf", "docx") or (kind == "html" and path.suffix.lower() in _WEB_SUFFIXES)


def load_manifest(folder: Path) -> dict[str, DocumentMeta]:
    """Metadata per file name from a manifest in ``folder`` (CSV or YAML), if there is one."""
    for name in MANIFEST_NAMES:
        path = folder / name
        if path.is_file():
            rows = _read_rows(path)
            out = {}
            for i, row in enumerate(rows, start=2):
                fname = (row.get("file") or row.get("filename") or row.get("path") or "").strip()
                if not fname:
                    raise ManifestError(f"{path}: entry {i} has no 'file' column/key naming the document")
                level = (row.get("level") or "").strip().lower() or None
                if level not in (None, *LEVELS):
                    raise ManifestError(
                        f"{path}: entry {i} ({fname}) has level {level!r}; use one of {', '.join(LEVELS)}"
                    )
                values = {k: (str(row[k]).strip() or None) if row.get(k) is not None else None for k in _META_FIELDS}
                values["level"] = level
                lang = row.get("language")
                out[Path(fname).name] = DocumentMeta(**values, language_hint=str(lang).strip() if lang else None)
            return out
    return {}


def _read_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("documents") or [dict(v or {}, file=k) for k, v in data.items()]
    if not isinstance(data, list):
        raise ManifestError(f"{path}: expected a list of documents with a 'file' key")
    return data


def metadata_for(
    files: Iterable[Path], *, country: str | None = None, level: str | None = None
) -> dict[Path, DocumentMeta]:
    """Each file's metadata: its folder's manifest entry, overridden by CLI options."""
    manifests: dict[Path, dict[str, DocumentMeta]] = {}
    out = {}
    for f in files:
        folder = f.parent
        if folder not in manifests:
            manifests[folder] = load_manifest(folder)
        meta = manifests[folder].get(f.name, DocumentMeta())
        if country:
            meta = replace(meta, country=country)
        if level:
            meta = replace(meta, level=level)
        out[f] = meta
    return out
