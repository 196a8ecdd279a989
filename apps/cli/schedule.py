"""`mgi schedule ...`, `mgi db ...`, `mgi retrain`, `mgi reclassify` and `mgi unpark`: running the pipeline
unattended (kept apart so the main CLI module stays small; heavy imports only inside commands)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from apps.cli.common import print_json, quiet_prefect, settings_from
from pipeline.config import Settings, model_override
from pipeline.errors import ConfigError


def _store(settings: Settings, max_attempts: int | None = None):  # noqa: ANN202
    from pipeline.services.inbox import max_attempts_from_env
    from pipeline.storage.store import Store

    return Store(settings.db_url, max_attempts=max_attempts or max_attempts_from_env())


def _check_workers(args: argparse.Namespace) -> None:
    if getattr(args, "workers", None) is not None and args.workers < 0:
        raise ConfigError(f"--workers must be 0 or more, not {args.workers}")
    address = getattr(args, "dask_address", None)
    if address and "://" not in address:
        raise ConfigError(f"--dask-address {address!r} should look like tcp://HOST:8786")


# --------------------------------------------------------------------------- mgi schedule


def _inbox(args: argparse.Namespace, settings: Settings):  # noqa: ANN202
    from pipeline.services.inbox import load_inbox

    return load_inbox(Path(args.config) if args.config else None, settings.home)


def _specs(args: argparse.Namespace, inbox):  # noqa: ANN001, ANN202
    from flows.deployments import specs
    from pipeline.services.inbox import check_cron

    return specs(
        inbox,
        Path(args.config) if args.config else None,
        workers=args.workers,
        dask_address=args.dask_address,
        retrain=not args.no_retrain,
        batch_cron=check_cron(args.cron, "--cron") if args.cron else None,
        retrain_cron=check_cron(args.retrain_cron, "--retrain-cron") if args.retrain_cron else None,
    )


def _describe(inbox, deployment_specs) -> None:  # noqa: ANN001
    print(f"Inbox {inbox.source}:")
    for f in inbox.folders:
        print(f"  {f.path}  (country: {f.country or 'from manifest'}, level: {f.level or 'from manifest'})")
    for spec in deployment_specs:
        params = {k: v for k, v in spec.parameters.items() if v is not None}
        print(f"Deployment {spec.name}: cron '{spec.cron}' ({spec.timezone}) -> {spec.entrypoint} {params or ''}")


def cmd_schedule_show(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    _check_workers(args)
    inbox = _inbox(args, settings)
    deployment_specs = _specs(args, inbox)
    if args.json:
        print_json({"inbox": inbox, "deployments": deployment_specs, "database": settings.db_url})
        return 0
    _describe(inbox, deployment_specs)
    print(f"Database: {settings.db_url}")
    return 0


def cmd_schedule_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    _check_workers(args)
    quiet_prefect(settings.home)
    inbox = _inbox(args, settings)
    deployment_specs = _specs(args, inbox)
    from flows.deployments import prefect_server, serve_deployments

    _describe(inbox, deployment_specs)
    home = Path(os.environ["PREFECT_HOME"])
    with prefect_server(port=args.port, home=home) as server:
        if server.started:
            print(
                f"Started a Prefect server at {server.api_url.removesuffix('/api')} (UI and API; log {server.log}); "
                "it runs while this command runs. Cron schedules need a real server like this one: the "
                "temporary one Prefect starts by itself never fires them. To keep a server of your own, run "
                "`prefect server start` and set PREFECT_API_URL."
            )
        else:
            print(f"Using the Prefect server at {server.api_url} (PREFECT_API_URL).")
        print(
            "Serving the deployments; Ctrl-C stops. Run one now with: prefect deployment run 'mgi-batch-inbox/mgi-batch'"
        )
        sys.stdout.flush()
        try:
            serve_deployments(deployment_specs)
        except KeyboardInterrupt:
            print("stopped serving", file=sys.stderr)
    return 0


def cmd_schedule_deploy(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    _check_workers(args)
    quiet_prefect(settings.home)
    inbox = _inbox(args, settings)
    deployment_specs = _specs(args, inbox)
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "deploying to a work pool needs a Prefect server: set PREFECT_API_URL (e.g. http://prefect-host:4200/api)"
        )
    from flows.deployments import deploy_to_work_pool, healthy

    if not healthy(os.environ["PREFECT_API_URL"]):
        raise ConfigError(f"PREFECT_API_URL={os.environ['PREFECT_API_URL']} does not answer: start the Prefect server")
    env = None
    if args.env:
        env = {}
        for item in args.env:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ConfigError(f"--env {item!r}: expected KEY=VALUE")
            env[key] = value
    ids = deploy_to_work_pool(deployment_specs, args.pool, source=Path(args.source).resolve(), env=env)
    _describe(inbox, deployment_specs)
    print(f"Registered {len(ids)} deployment(s) for work pool {args.pool!r}. Start a worker where the data is:")
    print(f"  prefect worker start --pool {args.pool}")
    return 0


def cmd_schedule_run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    _check_workers(args)
    quiet_prefect(settings.home)
    inbox = _inbox(args, settings)  # fail fast, with a one-line message, before Prefect starts
    from flows.process import process_inbox

    summary = process_inbox(config=str(inbox.source), workers=args.workers, dask_address=args.dask_address)
    if args.json:
        print_json(summary)
        return 0
    print(
        f"Run {summary['run_id']} finished in {summary['seconds']:.1f} s on the {summary['runner']} runner "
        f"(model {summary['model_version']})"
    )
    print(
        f"  documents: {summary['new']} new, {summary['skipped']} skipped, {summary['failed']} failed, "
        f"{summary['parked']} parked; candidates added: {summary['candidates']}"
    )
    for d in summary["documents"]:
        print(f"  {d['status'].upper()} {d['path']}: {d['reason']}")
    return 0


# --------------------------------------------------------------------------- mgi db


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from pipeline.storage.engine import make_engine
    from pipeline.storage.migrations import upgrade

    settings = settings_from(args)
    engine = make_engine(settings.db_url)
    before, after = upgrade(engine, args.revision)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{where}: schema already at revision {after}")
    else:
        print(f"{where}: schema upgraded from {before or '(empty)'} to {after}")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from pipeline.storage.engine import make_engine
    from pipeline.storage.migrations import current_revision, head_revision

    settings = settings_from(args)
    engine = make_engine(settings.db_url)
    cur, head = current_revision(engine), head_revision()
    where = engine.url.render_as_string(hide_password=True)
    state = "up to date" if cur == head else "behind: run `mgi db upgrade`"
    print(f"{where}: schema revision {cur or '(none)'}; code needs {head} ({state})")
    return 0 if cur == head else 1


def cmd_db_revision(args: argparse.Namespace) -> int:
    """Write a new migration from the difference between the models and a scratch database at head."""
    import tempfile

    from alembic import command

    from pipeline.storage.engine import make_engine
    from pipeline.storage.migrations import alembic_config, known_revisions, upgrade

    numbers = [int(r) for r in known_revisions() if r.isdigit()]
    rev_id = f"{max(numbers, default=0) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        upgrade(engine)
        with engine.connect() as conn:
            script = command.revision(alembic_config(conn), message=args.message, autogenerate=True, rev_id=rev_id)
        engine.dispose()
    path = getattr(script, "path", None)
    print(f"wrote {path}: review it (SQLite and PostgreSQL), then run the tests")
    return 0


# --------------------------------------------------------------------------- retrain, reclassify, unpark


def cmd_retrain(args: argparse.Namespace) -> int:
    from pipeline.services.retrain import DEFAULT_SEEDS, retrain_then_reclassify

    settings = settings_from(args)
    data = retrain_then_reclassify(
        db_url=settings.db_url,
        taxonomy_path=str(settings.taxonomy_path),
        home=str(settings.home),
        current=str(settings.model_path) if settings.model_path else None,
        annotations=[str(p) for p in (args.annotations or [DEFAULT_SEEDS])],
        embedder=args.embedder or settings.embedder,
        seeds=args.seeds,
        tolerance=args.tolerance,
        force=args.force,
        decisions=args.decisions,
        promote_if_better=not args.no_promote,
        reclassify_after=not args.no_reclassify,
        top_k=args.top_k,
    )
    run_id = data["run_id"]
    if args.json:
        print_json(data)
        return 0
    ex = data["examples"]
    print(
        f"Retrain run {run_id}: {data['status']} — {data['reason']}\n"
        f"  examples: {ex.get('seed', 0)} seed + {ex.get('review', 0)} from decisions "
        f"({ex.get('review_positive', 0)} evidence, {ex.get('review_negative', 0)} none)"
    )
    comp = data["comparison"]
    if comp.get("compared"):
        print(
            f"  same evaluation ({comp['splits']} split(s), {comp['rows']} held-out passages in {comp['groups']} "
            "document groups the current model never saw):"
        )
        for key in ("micro_f1", "macro_f1", "top1", "top3"):
            new, old = comp["candidate"].get(key), comp["current"].get(key)
            print(
                f"    {key:<10} new {new if new is None else f'{new:.4f}'}  current {old if old is None else f'{old:.4f}'}"
            )
    if data["folder"]:
        print(f"  model folder: {data['folder']}")
    if data["status"] == "promoted":
        print(f"  promoted: {settings.models_dir / 'current'} -> {data['model_version']}")
        if model_override():
            print(f"  note: MGI_MODEL={model_override()} is set, so runs keep using that model")
    if "reclassify" in data:
        rc = data["reclassify"]
        print(
            f"  reclassified {rc['passages']} passages: {rc['added']} new suggestions, "
            f"{rc['kept_decisions']} left to analysts' decisions"
        )
    return 0


def cmd_reclassify(args: argparse.Namespace) -> int:
    from pipeline.services.reclassify import reclassify_and_record
    from pipeline.services.runs import shared_classifier

    settings = settings_from(args)
    model = settings.model_path
    if args.model is not None:
        model = None if args.model.lower() in {"none", "zero-shot"} else Path(args.model)
    classifier = shared_classifier(settings.taxonomy_path, model, args.embedder or settings.embedder)
    run_id, report = reclassify_and_record(
        _store(settings),
        classifier,
        top_k=args.top_k,
        document=args.document,
        skip_decided=not args.include_decided,
    )
    if args.json:
        print_json(report.as_dict() | {"run_id": run_id})
        return 0
    print(
        f"Reclassify run {run_id} with {report.model_version}: {report.documents} documents, {report.passages} passages "
        f"({report.rescored_from_stored} scored from stored embeddings, {report.re_embedded} embedded again)\n"
        f"  {report.added} new suggestions queued, {report.already_there} already there, "
        f"{report.kept_decisions} not queued because an analyst already decided that passage and indicator"
    )
    return 0


def cmd_unpark(args: argparse.Namespace) -> int:
    if not args.document and not args.all:
        raise ConfigError("name a document (SHA-256 prefix or file name) or give --all")
    n = _store(settings_from(args)).unpark(None if args.all else args.document)
    print(f"{n} document(s) will be tried again on the next run" if n else "no parked or failed document matches")
    return 0 if n else 1


# --------------------------------------------------------------------------- parser


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    sched = sub.add_parser(
        "schedule",
        help="scheduled batch runs over an inbox of folders (serve, run, show, deploy)",
        description="Scheduled batch runs over the folders of an inbox config (default MGI_HOME/inbox.yaml; "
        "see pipeline/services/inbox.py for the format).",
    )
    ssub = sched.add_subparsers(dest="schedule_command", required=True, metavar="ACTION")

    def schedule_options(p: argparse.ArgumentParser, crons: bool = True) -> None:
        p.add_argument("--config", help="inbox YAML (default: MGI_INBOX or MGI_HOME/inbox.yaml)")
        p.add_argument("--workers", type=int, help="run the per-document work on a local Dask cluster of N processes")
        p.add_argument("--dask-address", help="run the per-document work on this Dask scheduler (tcp://HOST:8786)")
        if crons:
            p.add_argument("--cron", help="cron of the batch (overrides the config's 'schedule')")
            p.add_argument("--retrain-cron", help="cron of the retraining (overrides the config's 'retrain')")
            p.add_argument("--no-retrain", action="store_true", help="do not schedule the retraining")
        common(p)

    p = ssub.add_parser("serve", help="serve the batch and retrain deployments on this host (needs a Prefect server)")
    schedule_options(p)
    p.add_argument("--port", type=int, default=4200, help="port of the Prefect server started if none is configured")
    p.set_defaults(func=cmd_schedule_serve)

    p = ssub.add_parser("run", help="run the scheduled batch once, now")
    schedule_options(p, crons=False)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_schedule_run)

    p = ssub.add_parser("show", help="check the inbox config and show the deployments it makes")
    schedule_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_schedule_show)

    p = ssub.add_parser("deploy", help="register the deployments for a Prefect work pool (PREFECT_API_URL)")
    schedule_options(p)
    p.add_argument("--pool", required=True, help="work pool name (create it with `prefect work-pool create NAME`)")
    p.add_argument("--source", default=str(Path(__file__).resolve().parent.parent), help="project folder workers see")
    p.add_argument("--env", action="append", help="KEY=VALUE for the flow runs (default: the MGI_* variables set here)")
    p.set_defaults(func=cmd_schedule_deploy)

    db = sub.add_parser("db", help="database schema: upgrade, current, revision")
    dsub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = dsub.add_parser("upgrade", help="apply the schema migrations to the database (MGI_DB_URL)")
    p.add_argument("--revision", default="head")
    p.set_defaults(func=cmd_db_upgrade)
    p = dsub.add_parser("current", help="the database's schema revision and the one this code needs")
    p.set_defaults(func=cmd_db_current)
    p = dsub.add_parser("revision", help="(developers) write a migration for a change to the tables")
    p.add_argument("-m", "--message", required=True)
    p.set_defaults(func=cmd_db_revision)

    p = sub.add_parser(
        "retrain",
        help="train on seed annotations + analysts' decisions; promote only if not worse than the current model",
    )
    p.add_argument("--annotations", nargs="*", help="seed JSONL files or folders (default: annotations/seed)")
    p.add_argument("--embedder", help="encoder spec (default: the current model's)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="one held-out split per seed")
    p.add_argument("--tolerance", type=float, default=0.0, help="promote even if micro-F1 is lower by at most this")
    p.add_argument("--no-promote", action="store_true", help="train and compare only")
    p.add_argument("--no-reclassify", action="store_true", help="do not re-score stored passages after promoting")
    p.add_argument("--force", action="store_true", help="retrain even if no decision was added since the current model")
    p.add_argument("--decisions", choices=["auto", "export", "store"], default="auto", help="where decisions come from")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=cmd_retrain)

    p = sub.add_parser(
        "reclassify", help="score stored passages with a (new) model; analysts' decisions are never changed"
    )
    p.add_argument("--document", help="one document (SHA-256 prefix or file name); default: all")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument(
        "--include-decided", action="store_true", help="also queue pairs an analyst already decided (default: skip)"
    )
    p.add_argument("--json", action="store_true")
    common(p, model=True)
    p.set_defaults(func=cmd_reclassify)

    p = sub.add_parser("unpark", help="let parked (or failed) documents be tried again on the next run")
    p.add_argument("document", nargs="?", help="SHA-256 prefix or file name")
    p.add_argument("--all", action="store_true", help="every parked or failed document")
    p.set_defaults(func=cmd_unpark)
