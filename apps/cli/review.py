"""`mgi serve`, `mgi review`, `mgi users`, `mgi export`, `mgi profile` and `mgi agreement`.

Hooked into the main parser with ``add_commands(sub, common)`` (like ``apps.cli.learn``).
Errors a user can cause are printed as one line (``mgi COMMAND: ...``) with exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from apps.cli.common import friendly, settings_from
from apps.cli.terminal import _filters, terminal_review
from pipeline.config import REPO_ROOT, Settings, analyst_name

GUIDELINES = REPO_ROOT / "annotations" / "GUIDELINES.md"


def _open(args: argparse.Namespace, taxonomy: bool = True):  # noqa: ANN202
    """(settings, store with the review tables, taxonomy or None)."""
    from pipeline.stages.taxonomy import load_taxonomy
    from pipeline.storage.store import Store

    settings = settings_from(args)
    store = Store(settings.db_url)
    return settings, store, load_taxonomy(settings.taxonomy_path) if taxonomy else None


def _thresholds(settings: Settings):  # noqa: ANN202
    from pipeline.services.review import threshold_resolver

    return threshold_resolver([settings.models_dir, REPO_ROOT / "models"])


# --------------------------------------------------------------------------- serve


@friendly
def cmd_serve(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from apps.web.app import create_app
    from pipeline.services.accounts import list_users

    settings, store, taxonomy = _open(args)
    if not list_users(store):
        print("mgi serve: no accounts yet; add one first: mgi users add NAME --role admin", file=sys.stderr)
        return 2
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as err:
            print(
                f"mgi serve: cannot listen on {args.host}:{args.port} ({err.strerror}); pick another --port",
                file=sys.stderr,
            )
            return 2
    app = create_app(
        store,
        taxonomy,
        lease_minutes=args.lease_minutes,
        guidelines=GUIDELINES,
        thresholds=_thresholds(settings),
        secure_cookies=args.secure_cookies,
        home=settings.home,
    )
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.secure_cookies:
        print(
            "mgi serve: listening beyond this machine; put it behind HTTPS and pass --secure-cookies", file=sys.stderr
        )
    print(f"Review app on http://{args.host}:{args.port}/  (database {store.url}; Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False)
    return 0


# --------------------------------------------------------------------------- users


def _read_password(args: argparse.Namespace, stdin: IO[str] | None = None) -> str:
    if args.password_stdin:
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        from pipeline.services.accounts import AccountError

        raise AccountError("no terminal to ask for the password: pipe it in with --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        from pipeline.services.accounts import AccountError

        raise AccountError("the two passwords differ; nothing changed")
    return first


@friendly
def cmd_users(args: argparse.Namespace) -> int:
    from pipeline.services import accounts

    _settings_, store, _tax = _open(args, taxonomy=False)
    action = args.users_action
    if action == "add":
        user = accounts.add_user(store, args.name, _read_password(args), args.role)
        print(f"added {user.role} {user.name}")
    elif action == "list":
        rows = accounts.list_users(store)
        if not rows:
            print("No users yet: mgi users add NAME --role admin")
        for r in rows:
            last = r["last_login_at"].isoformat(timespec="minutes") if r["last_login_at"] else "never"
            print(f"{r['name']:<20} {r['role']:<8} {'active' if r['active'] else 'disabled':<9} last login {last}")
    elif action == "passwd":
        accounts.set_password(store, args.name, _read_password(args))
        print(f"password of {args.name} changed; their sessions ended")
    elif action == "role":
        accounts.set_role(store, args.name, args.role)
        print(f"{args.name} is now {args.role}")
    elif action in ("disable", "enable"):
        accounts.set_active(store, args.name, action == "enable")
        print(f"{args.name} {action}d")
    return 0


# --------------------------------------------------------------------------- review (terminal)


@friendly
def cmd_review(args: argparse.Namespace) -> int:
    from pipeline.services import accounts, review

    settings, store, taxonomy = _open(args)
    review.sync_items(store, _thresholds(settings))
    name = args.user or analyst_name() or getpass.getuser()
    user = accounts.get_user(store, name)
    if not user.active:
        raise accounts.AccountError(f"the account {name!r} is disabled")
    f = _filters(args)
    if f.country:
        f = review.QueueFilter(**{**f.__dict__, "country": review.match_country(store, f.country)})
    if f.indicator:
        f = review.QueueFilter(**{**f.__dict__, "indicator": review.resolve_indicator(taxonomy, f.indicator).id})
    counts = terminal_review(
        store, user, taxonomy, f, sort=args.sort, lease_minutes=args.lease_minutes, limit=args.limit
    )
    print(
        "Session: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        if any(counts.values())
        else "Session: nothing decided"
    )
    return 0


# --------------------------------------------------------------------------- export, profile, agreement


@friendly
def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.services.export import export

    _settings_, store, taxonomy = _open(args)
    out = Path(args.out) if args.out else None
    n = export(
        store,
        args.format,
        out,
        status=None if args.status == "all" else args.status,
        country=args.country,
        taxonomy=taxonomy,
        language=args.language,
    )
    what = "training example(s)" if args.format == "training" else f"{args.status} item(s)"
    print(f"exported {n} {what}" + (f" to {out}" if out else ""), file=sys.stderr)
    return 0


@friendly
def cmd_profile(args: argparse.Namespace) -> int:
    from pipeline.services.profile import build_profile, render

    _settings_, store, taxonomy = _open(args)
    prof = build_profile(store, taxonomy, args.country, args.language)
    text = render(prof, args.format)
    for note in prof.notes:
        print(f"mgi profile: {note}", file=sys.stderr)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        cov = sum(s.coverage()["developed"] + s.coverage()["gap"] for s in prof.sections)
        total = sum(s.n_indicators for s in prof.sections)
        print(
            f"profile of {prof.country} written to {args.out} ({prof.confirmed} confirmed passages; {cov} of "
            f"{total} indicators with evidence; {prof.pending} candidates still pending)",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0


@friendly
def cmd_agreement(args: argparse.Namespace) -> int:
    from pipeline.services import review

    _settings_, store, _taxonomy = _open(args, taxonomy=False)
    report = review.agreement(store)
    if not report["pairs"]:
        print(
            "No item has been reviewed independently by two analysts yet "
            "(an administrator sets double review in the web app's queue)."
        )
    for p in report["pairs"]:
        kappa = "n/a" if p["kappa"] is None else f"{p['kappa']:.2f}"
        print(f"{p['a']} × {p['b']}: {p['items']} shared items, {p['percent']:.1f}% agreement, Cohen's kappa {kappa}")
    if report["conflicts"]:
        print(f"{len(report['conflicts'])} conflict(s) to resolve:")
        for c in report["conflicts"]:
            print(f"  #{c['id']} {c['indicator']} — " + "; ".join(f"{d['user']}: {d['label']}" for d in c["decisions"]))
    return 0


# --------------------------------------------------------------------------- parser


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    from pipeline.services.review import LEASE_MINUTES, SORTS

    p = sub.add_parser("serve", help="start the review web app on the queue's database")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--lease-minutes",
        type=float,
        default=LEASE_MINUTES,
        help=f"how long an opened item stays reserved for its analyst (default {LEASE_MINUTES})",
    )
    p.add_argument("--secure-cookies", action="store_true", help="mark cookies Secure (when served over HTTPS)")
    common(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("review", help="review the queue in the terminal (keys a/g/x/c/n/s/u/q)")
    p.add_argument("--user", help="your account (default: MGI_USER or your login name)")
    p.add_argument("--country")
    p.add_argument("--document", help="file name or SHA-256 prefix")
    p.add_argument("--domain")
    p.add_argument("--indicator", help="indicator id or part of its name")
    p.add_argument("--language")
    p.add_argument("--min-score", type=float)
    p.add_argument("--max-score", type=float)
    p.add_argument("--sort", choices=list(SORTS), default="uncertainty")
    p.add_argument("--limit", type=int, help="stop after this many items")
    p.add_argument("--lease-minutes", type=float, default=LEASE_MINUTES)
    common(p)
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("users", help="manage review accounts (add, list, passwd, role, disable, enable)")
    users = p.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    u = users.add_parser("add", help="add an account; the password is asked for, or read from --password-stdin")
    u.add_argument("name")
    u.add_argument("--role", choices=["analyst", "admin"], default="analyst")
    u.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    u = users.add_parser("list", help="list accounts")
    u = users.add_parser("passwd", help="set a new password")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true")
    u = users.add_parser("role", help="change an account's role")
    u.add_argument("name")
    u.add_argument("role", choices=["analyst", "admin"])
    for action in ("disable", "enable"):
        u = users.add_parser(action, help=f"{action} an account (accounts are never deleted)")
        u.add_argument("name")
    common(p)
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("export", help="export reviewed evidence (csv, xlsx, jsonl) or decisions as training data")
    p.add_argument("--format", choices=["csv", "xlsx", "jsonl", "training"], default="csv")
    p.add_argument(
        "--status",
        choices=["confirmed", "rejected", "pending", "conflict", "all"],
        default="confirmed",
        help="which items (default: confirmed evidence; ignored by --format training)",
    )
    p.add_argument("--country")
    p.add_argument("--language", default="en", help="language of the indicator names")
    p.add_argument("--out", help="file to write (default: standard output; required for xlsx)")
    common(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("profile", help="draft the migration governance profile of a country from confirmed evidence")
    p.add_argument("--country", required=True)
    p.add_argument("--format", choices=["html", "md"], default="html")
    p.add_argument("--language", default="en", help="en, fr, es (or pt) where the taxonomy has it")
    p.add_argument("--out", help="file to write (default: standard output)")
    common(p)
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("agreement", help="double-review agreement per analyst pair and conflicts to resolve")
    common(p)
    p.set_defaults(func=cmd_agreement)
