"""Labelling real documents by reference: draw passages to label, then turn decisions into labels.

The work files this writes hold document text and stay outside the repository (default
``$MGI_LABELWORK`` or ``../labelwork``); the labels it writes into ``annotations/real/`` hold none
(document SHA-256, page, offsets and the SHA-1 of the whitespace-folded text, as
``annotations/real/README.md`` describes).

    python scripts/labelling.py sample ../shared/corpus-real-2 --batch b1 --docs a.pdf b.md
    python scripts/labelling.py finalize WORK.jsonl DECISIONS.jsonl --annotator labeller-2 >> LABELS
    python scripts/labelling.py taxonomy > WORKDIR/taxonomy.md

``sample`` draws, per document, every passage of the first two pages and the last page (covers,
tables of contents, signature blocks: the hard negatives) up to ``--edge`` passages, and the rest at
random (seed 11) up to a budget that grows with the document's size. Passages already labelled in
``annotations/real/*.jsonl`` are skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import DEFAULT_TAXONOMY  # noqa: E402
from pipeline.stages.analyse import prepare  # noqa: E402
from pipeline.stages.corpus import discover, metadata_for  # noqa: E402
from pipeline.stages.ingest import read_document, sha256_file  # noqa: E402
from pipeline.stages.taxonomy import load_taxonomy  # noqa: E402

WORK = Path(os.environ.get("MGI_LABELWORK", REPO.parent / "labelwork"))
KINDS = (
    "provision",  # operative text of a law, rule, guidance or plan
    "definition",
    "heading",  # a title or heading with little else
    "toc",  # table of contents, index
    "cover",  # cover page, publisher's page, credits
    "form",  # form fields, templates, checklists
    "signature",  # signature blocks, enactment formulas, dates and places of signing
    "changelog",  # amendment history, "inserted by", footnotes on versions, commencement
    "privacy",  # data-protection notices, disclaimers, copyright
    "procedural",  # court/administrative procedure, fines, fees, delegation, repeal, transitional
    "other",
)


def fold(text: str) -> str:
    return " ".join(text.split())


def text_sha1(text: str) -> str:
    return hashlib.sha1(fold(text).encode()).hexdigest()


def labelled_spans() -> set[tuple[str, int, int]]:
    spans = set()
    for path in (REPO / "annotations" / "real").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                spans.add((r["sha256"], r["page"], r["char_start"]))
    return spans


def budget(n_passages: int, factor: float = 5.5, cap: int = 100) -> int:
    """Passages to label in a document of ``n_passages``: all of a short one, ~sqrt growth after."""
    return min(n_passages, max(12, int(factor * math.sqrt(n_passages))), cap)


def cmd_sample(args: argparse.Namespace) -> int:
    files = discover([args.corpus]).files
    if args.docs:
        files = [f for f in files if f.name in set(args.docs)]
    metas = metadata_for(files)
    done = labelled_spans()
    for path in args.exclude or []:  # work files of an earlier draw
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            done.add((r["sha256"], r["page"], r["char_start"]))
    rng = random.Random(args.seed)
    out_path = WORK / f"{args.batch}.work.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    n_out = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for f in files:
            doc, pages = read_document(f, metas[f], sha256_file(f))
            prep = prepare(doc, pages)
            passages = [p for p in prep.passages if (doc.sha256, p.page, p.char_start) not in done]
            last = max(p.number for p in pages)
            edge = [p for p in passages if p.page <= 2 or p.page == last][: args.edge]
            if args.exclude:  # a second draw: the edges were drawn the first time
                edge = []
            rest = [p for p in passages if p not in edge]
            k = max(0, budget(len(passages), args.factor, args.cap) - len(edge))
            picked = sorted(edge + rng.sample(rest, min(k, len(rest))), key=lambda p: p.index)
            for p in picked:
                rec = {
                    "pid": f"{f.name}#{p.index}",
                    "file": f.name,
                    "sha256": doc.sha256,
                    "page": p.page,
                    "char_start": p.char_start,
                    "page_end": p.page_end,
                    "char_end": p.char_end,
                    "language": p.language.code if p.language.known else prep.language.code,
                    "document_type": doc.meta.document_type,
                    "title": doc.meta.title,
                    "heading": p.heading,
                    "text": p.text,
                }
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n_out += 1
            print(f"{f.name}: {len(prep.passages)} passages, {len(picked)} drawn", file=sys.stderr)
    print(f"{n_out} passages -> {out_path}", file=sys.stderr)
    return 0


def cmd_finalize(args: argparse.Namespace) -> int:
    """Join decisions (pid -> indicators, polarity, confidence, kind) to the work file's references."""
    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)
    known = {i.id for i in taxonomy.indicators}
    work = {}
    for line in Path(args.work).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            work[r["pid"]] = r
    problems = 0
    for n, line in enumerate(Path(args.decisions).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        d = json.loads(line)
        w = work.get(d.get("pid"))
        inds = [str(i) for i in d.get("indicators") or []]
        bad = [i for i in inds if i not in known]
        if w is None or bad or d.get("kind", "provision") not in KINDS:
            print(f"{args.decisions}:{n}: unknown pid, indicator {bad} or kind {d.get('kind')!r}", file=sys.stderr)
            problems += 1
            continue
        polarity = d.get("polarity") if inds else None
        rec = {
            "file": w["file"],
            "sha256": w["sha256"],
            "page": w["page"],
            "char_start": w["char_start"],
            "page_end": w["page_end"],
            "char_end": w["char_end"],
            "text_sha1": text_sha1(w["text"]),
            "language": w["language"],
            "indicators": inds,
            "polarity": polarity if polarity in ("developed", "gap") else ("developed" if inds else None),
            "confidence": d.get("confidence", "medium"),
            "kind": d.get("kind", "provision"),
            "annotator": args.annotator,
        }
        print(json.dumps(rec, ensure_ascii=False))
    return 1 if problems else 0


def cmd_agreement(args: argparse.Namespace) -> int:
    """Cohen's kappa between two annotators on the passages both labelled (matched by reference)."""
    from sklearn.metrics import cohen_kappa_score

    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)

    def read(path: str) -> dict[tuple, dict]:
        rows = {}
        for p in [Path(path)] if Path(path).is_file() else sorted(Path(path).glob("*.jsonl")):
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    r = json.loads(line)
                    rows[(r["sha256"], r["page"], r["char_start"], r["text_sha1"])] = r
        return rows

    a, b = read(args.first), read(args.second)
    keys = sorted(set(a) & set(b))
    if not keys:
        print("no passage labelled by both", file=sys.stderr)
        return 1

    def first(r: dict) -> str:
        return r["indicators"][0] if r["indicators"] else "none"

    def domain(r: dict) -> str:
        return taxonomy.indicator(r["indicators"][0]).domain if r["indicators"] else "none"

    views = {
        "evidence or not": lambda r: str(bool(r["indicators"])),
        "domain (first indicator, or none)": domain,
        "indicator (first, or none)": first,
        "kind of passage": lambda r: r.get("kind", "provision"),
    }
    print(f"{len(keys)} passages labelled by both ({args.first} / {args.second})")
    for name, f in views.items():
        x, y = [f(a[k]) for k in keys], [f(b[k]) for k in keys]
        agree = sum(p == q for p, q in zip(x, y, strict=True)) / len(keys)
        print(f"  {name:<36} kappa {cohen_kappa_score(x, y):.3f}   raw agreement {agree:.3f}")
    overlap = sum(
        bool(set(a[k]["indicators"]) & set(b[k]["indicators"]))
        for k in keys
        if a[k]["indicators"] and b[k]["indicators"]
    )
    both = sum(bool(a[k]["indicators"] and b[k]["indicators"]) for k in keys)
    print(f"  evidence for both: {both}; sharing at least one indicator: {overlap} ({overlap / max(both, 1):.3f})")
    if args.list:
        for k in keys:
            if first(a[k]) != first(b[k]):
                print(
                    f"    {a[k]['file']} p.{k[1]}: {a[k]['indicators']} vs {b[k]['indicators']} ({a[k].get('kind')}/{b[k].get('kind')})"
                )
    return 0


