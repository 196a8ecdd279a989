"""`mgi train` and `mgi evaluate` (kept apart so the main CLI module stays small)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.config import DEFAULT_EMBEDDER, REPO_ROOT, Settings

DEFAULT_ANNOTATIONS = REPO_ROOT / "annotations"
DEFAULT_REAL_CORPORA = (REPO_ROOT.parent / "shared" / "corpus-real", REPO_ROOT.parent / "shared" / "corpus-real-2")


def _real_corpora(args: argparse.Namespace) -> list[Path]:
    return [Path(p) for p in (args.real_corpus or [str(c) for c in DEFAULT_REAL_CORPORA])]


def _training_data(args: argparse.Namespace, settings: Settings, seed: list[Path]):  # noqa: ANN202 - TrainingData
    from pipeline.learning.recipe import load_training_data

    real = [Path(p) for p in (args.real or [DEFAULT_ANNOTATIONS / "real"])] if not args.no_real else []
    corpora = _real_corpora(args)
    if real and not any(c.is_dir() for c in corpora):
        print(
            f"mgi: real corpora not found ({', '.join(map(str, corpora))}); training on the seed passages only",
            file=sys.stderr,
        )
        real = []
    data = load_training_data(seed, real, corpora, settings.home / "cache" / "pages")
    for problem in data.problems[:20]:
        print(f"mgi: label not used: {problem}", file=sys.stderr)
    return data


def cmd_train(args: argparse.Namespace) -> int:
    from pipeline.learning.recipe import train_model
    from pipeline.learning.train import Params, write_model
    from pipeline.stages.embed import get_encoder
    from pipeline.stages.taxonomy import load_taxonomy

    settings = Settings.from_env()
    taxonomy = load_taxonomy(Path(args.taxonomy) if args.taxonomy else settings.taxonomy_path)
    encoder = get_encoder(args.embedder or settings.embedder or DEFAULT_EMBEDDER)
    data = _training_data(args, settings, [Path(p) for p in (args.annotations or [DEFAULT_ANNOTATIONS / "seed"])])
    params = Params(C=args.C)
    heads, card, extra = train_model(data, taxonomy, encoder, params, settings.home / "cache" / "embeddings")
    if args.metrics and Path(args.metrics).is_file():
        card.metrics = json.loads(Path(args.metrics).read_text(encoding="utf-8"))
    out = Path(args.out) if args.out else settings.models_dir / card.model_version
    write_model(out, heads, card)
    print(
        f"trained {card.model_version} on {len(data.seed)} seed and {len(data.real)} real passages"
        + (f" (evidence gate, power {extra['gate_power']})" if extra else "")
    )
    print(f"model written to {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.learning.evaluate import evaluate_encoder, load_inputs, render_markdown
    from pipeline.learning.realreport import render_real_markdown
    from pipeline.learning.recipe import evaluate_real
    from pipeline.stages.embed import get_encoder
    from pipeline.stages.taxonomy import load_taxonomy

    settings = Settings.from_env()
    taxonomy = load_taxonomy(Path(args.taxonomy) if args.taxonomy else settings.taxonomy_path)
    specs = [s.strip() for s in args.embedders.split(",") if s.strip()]
    default = args.default or specs[0]
    cache = settings.home / "cache" / "embeddings"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = _training_data(args, settings, [Path(args.annotations) / "seed"])
    real_reports = []
    if data.real:
        for spec in specs:
            print(f"evaluating {spec} on real documents held out ...", file=sys.stderr)
            real_reports.append(evaluate_real(data, taxonomy, get_encoder(spec), cache, folds=args.folds))
    # the seed-passage measurements (passages the team wrote), kept and labelled as such
    inputs = load_inputs(taxonomy, Path(args.annotations), cache)
    reports = []
    for spec in specs:
        print(f"evaluating {spec} on seed passages ...", file=sys.stderr)
        reports.append(evaluate_encoder(inputs, get_encoder(spec), list(range(args.seeds))))
    (out / "report.json").write_text(
        json.dumps({"default": default, "real": real_reports, "reports": reports}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    md = render_real_markdown(real_reports, default) if real_reports else ""
    (out / "report.md").write_text(md + render_markdown(reports, taxonomy, default), encoding="utf-8")
    main = next(r for r in reports if r["encoder"] == default)
    summary = {k: main["held_out"][k] for k in ("top1", "top3", "domain_top1", "micro_f1")}
    real_main = next((r for r in real_reports if r["encoder"] == default), None)
    if real_main:
        shipped = next(iter(real_main["variants"].values()))
        summary = {"real_documents_held_out": shipped["overall"], "seed_passages_held_out": summary}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"report written to {out / 'report.md'} and {out / 'report.json'}")
    return 0


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    p = sub.add_parser("train", help="train the indicator classifier on annotations and write a model folder")
    p.add_argument("--annotations", nargs="*", help="seed JSONL files or folders (default: annotations/seed)")
    p.add_argument("--real", nargs="*", help="real labels by reference (default: annotations/real)")
    p.add_argument("--no-real", action="store_true", help="train on the seed passages only")
    p.add_argument("--real-corpus", nargs="*", help="folders of the documents the real labels point at")
    p.add_argument("--embedder", help=f"encoder spec (default: MGI_EMBEDDER or {DEFAULT_EMBEDDER})")
    p.add_argument("--out", help="model folder to write (default: MGI_HOME/models/<version>)")
    p.add_argument("--C", type=float, default=4.0, help="inverse regularisation strength of the heads")
    p.add_argument("--metrics", help="a JSON file of evaluation metrics to put on the model card")
    p.add_argument("--taxonomy")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="evaluate on real documents held out whole, and on seed passages")
    p.add_argument("--annotations", default=str(DEFAULT_ANNOTATIONS), help="annotations folder (seed/, twins/, real/)")
    p.add_argument("--real", nargs="*", help="real labels by reference (default: annotations/real)")
    p.add_argument("--no-real", action="store_true", help="leave the real-text evaluation out")
    p.add_argument("--real-corpus", nargs="*", help="folders of the documents the real labels point at")
    p.add_argument("--embedders", default=DEFAULT_EMBEDDER, help="comma-separated encoder specs to compare")
    p.add_argument("--default", help="which of --embedders the report presents in detail (default: the first)")
    p.add_argument("--seeds", type=int, default=5, help="number of repeated group splits of the seed passages")
    p.add_argument("--folds", type=int, default=5, help="folds of whole real documents")
    p.add_argument("--out", default="docs/evaluation")
    p.add_argument("--taxonomy")
    p.set_defaults(func=cmd_evaluate)
