"""`mgi train` and `mgi evaluate` (kept apart so the main CLI module stays small)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.config import DEFAULT_EMBEDDER, REPO_ROOT, Settings

DEFAULT_ANNOTATIONS = REPO_ROOT / "annotations"
DEFAULT_REAL_CORPUS = REPO_ROOT.parent / "shared" / "corpus-real"


def cmd_train(args: argparse.Namespace) -> int:
    from pipeline.learning.evaluate import embed_texts
    from pipeline.learning.train import Params, fit, load_examples, make_card, write_model
    from pipeline.stages.embed import get_encoder
    from pipeline.stages.taxonomy import load_taxonomy

    settings = Settings.from_env()
    taxonomy = load_taxonomy(Path(args.taxonomy) if args.taxonomy else settings.taxonomy_path)
    encoder = get_encoder(args.embedder or settings.embedder or DEFAULT_EMBEDDER)
    sources = [Path(p) for p in (args.annotations or [DEFAULT_ANNOTATIONS / "seed"])]
    examples = load_examples(sources)
    X, _ = embed_texts(encoder, [e.text for e in examples], settings.home / "cache" / "embeddings")
    params = Params(C=args.C)
    heads, report = fit(X, examples, taxonomy, encoder, params)
    metrics = {}
    if args.metrics and Path(args.metrics).is_file():
        metrics = json.loads(Path(args.metrics).read_text(encoding="utf-8"))
    card = make_card(heads, report, taxonomy, encoder, examples, params, metrics)
    out = Path(args.out) if args.out else settings.models_dir / card.model_version
    write_model(out, heads, card)
    print(
        f"trained {card.model_version} on {len(examples)} passages ({report.trained_indicators} indicator heads, "
        f"{len(report.zero_shot_indicators)} zero-shot); out-of-fold micro-F1 {report.oof_micro_f1:.3f}, "
        f"alpha {report.alpha}"
    )
    print(f"model written to {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.learning.evaluate import evaluate_encoder, load_inputs, render_markdown
    from pipeline.stages.embed import get_encoder
    from pipeline.stages.taxonomy import load_taxonomy

    settings = Settings.from_env()
    taxonomy = load_taxonomy(Path(args.taxonomy) if args.taxonomy else settings.taxonomy_path)
    real = Path(args.real_corpus) if args.real_corpus else DEFAULT_REAL_CORPUS
    if not real.is_dir():
        print(f"mgi evaluate: real corpus {real} not found; the real-legislation section is left out", file=sys.stderr)
    inputs = load_inputs(taxonomy, Path(args.annotations), real, settings.home / "cache" / "embeddings")
    specs = [s.strip() for s in args.embedders.split(",") if s.strip()]
    default = args.default or specs[0]
    seeds = list(range(args.seeds))
    reports = []
    for spec in specs:
        print(f"evaluating {spec} ...", file=sys.stderr)
        reports.append(evaluate_encoder(inputs, get_encoder(spec), seeds))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps({"default": default, "reports": reports}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "report.md").write_text(render_markdown(reports, taxonomy, default), encoding="utf-8")
    main = next(r for r in reports if r["encoder"] == default)
    summary = {k: main["held_out"][k] for k in ("top1", "top3", "domain_top1", "micro_f1")}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"report written to {out / 'report.md'} and {out / 'report.json'}")
    return 0


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    p = sub.add_parser("train", help="train the indicator classifier on annotations and write a model folder")
    p.add_argument("--annotations", nargs="*", help="JSONL files or folders (default: annotations/seed)")
    p.add_argument("--embedder", help=f"encoder spec (default: MGI_EMBEDDER or {DEFAULT_EMBEDDER})")
    p.add_argument("--out", help="model folder to write (default: MGI_HOME/models/<version>)")
    p.add_argument("--C", type=float, default=4.0, help="inverse regularisation strength of the heads")
    p.add_argument("--metrics", help="a JSON file of evaluation metrics to put on the model card")
    p.add_argument("--taxonomy")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="evaluate on held-out document groups, twins and real legislation")
    p.add_argument("--annotations", default=str(DEFAULT_ANNOTATIONS), help="annotations folder (seed/, twins/, real/)")
    p.add_argument("--embedders", default=DEFAULT_EMBEDDER, help="comma-separated encoder specs to compare")
    p.add_argument("--default", help="which of --embedders the report presents in detail (default: the first)")
    p.add_argument("--seeds", type=int, default=5, help="number of repeated group splits")
    p.add_argument("--real-corpus", help="folder of the real PDFs the labels refer to (default: ../shared/corpus-real)")
    p.add_argument("--out", default="docs/evaluation")
    p.add_argument("--taxonomy")
    p.set_defaults(func=cmd_evaluate)