def cmd_taxonomy(args: argparse.Namespace) -> int:
    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)
    for ind in taxonomy.indicators:
        print(f"- **{ind.id}** {ind.label('en')}: {ind.describe('en')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("corpus")
    s.add_argument("--batch", required=True)
    s.add_argument("--docs", nargs="*")
    s.add_argument("--edge", type=int, default=8)
    s.add_argument("--seed", type=int, default=11)
    s.add_argument("--factor", type=float, default=5.5, help="passages per sqrt(passages in the document)")
    s.add_argument("--cap", type=int, default=100, help="at most this many per document")
    s.add_argument("--exclude", nargs="*", help="work files of an earlier draw whose passages to skip")
    s.set_defaults(func=cmd_sample)
    f = sub.add_parser("finalize")
    f.add_argument("work")
    f.add_argument("decisions")
    f.add_argument("--annotator", required=True)
    f.set_defaults(func=cmd_finalize)
    a = sub.add_parser("agreement", help="Cohen's kappa between two label files (or folders)")
    a.add_argument("first")
    a.add_argument("second")
    a.add_argument("--list", action="store_true", help="list the passages whose first indicator differs")
    a.set_defaults(func=cmd_agreement)
    t = sub.add_parser("taxonomy")
    t.set_defaults(func=cmd_taxonomy)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
