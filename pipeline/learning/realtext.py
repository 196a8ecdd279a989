"""Real labelled passages: labels by reference (``annotations/real/*.jsonl``) resolved against the
documents they point at, in any format ingest reads, into training and evaluation examples.

A label holds the document's SHA-256, page and offsets, and the SHA-1 of the whitespace-folded
text, never the text. Resolving reads each referenced document once (its page texts are cached
per ingest version) and checks the hash; a label whose text changed is reported, not used.

May import: ``pipeline.records``, ``pipeline.stages``, ``pipeline.learning.train``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.learning.train import Example
from pipeline.stages.corpus import discover, metadata_for

log = logging.getLogger(__name__)

# cached page texts are only valid for the reading code that produced them
_STAGES = Path(__file__).resolve().parent.parent / "stages"
INGEST_VERSION = hashlib.sha256(
    b"".join((_STAGES / name).read_bytes() for name in ("ingest.py", "formats.py", "ocr.py"))
).hexdigest()[:10]

DOCUMENT_KINDS = ("law", "regulation", "guidance", "strategy", "other")


def document_kind(document_type: str | None) -> str:
    """The manifest's free-text document type folded into law / regulation / guidance / strategy."""
    t = (document_type or "").lower()
    if any(w in t for w in ("strategy", "plan", "policy", "programme", "program")):
        return "strategy"
    if any(w in t for w in ("guidance", "guide", "booklet", "information sheet", "leaflet", "memorandum", "guideline")):
        return "guidance"
    if any(w in t for w in ("regulation", "decree", "ordinance", "rules", "order", "instruction", "lineamientos")):
        return "regulation"
    if any(w in t for w in ("law", "act", "code", "bill", "convention", "statute", "compilation")):
        return "law"
    return "other"


@dataclass(frozen=True)
class RealExample:
    example: Example  # text, language, indicators, group (= document SHA-256)
    file: str
    page: int
    kind: str  # what the passage is (provision, toc, form, ...), "unknown" for older labels
    document_kind: str  # law / regulation / guidance / strategy / other
    annotator: str
    confidence: str


def fold_sha1(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def load_labels(paths: Iterable[Path]) -> list[dict]:
    out = []
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    out.append(json.loads(line))
    return out


def _pages_of(path: Path, meta, sha: str, cache_dir: Path | None) -> dict[int, str]:  # noqa: ANN001
    from pipeline.stages.ingest import read_document

    cached = cache_dir / f"pages-{sha[:16]}-{INGEST_VERSION}.json" if cache_dir else None
    if cached and cached.is_file():
        return {int(k): v for k, v in json.loads(cached.read_text(encoding="utf-8")).items()}
    _doc, pages = read_document(path, meta, sha)
    out = {p.number: p.text for p in pages}
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def span_text(pages: dict[int, str], lab: dict) -> str:
    if lab["page"] == lab["page_end"]:
        return pages[lab["page"]][lab["char_start"] : lab["char_end"]]
    parts = [pages[lab["page"]][lab["char_start"] :]]
    parts += [pages[p] for p in range(lab["page"] + 1, lab["page_end"])]
    parts.append(pages[lab["page_end"]][: lab["char_end"]])
    return "\n".join(parts)


def resolve(
    labels: Sequence[dict], corpora: Sequence[Path], cache_dir: Path | None = None
) -> tuple[list[RealExample], list[str]]:
    """The labelled spans as examples, and one line per label that could not be used."""
    from pipeline.stages.ingest import sha256_file

    files: dict[str, tuple[Path, object]] = {}
    for corpus in corpora:
        if not Path(corpus).is_dir():
            continue
        found = discover([corpus]).files
        metas = metadata_for(found)
        for f in found:
            files[sha256_file(f)] = (f, metas[f])
    problems: list[str] = []
    pages_by_sha: dict[str, dict[int, str]] = {}
    out: list[RealExample] = []
    for n, lab in enumerate(labels):
        sha = lab["sha256"]
        if sha not in files:
            problems.append(f"{lab.get('file')}: no document with SHA-256 {sha[:12]} in {', '.join(map(str, corpora))}")
            continue
        if sha not in pages_by_sha:
            path, meta = files[sha]
            pages_by_sha[sha] = _pages_of(path, meta, sha, cache_dir)
        pages = pages_by_sha[sha]
        try:
            text = span_text(pages, lab)
        except KeyError:
            problems.append(f"{lab['file']} p.{lab['page']}: page not in the document any more")
            continue
        if fold_sha1(text) != lab["text_sha1"]:
            problems.append(f"{lab['file']} p.{lab['page']}:{lab['char_start']}: text changed since labelling")
            continue
        meta = files[sha][1]
        ex = Example(
            id=f"real:{sha[:12]}:{lab['page']}:{lab['char_start']}:{n}",
            text=text,
            language=lab.get("language") or "unknown",
            indicators=tuple(lab.get("indicators") or ()),
            group=sha,
            polarity=lab.get("polarity"),
            source="real",
        )
        out.append(
            RealExample(
                ex,
                lab["file"],
                lab["page"],
                lab.get("kind") or "unknown",
                document_kind(getattr(meta, "document_type", None)),
                lab.get("annotator", "?"),
                lab.get("confidence", "medium"),
            )
        )
    return out, problems
