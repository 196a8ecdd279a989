"""The terminal review loop of ``mgi review``: one item at a time, keys a/g/x/c/n/s/u/q, the same
review service as the web app.

May import: ``pipeline`` (core and services).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import IO, Any


def _filters(args: argparse.Namespace):  # noqa: ANN202
    from pipeline.services.review import QueueFilter

    return QueueFilter(
        country=args.country,
        document=args.document,
        domain=args.domain,
        indicator=args.indicator,
        language=args.language,
        status="pending",
        min_score=args.min_score,
        max_score=args.max_score,
    )


HELP = (
    "a accept · g accept as gap evidence · x reject · c change indicator · n note · s skip · u undo · q quit · ? help"
)


def terminal_review(
    store: Any,
    user: Any,
    taxonomy: Any,
    f: Any,
    *,
    sort: str = "uncertainty",
    lease_minutes: float = 10,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    width: int | None = None,
    limit: int | None = None,
) -> dict[str, int]:
    """The review loop of ``mgi review``: one item at a time, one line of input per action.

    Reads keys from ``stdin`` (a terminal or a pipe) and returns counts of what was done."""
    from pipeline.services import review

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    width = width or min(110, shutil.get_terminal_size((100, 20)).columns)
    tty = stdout.isatty()
    counts = {"confirmed": 0, "rejected": 0, "relabelled": 0, "skipped": 0, "undone": 0, "refused": 0}
    skipped: list[int] = []
    note = ""
    seen = 0

    def out(text: str = "") -> None:
        stdout.write(text + "\n")
        stdout.flush()

    def ask(prompt: str) -> str | None:
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        if not line:
            return None
        if not tty and not getattr(stdin, "isatty", lambda: False)():
            stdout.write(line if line.endswith("\n") else line + "\n")  # echo piped input for a readable log
        return line.strip()

    current: int | None = None
    after: int | None = None
    while True:
        if current is None:
            current = review.neighbour(store, user, f, sort=sort, after=after, skip=skipped)
            if current is None:
                out("Nothing left to review with these filters.")
                break
            try:
                review.acquire_lease(store, user, current, lease_minutes)
            except review.LeaseHeld:
                skipped.append(current)
                current = None
                continue
            note = ""
            seen += 1
            if limit is not None and seen > limit:
                review.release_lease(store, user, current)
                break
            item = review.item_detail(store, user, current)
            _show(item, taxonomy, out, width, tty, review.queue(store, f, limit=1).counts)
        key = ask("> ")
        if key is None or key.lower() in ("q", "quit"):
            review.release_lease(store, user, current)
            break
        k = key[:1].lower()
        try:
            if k in ("a", "g"):
                o = review.decide(
                    store,
                    user,
                    current,
                    version=item["state"]["version"],
                    status="confirmed",
                    polarity="gap" if k == "g" else "developed",
                    note=note,
                    taxonomy=taxonomy,
                )
                out(f"  confirmed as {o.final_indicator} ({o.polarity})")
                counts["confirmed"] += 1
            elif k == "x":
                review.decide(
                    store,
                    user,
                    current,
                    version=item["state"]["version"],
                    status="rejected",
                    note=note,
                    taxonomy=taxonomy,
                )
                out("  rejected")
                counts["rejected"] += 1
            elif k == "c":
                query = key[1:].strip() or ask("  indicator (id or part of a name): ")
                if not query:
                    out("  no indicator given; nothing changed")
                    continue
                ind = review.resolve_indicator(taxonomy, query)
                pol = ask(f"  {ind.id} {ind.label()} — polarity [d]eveloped / [g]ap (Enter = developed): ") or "d"
                review.decide(
                    store,
                    user,
                    current,
                    version=item["state"]["version"],
                    status="confirmed",
                    indicator=ind.id,
                    polarity="gap" if pol[:1].lower() == "g" else "developed",
                    note=note,
                    taxonomy=taxonomy,
                )
                out(f"  changed to {ind.id} and confirmed")
                counts["relabelled"] += 1
            elif k == "n":
                note = key[1:].strip() or (ask("  note: ") or "")
                out(f"  note kept for this item's decision: {note!r}")
                continue
            elif k == "s":
                skipped.append(current)
                review.release_lease(store, user, current)
                counts["skipped"] += 1
            elif k == "u":
                o = review.undo(store, user)
                out(f"  undone: #{o.candidate_id} is {o.status} again")
                counts["undone"] += 1
                review.release_lease(store, user, current)
                skipped = [s for s in skipped if s != o.candidate_id]
                current, after = o.candidate_id, None
                review.acquire_lease(store, user, current, lease_minutes)
                item = review.item_detail(store, user, current)
                _show(item, taxonomy, out, width, tty, review.queue(store, f, limit=1).counts)
                continue
            elif k == "?":
                out(HELP)
                continue
            else:
                out(f"  unknown key {key!r}: {HELP}")
                continue
        except review.ReviewError as err:
            out(f"  {err}")
            if isinstance(err, review.StaleDecision | review.LeaseHeld):
                counts["refused"] += 1
                skipped.append(current)
            else:
                continue
        after, current = current, None
    return counts


def _show(
    item: dict[str, Any], taxonomy: Any, out: Callable[[str], None], width: int, tty: bool, counts: dict[str, int]
) -> None:
    bold, dim, rev, reset = ("\033[1m", "\033[2m", "\033[7m", "\033[0m") if tty else ("", "", "", "")
    try:
        ind = taxonomy.indicator(item["indicator"])
        name, desc = ind.label(), ind.describe()
    except KeyError:
        name, desc = "(not in the taxonomy in use)", ""
    done = counts.get("confirmed", 0) + counts.get("rejected", 0)
    total = sum(counts.values())
    doc, p = item["document"], item["passage"]
    out("")
    out("─" * width)
    out(f"{bold}#{item['id']}{reset}  {done}/{total} reviewed · {counts.get('pending', 0)} pending")
    out(
        f"{doc['title']} — p. {p['page']}{'' if p['page_end'] == p['page'] else '–' + str(p['page_end'])} "
        f"[{p['language']}]"
    )
    seg = item["context"][0]
    before = " ".join(seg["before"].split())[-200:]
    after = " ".join(item["context"][-1]["after"].split())[:200]
    marked = " ".join(" ".join(s["mark"].split()) for s in item["context"])
    if tty:
        body = f"{dim}…{before} {reset}{rev}{marked}{reset}{dim} {after}…{reset}"
        out(body)
    else:
        text = f"…{before} >>>{marked}<<< {after}…"
        out(textwrap.fill(text, width=width))
    out(
        f"Suggested: {bold}{item['indicator']} {name}{reset} — score {item['score']:.2f} "
        f"(threshold {item['threshold']:.2f}, {item['model_version']})"
    )
    if desc:
        out(textwrap.fill(desc, width=width, initial_indent="  ", subsequent_indent="  "))
    others = [s for s in item["siblings"] if s["id"] != item["id"]]
    if others:
        out("Also suggested: " + ", ".join(f"{s['indicator']} ({s['score']:.2f}, {s['status']})" for s in others))
    st = item["state"]
    if st["status"] != "pending" or st["required_reviews"] > 1:
        out(
            f"State: {st['status']}"
            + (f" {st['final_indicator']}" if st["final_indicator"] else "")
            + (f" · reviews {st['reviews_done']}/{st['required_reviews']}" if st["required_reviews"] > 1 else "")
        )
    out(f"{dim}{HELP}{reset}")
