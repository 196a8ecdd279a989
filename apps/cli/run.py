"""`mgi run`, `mgi classify-text`, `mgi status`, `mgi documents`, `mgi candidates` and `mgi indicators`:
processing documents into the evidence queue and looking at what is stored.

May import: ``pipeline`` (core) and ``pipeline.services``; ``flows`` only inside ``cmd_run`` (Prefect
starts only when there is something to process).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from apps.cli.common import print_json, quiet_prefect, settings_from
from pipeline.config import Settings

# --------------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    quiet_prefect(settings.home)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.services.batch import (
        IDLE_RUNNER,
        batch_params,
        path_params,
        path_sources,
        plan_batch,
        record_idle_run,
    )
    from pipeline.stages.taxonomy import load_taxonomy
    from pipeline.storage.store import Store

    console = Console(stderr=True)
    for p in args.paths:
        if not Path(p).exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
    model_path = str(settings.model_path) if settings.model_path else None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=True,
        disable=args.quiet,
    ) as bar:
        task = bar.add_task("processing", total=None, current="looking for new documents ...")

        def progress(outcome, n, total) -> None:  # noqa: ANN001
            bar.update(task, total=total, completed=n, current=f"{Path(outcome.path).name}: {outcome.status}")

        sources = path_sources(args.paths, args.country, args.level)
        store = Store(settings.db_url)
        plan = plan_batch(sources, store)
        if not plan.todo:  # nothing new or changed: recorded without loading a model or starting Prefect
            load_taxonomy(settings.taxonomy_path)  # a bad taxonomy file stops every run, idle or not
            params = path_params(args.paths, args.country, args.level)
            summary = record_idle_run(
                plan,
                store,
                batch_params(
                    sources, model_path, settings.embedder, args.top_k, IDLE_RUNNER, store.max_attempts, params
                ),
                progress=progress,
            )
        else:
            # the flow plans again from the database (another run may have stored some meanwhile);
            # the files are not read twice: file_sha256 remembers their hashes
            from flows.process import process_documents, warm_start

            bar.update(task, current="loading models ...")
            warm_start(settings.taxonomy_path, settings.model_path, settings.embedder)
            summary = process_documents(
                paths=[str(p) for p in args.paths],
                db_url=settings.db_url,
                taxonomy_path=str(settings.taxonomy_path),
                model_path=model_path,
                embedder=settings.embedder,
                country=args.country,
                level=args.level,
                top_k=args.top_k,
                progress=progress,
            )
    if args.json:
        print_json(summary.as_dict())
    else:
        _print_summary(summary, settings)
    return 0


def _print_summary(summary, settings: Settings) -> None:  # noqa: ANN001
    from pipeline.stages.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(settings.taxonomy_path)
    print(f"Run {summary.run_id} finished in {summary.seconds:.1f} s (model {summary.model_version})")
    print(f"  documents: {summary.new} new, {summary.skipped} skipped (already processed), {summary.failed} failed")
    if summary.unsupported:
        print(
            f"  ignored {len(summary.unsupported)} file(s) of an unsupported type (only PDF is read): "
            + ", ".join(Path(p).name for p in summary.unsupported[:5])
        )
    langs = ", ".join(f"{k} {v}" for k, v in summary.languages.items()) or "-"
    print(f"  passages: {summary.passages} (document languages: {langs})")
    print(f"  candidates queued: {summary.candidates}")
    for dom in taxonomy.domains:
        print(f"    {dom.id}. {dom.label():<40} {summary.candidates_by_domain.get(dom.id, 0):>6}")
    for o in summary.outcomes:
        if o.status in {"failed", "parked"}:
            print(f"  {o.status.upper()} {o.path}: {o.reason}")
    print(f"Results are in {summary.database} — see `mgi status` and `mgi candidates`.")


# --------------------------------------------------------------------------- classify-text


def _read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    try:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                yield n, None, f"not valid JSON ({err.msg})"
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or "id" not in obj:
                yield n, None, 'expected an object with "id" and a string "text"'
                continue
            yield n, obj, None
    finally:
        if fh is not sys.stdin:
            fh.close()


def cmd_classify_text(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.input != "-" and not Path(args.input).is_file():
        raise FileNotFoundError(f"input file not found: {args.input}")
    from pipeline.learning.factory import build_classifier
    from pipeline.stages.classify import predictions
    from pipeline.stages.heap import freeze_loaded
    from pipeline.stages.language import detect

    clf = build_classifier(settings.taxonomy_path, settings.model_path, settings.embedder)
    freeze_loaded()
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    bad = written = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal written
        if not batch:
            return
        _emb, scores = clf.score_texts([b["text"] for b in batch])
        preds = predictions(scores, args.top_k, clf.indicator_domain)
        thresholds = dict(zip(scores.indicator_ids, scores.thresholds.tolist(), strict=True))
        for item, pred in zip(batch, preds, strict=True):
            lang = detect(item["text"])
            record = {
                "id": item["id"],
                "language": lang.code,
                "language_probability": lang.probability,
                "domain": pred.domain,
                "domain_score": pred.domain_score,
                "indicators": [
                    {
                        "id": s.indicator_id,
                        "domain": s.domain,
                        "score": s.score,
                        "candidate": s.score >= thresholds[s.indicator_id],
                    }
                    for s in pred.indicators
                ],
                "model_version": clf.model_version,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
        batch.clear()

    try:
        for n, obj, err in _read_jsonl(args.input):
            if err:
                print(f"mgi classify-text: {args.input} line {n}: {err}; skipped", file=sys.stderr)
                bad += 1
                continue
            batch.append(obj)
            if len(batch) >= 256:
                flush()
        flush()
    finally:
        if out is not sys.stdout:
            out.close()
    print(
        f"classified {written} text(s) with {clf.model_version}" + (f"; skipped {bad} bad line(s)" if bad else ""),
        file=sys.stderr,
    )
    return 1 if bad else 0


# --------------------------------------------------------------------------- queue views


def _store(settings: Settings):  # noqa: ANN202
    from pipeline.storage.store import Store

    return Store(settings.db_url)


def cmd_status(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    status = _store(settings).status()
    status["home"] = str(settings.home)
    status["model"] = str(settings.model_path) if settings.model_path else "zero-shot"
    if args.json:
        print_json(status)
        return 0
    print(f"Database: {status['database']}")
    print(f"Model:    {status['model']}")
    print("Documents: " + (", ".join(f"{k} {v}" for k, v in sorted(status["documents"].items())) or "none yet"))
    langs = ", ".join(f"{k} {v}" for k, v in sorted(status["passage_languages"].items(), key=lambda kv: -kv[1]))
    print(f"Passages:  {status['passages']}" + (f" ({langs})" if langs else ""))
    print("Candidates: " + (", ".join(f"{k} {v}" for k, v in sorted(status["candidates"].items())) or "none yet"))
    if status["runs"]:
        print("Last runs:")
        for r in status["runs"]:
            s = r["summary"] or {}
            print(
                f"  #{r['id']} {r['started_at']} {r['status']}: {s.get('new', 0)} new, {s.get('skipped', 0)} skipped, "
                f"{s.get('failed', 0)} failed, {s.get('candidates', 0)} candidates"
            )
    if status["failures"]:
        print("Documents that did not fully succeed:")
        for f in status["failures"]:
            print(f"  {f['status']:<7} {f['path']}: {f['reason']} (attempts: {f['attempts']})")
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    rows = _store(settings_from(args)).documents()
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No documents yet: run `mgi run FOLDER`.")
        return 0
    print(f"{'status':<10}{'lang':<6}{'pages':>6}{'ocr':>5}{'pass.':>7}{'cand.':>7}  {'sha256':<14}path / reason")
    for r in rows:
        print(
            f"{r['status']:<10}{(r['language'] or '-'):<6}{r['pages']:>6}{r['ocr_pages']:>5}{r['passages']:>7}"
            f"{r['candidates']:>7}  {r['sha256'][:12]:<14}{r['path']}"
        )
        if r["reason"]:
            print(f"{'':<34}-> {r['reason']}")
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    rows = _store(settings_from(args)).candidates(
        status=args.status,
        domain=args.domain,
        indicator=args.indicator,
        country=args.country,
        language=args.language,
        min_score=args.min_score,
        document=args.document,
        limit=args.limit,
    )
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No candidates match.")
        return 0
    for r in rows:
        text = " ".join(r["text"].split())
        print(
            f"#{r['id']} [{r['status']}] {r['indicator']} (domain {r['domain']}) score {r['score']:.2f} — "
            f"{r['document']} p.{r['page']} [{r['language']}]"
        )
        print(f"    {text[: args.width]}{'…' if len(text) > args.width else ''}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from pipeline.stages.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(Path(args.file) if args.file else settings_from(args).taxonomy_path)
    if args.json:
        print_json(
            [
                {"id": i.id, "domain": i.domain, "subarea": i.subarea, "name": i.name, "description": i.description}
                for i in taxonomy.indicators
            ]
        )
        return 0
    print(
        f"{taxonomy.key}: {len(taxonomy.domains)} domains, {len(taxonomy.indicators)} indicators, "
        f"languages {', '.join(taxonomy.languages())}"
    )
    for dom in taxonomy.domains:
        print(f"\n{dom.id}. {dom.label(args.language)}")
        for ind in (i for i in taxonomy.indicators if i.domain == dom.id):
            print(f"   {ind.id:<8} {ind.label(args.language)}")
    return 0


# --------------------------------------------------------------------------- parser


def add_commands(sub: Any, common: Callable[..., None]) -> None:
    p = sub.add_parser("run", help="process PDFs (files or folders) into the evidence queue")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--country", help="country of these documents (overrides the manifest)")
    p.add_argument("--level", choices=["national", "local"], help="level of government (overrides the manifest)")
    p.add_argument("--top-k", type=int, default=3, help="indicators queued per passage at most (default 3)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    common(p, model=True)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("classify-text", help="classify JSONL lines {id, text} into indicator scores")
    p.add_argument("--input", required=True, help="JSONL file, or - for standard input")
    p.add_argument("--output", default="-", help="JSONL file to write (default: standard output)")
    p.add_argument("--top-k", type=int, default=5)
    common(p, model=True)
    p.set_defaults(func=cmd_classify_text)

    p = sub.add_parser("status", help="what is in the database: documents, passages, candidates, runs, failures")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("documents", help="one row per document")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("candidates", help="list and filter the evidence queue")
    p.add_argument("--status", choices=["pending", "confirmed", "rejected"])
    p.add_argument("--domain")
    p.add_argument("--indicator")
    p.add_argument("--country")
    p.add_argument("--language")
    p.add_argument("--document", help="file name or SHA-256 prefix")
    p.add_argument("--min-score", type=float)
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--width", type=int, default=160, help="characters of passage text shown")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("indicators", help="list the taxonomy's domains and indicators (validates the file too)")
    p.add_argument("file", nargs="?", help="a taxonomy file to check instead of the configured one")
    p.add_argument("--language", default="en")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)
