"""The ``mgi`` command: the parser (one module per command group, each with ``add_commands(sub,
common)``) and ``main``, which turns the errors a user can cause into one line and exit code 2.

May import: ``apps.cli.*`` and ``pipeline`` (core). Heavy imports (Prefect, encoders, the web app)
happen inside the commands that need them.
"""

from __future__ import annotations

import argparse
import sys

from apps.cli.common import message, user_errors


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mgi", description="Evidence pipeline for the Migration Governance Indicators."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, model: bool = False) -> None:
        p.add_argument(
            "--taxonomy", help="taxonomy file (YAML/CSV); default: the bundled MGI-aligned one or MGI_TAXONOMY"
        )
        if model:
            p.add_argument(
                "--model", help="trained model folder, or 'none' for zero-shot; default: MGI_MODEL or the shipped model"
            )
            p.add_argument(
                "--embedder",
                help="encoder spec (use-multilingual, e5-small, minilm, st:NAME_OR_PATH); default: the model's",
            )

    from apps.cli import run

    run.add_commands(sub, common)

    from apps.cli import learn as learn_cli

    learn_cli.add_commands(sub, common)

    from apps.cli import review as review_cli

    review_cli.add_commands(sub, common)

    from apps.cli import triage as triage_cli

    triage_cli.add_commands(sub, common)

    from apps.cli import schedule as schedule_cli

    schedule_cli.add_commands(sub, common)

    from apps.cli import ingest as ingest_cli

    ingest_cli.add_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into head & co.
        return 0
    except user_errors() as err:
        print(message(args.command, err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mgi: interrupted; what was stored so far is kept", file=sys.stderr)
        return 130
