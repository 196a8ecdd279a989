"""`mgi search`, `mgi search-index`, `mgi coverage`, `mgi reading-list` and `mgi overview`: seeing a
large corpus at a glance and going straight to what matters."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apps.cli.common import friendly, print_json
from pipeline.config import Settings


def _context(args: argparse.Namespace) -> tuple[Settings, Any, Any]:
    from pipeline.stages.taxonomy import load_taxonomy
    from pipeline.storage.store import Store

    settings = Settings.from_env()
    taxonomy = load_taxonomy(Path(args.taxonomy) if getattr(args, "taxonomy", None) else settings.taxonomy_path)
    return settings, Store(settings.db_url), taxonomy


def _check_domain(taxonomy: Any, domain: str | None) -> str | None:
    from pipeline.services.coverage import CoverageError

    if domain and domain not in taxonomy.domain_ids:
        raise CoverageError(f"unknown domain {domain!r}: domains are {', '.join(taxonomy.domain_ids)}")
    return domain


# --------------------------------------------------------------------------- search


def _searcher(args: argparse.Namespace, settings: Settings, store: Any) -> Any:
    from pipeline.services.search import SemanticSearch

    requested = args.encoder or Settings.from_env().embedder
    return SemanticSearch(store, settings.home, requested)


def _show_hit(hit: Any, taxonomy: Any, width: int, colour: bool) -> None:
    before, match, after = hit.parts()
    heading = f" · {hit.heading[:60]}{'…' if len(hit.heading) > 60 else ''}" if hit.heading else ""
    print(
        f"[{hit.rank}] {hit.similarity:.2f}  {hit.document_title} — {hit.pages}{heading} [{hit.language}]"
        f"{' · ' + hit.country if hit.country else ''}"
    )
    if match:
        mark_on, mark_off = ("\x1b[1;33m", "\x1b[0m") if colour else ("**", "**")
        ctx = max(0, (width - len(match)) // 2)
        pre = " ".join(before.split())
        post = " ".join(after.split())
        pre = ("… " + pre[-ctx:]) if len(pre) > ctx else pre
        post = (post[:ctx] + " …") if len(post) > ctx else post
        body = f"{pre} {mark_on}{' '.join(match.split())}{mark_off} {post}".strip()
    else:
        flat = " ".join(hit.text.split())
        body = flat[:width] + ("…" if len(flat) > width else "")
    for line in textwrap.wrap(body, 110, break_on_hyphens=False) or [""]:
        print(f"    {line}")
    if hit.suggestions:
        parts = []
        for sg in hit.suggestions[:4]:
            ind = sg["final_indicator"] or sg["indicator"]
            try:
                label = taxonomy.indicator(ind).label()
            except KeyError:
                label = ""
            parts.append(f"{ind} {label[:40]} ({sg['status']}, {sg['score']:.2f}) #{sg['candidate_id']}")
        print("    suggestions: " + "; ".join(parts))
    else:
        print("    suggestions: none")


@friendly
def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.services.search import SearchError
    from pipeline.services.search_send import send_to_queue

    settings, store, taxonomy = _context(args)
    _check_domain(taxonomy, args.domain)
    searcher = _searcher(args, settings, store)
    status = searcher.status()
    if args.rebuild_index or not status["up_to_date"]:
        todo = status["stored_embeddings"] - (0 if args.rebuild_index else status["indexed"])
        print(f"updating the search index ({todo} passages to index; later searches reuse it) ...", file=sys.stderr)
        rep = searcher.sync(rebuild=args.rebuild_index)
        print(f"search index {rep.action}: {rep.count} passages in {rep.seconds:.1f} s", file=sys.stderr)
    hits = searcher.search(
        args.query, country=args.country, domain=args.domain, language=args.language, limit=args.limit
    )
    if args.send_to_queue:
        if args.result is None:
            raise SearchError("--send-to-queue needs --result N (the number of the result to queue)")
        chosen = next((h for h in hits if h.rank == args.result), None)
        if chosen is None:
            raise SearchError(f"no result number {args.result}: this search gave {len(hits)} result(s)")
        out = send_to_queue(
            store,
            passage_id=chosen.passage_id,
            indicator=args.send_to_queue,
            taxonomy=taxonomy,
            encoder=searcher.encoder_name,
            query=args.query,
            similarity=chosen.similarity,
            result_rank=chosen.rank,
            user=args.user or os.environ.get("USER"),
            via="cli",
        )
        if args.json:
            print_json(
                {
                    "candidate_id": out.candidate_id,
                    "created": out.created,
                    "message": out.message,
                    "result": chosen.as_dict(),
                }
            )
        else:
            print(out.message)
        return 0
    if args.json:
        print_json(
            {
                "query": args.query,
                "encoder": searcher.encoder_name,
                "filters": {"country": args.country, "domain": args.domain, "language": args.language},
                "results": [h.as_dict() for h in hits],
            }
        )
        return 0
    if not hits:
        print("No passages match these filters.")
        return 0
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for hit in hits:
        _show_hit(hit, taxonomy, args.width, colour)
    print(
        f"\n{len(hits)} result(s), encoder {searcher.encoder_name}. Queue a result as evidence with "
        f"--send-to-queue INDICATOR --result N."
    )
    return 0


@friendly
def cmd_search_index(args: argparse.Namespace) -> int:
    settings, store, _taxonomy = _context(args)
    searcher = _searcher(args, settings, store)
    rep = searcher.sync(rebuild=args.rebuild)
    status = searcher.status()
    if args.json:
        print_json(
            {"action": rep.action, "added": rep.added, "seconds": round(rep.seconds, 3), "reason": rep.reason, **status}
        )
        return 0
    extra = f" ({rep.reason})" if rep.reason else ""
    print(
        f"search index for {rep.encoder}: {rep.action}{extra}; {rep.count} passages indexed"
        + (f", {rep.added} added" if rep.action == "added" else "")
        + f" in {rep.seconds:.1f} s"
    )
    print(f"  file: {status['path']}")
    return 0


# --------------------------------------------------------------------------- coverage, reading list, overview


@friendly
def cmd_coverage(args: argparse.Namespace) -> int:
    from pipeline.services.coverage import CoverageError, coverage, to_csv, to_text, to_xlsx

    _settings, store, taxonomy = _context(args)
    fmt = args.format or ("xlsx" if args.out and args.out.lower().endswith(".xlsx") else "csv")
    cov = coverage(store, taxonomy, args.country, args.language)
    if fmt == "xlsx":
        if not args.out:
            raise CoverageError("--format xlsx needs --out FILE.xlsx")
        path = to_xlsx(cov, Path(args.out))
        print(
            f"coverage of {cov.country} written to {path} ({len(cov.rows)} indicators x "
            f"{len(cov.documents)} documents)",
            file=sys.stderr,
        )
        return 0
    body = to_csv(cov) if fmt == "csv" else to_text(cov)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(body, encoding="utf-8")
        t = cov.totals()
        print(
            f"coverage of {cov.country} written to {args.out}: {t['confirmed']} indicators confirmed, "
            f"{t['gap']} gap, {t['suggested']} suggestions only, {t['none']} nothing",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(body)
    return 0


@friendly
def cmd_reading_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from pipeline.services.reading_lists import reading_list

    _settings, store, taxonomy = _context(args)
    rl = reading_list(
        store,
        taxonomy,
        indicator=args.indicator,
        domain=args.domain,
        country=args.country,
        limit=args.limit,
        language=args.language,
    )
    if args.json:
        print_json(asdict(rl))
        return 0
    where = f" in {rl.country}" if rl.country else ""
    if not rl.entries:
        print(f"No document holds evidence for {rl.scope}{where} yet.")
        return 0
    print(f"Reading list for {rl.scope}{where}: {len(rl.entries)} document(s), most evidence first\n")
    for e in rl.entries:
        print(
            f"{e.rank:>2}. {e.title} ({e.date or 'no date'}, {e.document_type or 'document'}, {e.language or '?'})"
            f"  score {e.score:.2f}"
        )
        inds = ", ".join(
            f"{i['id']} {i['state']}" + (f" {i['score']:.2f}" if i["state"] == "suggested" else "")
            for i in e.indicators
        )
        print(f"    {e.confirmed_passages} confirmed, {e.suggested_passages} suggested passage(s): {inds}")
        for p in e.passages:
            print(f"    p.{p['page']} #{p['candidate_id']} {p['indicator']} {p['state']}: {p['excerpt'][:150]}")
        print()
    return 0


@friendly
def cmd_overview(args: argparse.Namespace) -> int:
    from pipeline.services.overview import overview

    _settings, store, taxonomy = _context(args)
    data = overview(store, taxonomy, args.country, args.language)
    if args.json:
        print_json(data)
        return 0
    d, p, c = data["documents"], data["passages"], data["candidates"]

    def fmt(counts: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"

    print(f"Corpus overview{' of ' + data['country'] if data['country'] else ''} (taxonomy {data['taxonomy']})")
    print(f"Documents: {d['total']} ({fmt(d['by_status'])})")
    print(f"  by language: {fmt(d['by_language'])}")
    print(f"  by type:     {fmt(d['by_type'])}")
    print(f"  by year:     {fmt(d['by_year'])}")
    if not data["country"]:
        print(f"  by country:  {fmt(d['by_country'])}")
    print(f"Passages: {p['total']} ({fmt(p['by_language'])}); embeddings: {fmt(data['embeddings'])}")
    print(f"Candidates: {c['total']} ({fmt(c['by_status'])})")
    print(
        f"\n{'domain':<42}{'passages':>9}{'cand.':>7}{'pending':>8}{'conf.':>6}{'rej.':>6}{'reviewed':>9}"
        f"   indicators: confirmed/gap/suggested/none"
    )
    for dom in data["domains"]:
        cov = dom["indicator_coverage"]
        print(
            f"{dom['id'] + '. ' + dom['name']:<42.42}{dom['passages']:>9}{dom['candidates']:>7}{dom['pending']:>8}"
            f"{dom['confirmed']:>6}{dom['rejected']:>6}{dom['reviewed_share']:>9.0%}"
            f"   {cov['confirmed']}/{cov['gap']}/{cov['suggested']}/{cov['none']} of {dom['indicators']}"
        )
    return 0


# --------------------------------------------------------------------------- parser


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    p = sub.add_parser("search", help="semantic search over stored passages, in any language")
    p.add_argument("query", help="what you are looking for, in any language the encoder knows")
    p.add_argument("--country", help="only documents of this country")
    p.add_argument("--domain", help="only passages with a suggestion in this domain (1-6)")
    p.add_argument("--language", help="only passages in this language (en, fr, es, ...)")
    p.add_argument("--limit", type=int, default=10, help="results to show (default 10)")
    p.add_argument("--encoder", help="whose stored embeddings to search (default: MGI_EMBEDDER, else the most used)")
    p.add_argument("--width", type=int, default=320, help="characters of passage shown around the match")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--send-to-queue",
        metavar="INDICATOR",
        help="queue result --result N as evidence for this indicator (id or part of its name)",
    )
    p.add_argument("--result", type=int, metavar="N", help="which result --send-to-queue queues")
    p.add_argument("--user", help="who queues it (recorded as provenance; default: $USER)")
    p.add_argument("--rebuild-index", action="store_true", help="rebuild the vector index before searching")
    common(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("search-index", help="bring the semantic search index up to date (or rebuild it)")
    p.add_argument("--encoder", help="whose stored embeddings to index (default: MGI_EMBEDDER, else the most used)")
    p.add_argument("--rebuild", action="store_true", help="build it again from scratch")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search_index)

    p = sub.add_parser("coverage", help="indicator-by-document coverage matrix of one country (CSV, XLSX or text)")
    p.add_argument("--country", required=True)
    p.add_argument("--format", choices=["csv", "xlsx", "text"], help="default: xlsx when --out ends in .xlsx, else csv")
    p.add_argument("--out", help="file to write (default: standard output; needed for xlsx)")
    p.add_argument("--language", default="en", help="language of indicator and domain names")
    common(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("reading-list", help="documents ranked by the evidence they hold for an indicator or domain")
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--indicator", help="indicator id (or a unique part of its name)")
    scope.add_argument("--domain", help="domain id (1-6)")
    p.add_argument("--country")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--language", default="en")
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=cmd_reading_list)

    p = sub.add_parser("overview", help="the corpus in numbers: documents, passages, candidates, review progress")
    p.add_argument("--country")
    p.add_argument("--language", default="en")
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=cmd_overview)
