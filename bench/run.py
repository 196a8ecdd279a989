"""The benchmark harness (``make bench``): the pipeline against its own bound, re-runs, memory.

In one run on one machine, for corpora of growing size (bench/corpus.py) and for each encoder
configuration (the shipped model, and zero-shot with the fast use-multilingual encoder):

(a) the end-to-end pipeline: ``mgi run CORPUS`` into a fresh MGI_HOME (process start, Prefect,
    model loading, ingest, language, passages, encoding, classification, storage: all of it);
(b) the bound: bare pdfplumber extraction of the same files (``page.extract_text()`` and
    ``page.flush_cache()``) plus bare encoding of the passages the pipeline stored, with the same
    encoder library and batch size, timed without imports and model loading;
    reported as (a)/(b), with passages per second and peak RSS of every process;
(c) a second ``mgi run`` over the unchanged corpus, as a ratio to the first, and how much of it is
    the fixed cost of starting a process (Python, imports, Prefect's ephemeral server);
(d) ``mgi classify-text`` on 10,000 JSONL lines, against bare encoding of the same lines.

Every measurement runs in its own process; peak RSS is that process's ru_maxrss (os.wait4).
Wall-clock seconds are noisy on a shared machine, so CPU seconds (user + system) are reported
beside them, and the load average around each measurement is kept in the raw results. Results go
to ``docs/benchmarks.md`` (plus the raw JSON under ``bench/.cache/results/``).

    python -m bench.run            # 100, 300 and 1,000 pages, both encoders, 10,000 lines
    python -m bench.run --quick    # 100 pages, 1,000 lines
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import CACHE, REPO, build_corpus, seed_texts
from bench.machine import cpu_model, memory_gb

DOCS_OUT = REPO / "docs" / "benchmarks.md"
FIXES = Path(__file__).resolve().parent / "fixes.md"
RESULTS = CACHE / "results"
PY = sys.executable
TIMEOUT = 4 * 3600  # no single measurement may hang make bench for ever

BOUND_LINES = 1000  # the bound for classify-text: bare encoding of the first 1,000 lines (a rate)
TARGET_RATIO = 1.25  # time(a) <= 1.25 x time(b), i.e. throughput >= 0.8 x the bound
TARGET_RERUN = 0.02
TARGET_RSS_SPREAD = 0.10
TARGET_RSS_MB = 1536


def _model_encoder(model: Path) -> str:
    return json.loads((model / "card.json").read_text(encoding="utf-8"))["embedder"]


def encoder_configs() -> dict[str, dict[str, Any]]:
    model = REPO / "models" / "default"
    return {
        "default": {
            "label": f"shipped model ({_model_encoder(model)})",
            "env": {"MGI_MODEL": str(model)},
            "encoder": _model_encoder(model),
        },
        "use-multilingual": {
            "label": "zero-shot, use-multilingual",
            "env": {"MGI_MODEL": "none", "MGI_EMBEDDER": "use-multilingual"},
            "encoder": "use-multilingual",
        },
    }


@dataclass
class Proc:
    """One measured process."""

    cmd: list[str]
    wall: float
    cpu: float  # user + system, all threads
    rss_mb: float  # peak resident set size
    code: int
    load_before: float
    load_after: float
    out: Any = None  # parsed JSON from stdout, when the process printed some
    tail: str = ""  # the end of stderr, for failures


def measure(cmd: list[str], env: dict[str, str], log_dir: Path, name: str) -> Proc:
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    load_before = os.getloadavg()[0]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=log_dir)  # not REPO: PYTHONPATH decides
        deadline = started + TIMEOUT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    text = out_path.read_text(encoding="utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text) if text else None
    except json.JSONDecodeError:
        parsed = None
    tail = err_path.read_text(encoding="utf-8", errors="replace")[-1500:]
    return Proc(
        cmd=[str(c) for c in cmd],
        wall=round(wall, 3),
        cpu=round(usage.ru_utime + usage.ru_stime, 3),
        rss_mb=round(usage.ru_maxrss / 1024, 1),
        code=proc.returncode,
        load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2),
        out=parsed,
        tail=tail,
    )


PYTHONPATH_FIRST: list[str] = []  # --pythonpath: measure another copy of the pipeline (before/after a fix)
PREFECT_HOME: list[Path] = []  # one Prefect home for every measured process, its database made once beforehand

PREPARE_PREFECT = (
    "from prefect.server.api.server import SubprocessASGIServer as S\ns = S(); s.start(); s.stop()\nprint('{}')\n"
)


def prepare_prefect_home(work: Path, log) -> Path:  # noqa: ANN001
    """Prefect's temporary server creates and migrates its database on the first start in a new
    PREFECT_HOME (~5 s more than later starts). A user pays that once, not on every run, so every
    measured process shares one Prefect home, prepared here before the first measurement."""
    home = work / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    PREFECT_HOME[:] = [home]
    log("preparing a Prefect home (its database is created once, as on a user's first run) ...")
    proc = measure([PY, "-c", PREPARE_PREFECT], base_env(work / "prefect-warmup", {}), work / "logs", "prefect-home")
    _check(proc, "preparing Prefect's home")
    return home


def base_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MGI_DB_URL", "MGI_MODEL", "MGI_EMBEDDER", "MGI_TAXONOMY", "PREFECT_HOME", "PREFECT_API_URL"}
    }
    env.update(
        {
            "MGI_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            **({"PREFECT_HOME": str(PREFECT_HOME[0])} if PREFECT_HOME else {}),
            "PYTHONPATH": os.pathsep.join(
                [*PYTHONPATH_FIRST, str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
            ),
        }
    )
    env.update(extra)
    return env


def _check(proc: Proc, what: str) -> None:
    if proc.code != 0 or proc.out is None:
        raise RuntimeError(f"{what} failed (exit {proc.code}): {' '.join(proc.cmd)}\n{proc.tail}")


@dataclass
class Row:
    pages: int
    documents: int
    config: str
    label: str
    encoder: str
    batch: int
    passages: int = 0
    first: Proc | None = None
    flow_seconds: float = 0.0
    extract: Proc | None = None
    encode: Proc | None = None
    rerun: Proc | None = None
    rerun_flow_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def bound_wall(self) -> float:
        return self.extract.out["seconds"] + self.encode.out["seconds"]

    @property
    def bound_cpu(self) -> float:
        return self.extract.out["cpu_seconds"] + self.encode.out["cpu_seconds"]


def run_size(pages: int, configs: dict[str, dict[str, Any]], work: Path, log) -> list[Row]:  # noqa: ANN001
    from pipeline.stages.embed import DEFAULT_BATCH

    corpus = build_corpus(pages, log=log)
    rows = []
    for key, cfg in configs.items():
        row = Row(pages, corpus.documents, key, cfg["label"], cfg["encoder"], DEFAULT_BATCH)
        home = work / f"{pages}p-{key}"
        shutil.rmtree(home, ignore_errors=True)
        env = base_env(home, cfg["env"])
        logs = work / "logs"
        run_cmd = [PY, "-m", "apps.cli", "run", str(corpus.folder), "--json", "--quiet"]
        log(f"[{pages} pages, {key}] (a) mgi run into a fresh MGI_HOME ...")
        row.first = measure(run_cmd, env, logs, f"{pages}p-{key}-run1")
        _check(row.first, "the pipeline run")
        summary = row.first.out
        if summary.get("failed"):
            raise RuntimeError(f"{summary['failed']} document(s) failed in the benchmark corpus: see {home}")
        row.passages, row.flow_seconds = summary["passages"], summary["seconds"]
        log(f"    {row.first.wall:.1f} s, {row.passages} passages, peak {row.first.rss_mb:.0f} MB")
        log(f"[{pages} pages, {key}] (b) bare extraction and bare encoding ...")
        row.extract = measure([PY, "-m", "bench.bound", "extract", str(corpus.folder)], env, logs, f"{pages}p-{key}-x")
        _check(row.extract, "bare extraction")
        db = home / "mgi.db"
        enc_cmd = [PY, "-m", "bench.bound", "encode", str(db), cfg["encoder"], str(DEFAULT_BATCH)]
        row.encode = measure(enc_cmd, env, logs, f"{pages}p-{key}-enc")
        _check(row.encode, "bare encoding")
        if row.encode.out["texts"] != row.passages:
            raise RuntimeError(f"the bound encoded {row.encode.out['texts']} passages, the run stored {row.passages}")
        log(f"    extraction {row.extract.out['seconds']:.1f} s + encoding {row.encode.out['seconds']:.1f} s")
        log(f"[{pages} pages, {key}] (c) mgi run again over the unchanged corpus ...")
        row.rerun = measure(run_cmd, env, logs, f"{pages}p-{key}-run2")
        _check(row.rerun, "the re-run")
        if row.rerun.out.get("new"):
            raise RuntimeError(f"the re-run processed {row.rerun.out['new']} document(s) again")
        row.rerun_flow_seconds = row.rerun.out["seconds"]
        log(f"    {row.rerun.wall:.1f} s ({row.rerun.wall / row.first.wall:.1%} of the first run)")
        rows.append(row)
    return rows


def lines_file(n: int) -> Path:
    """``n`` JSONL lines {id, text} cycled from the seed texts of every language."""
    path = CACHE / f"lines-{n}.jsonl"
    if path.is_file():
        return path
    texts = [t for lang in ("en", "fr", "es") for t in seed_texts(lang)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"line-{i:05d}", "text": texts[(i * 7919) % len(texts)]}, ensure_ascii=False))
            fh.write("\n")
    os.replace(tmp, path)
    return path


def run_classify_text(n: int, configs: dict[str, dict[str, Any]], work: Path, log) -> list[dict[str, Any]]:  # noqa: ANN001
    from pipeline.stages.embed import DEFAULT_BATCH

    src = lines_file(n)
    out = []
    for key, cfg in configs.items():
        home = work / f"classify-{key}"
        shutil.rmtree(home, ignore_errors=True)
        env = base_env(home, cfg["env"])
        dest = work / f"classify-{key}.jsonl"
        log(f"[classify-text, {key}] {n} lines ...")
        cmd = [PY, "-m", "apps.cli", "classify-text", "--input", str(src), "--output", str(dest)]
        proc = measure(cmd, env, work / "logs", f"classify-{key}")
        if proc.code != 0:
            raise RuntimeError(f"classify-text failed (exit {proc.code}):\n{proc.tail}")
        with open(dest, encoding="utf-8") as fh:
            written = sum(1 for line in fh if line.strip())
        if written != n:
            raise RuntimeError(f"classify-text wrote {written} lines for {n}")
        sample = min(n, BOUND_LINES)
        bound = measure(
            [PY, "-m", "bench.bound", "encode-lines", str(src), cfg["encoder"], str(DEFAULT_BATCH), str(sample)],
            env,
            work / "logs",
            f"classify-{key}-enc",
        )
        _check(bound, "bare encoding of the lines")
        rate = bound.out["texts"] / bound.out["seconds"]
        log(f"    {proc.wall:.1f} s ({n / proc.wall:.1f} lines/s); bare encoding {rate:.1f} lines/s")
        out.append({"config": key, "label": cfg["label"], "lines": n, "run": asdict(proc), "bound": asdict(bound)})
    return out


# --------------------------------------------------------------------------- report


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(results: dict[str, Any]) -> str:
    rows, ct = results["rows"], results["classify_text"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand — the section "
        "*Profiling and fixes* comes from `bench/fixes.md`.",
        "",
        f"- **Measured** {results['date']} on **{results['cpus']} CPUs** ({results['cpu']}), "
        f"{results['memory_gb']} GB RAM, Python {results['python']}, {results['platform']}.",
        f"- **{results['shared_note']}** Load average over the run: {results['load'][0]:.1f} at the start, "
        f"{results['load'][1]:.1f} at the end (on {results['cpus']} CPUs, the measured processes included; see "
        "each measurement's load in `bench/.cache/results/`). Wall-clock seconds vary from run to run: the "
        "ratios, measured in one run, are what to read; CPU seconds (user + system, all threads) are shown "
        "beside wall seconds.",
        f"- The harness took **{results['minutes']:.0f} minutes** (`{results['command']}`). "
        "`python -m bench.run --quick` measures 100 pages and 1,000 lines only.",
        "- Corpora: generated by `bench/corpus.py` from the seed annotations (English, French, Spanish laws, "
        "decrees and plans; running headers, page-number footers, articles, numbered clauses, lettered items, "
        "hyphenated line ends; one document in five with an embedded TrueType font), cached in `bench/.cache/`.",
        "",
        "## (a) end-to-end against (b) the bound",
        "",
        "(a) is `mgi run CORPUS` in a fresh `MGI_HOME`, timed from outside: process start, imports, Prefect's "
        "ephemeral server, model loading, ingest, language, passages, encoding, classification and storage. "
        "Every process shares one Prefect home whose database was created before the first measurement (a "
        "user's very first run also pays ~5 s for that, once). "
        "*flow* is the part inside the flow (the run summary's own seconds). (b) is bare pdfplumber extraction "
        "of the same files plus bare encoding of the passages the run stored, with the same encoder library and "
        "batch size, without imports and model loading. Target: (a)/(b) ≤ 1.25 (throughput ≥ 0.8 × the bound).",
        "",
        "| pages | docs | configuration | passages | (a) wall s | (a) CPU s | flow s | (b) extract s | (b) encode s "
        "| (b) wall s | **(a)/(b) wall** | flow/(b) | (a)/(b) CPU | passages/s | peak RSS (a) MB "
        "| peak RSS (b) MB |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, x, e = r["first"], r["extract"], r["encode"]
        bw = x["out"]["seconds"] + e["out"]["seconds"]
        bc = x["out"]["cpu_seconds"] + e["out"]["cpu_seconds"]
        lines.append(
            f"| {r['pages']} | {r['documents']} | {r['label']} | {r['passages']} | {a['wall']:.1f} | {a['cpu']:.1f} "
            f"| {r['flow_seconds']:.1f} | {x['out']['seconds']:.1f} | {e['out']['seconds']:.1f} | {bw:.1f} "
            f"| **{a['wall'] / bw:.2f}** | {r['flow_seconds'] / bw:.2f} | {a['cpu'] / bc:.2f} "
            f"| {r['passages'] / a['wall']:.1f} | {a['rss_mb']:.0f} | {max(x['rss_mb'], e['rss_mb']):.0f} |"
        )
    lines += [
        "",
        "## (c) unchanged re-run",
        "",
        "The same `mgi run` again over the unchanged corpus (same `MGI_HOME`, so every document is skipped by its "
        "SHA-256). *flow* is the run's own seconds (finding every file stored and recording the run); *fixed* is "
        "the rest: starting Python and importing. A run with nothing to do neither imports Prefect nor loads a "
        "model, so the fixed part stays about a second whatever the corpus size. "
        "Target: re-run ≤ 2 % of the first run.",
        "",
        "| pages | configuration | first run s | re-run s | **re-run / first** | re-run flow s | fixed s "
        "| re-run without fixed / first | peak RSS re-run MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, c = r["first"], r["rerun"]
        fixed = c["wall"] - r["rerun_flow_seconds"]
        lines.append(
            f"| {r['pages']} | {r['label']} | {a['wall']:.1f} | {c['wall']:.1f} | **{c['wall'] / a['wall']:.1%}** "
            f"| {r['rerun_flow_seconds']:.2f} | {fixed:.1f} | {r['rerun_flow_seconds'] / a['wall']:.2%} "
            f"| {c['rss_mb']:.0f} |"
        )
    lines += [
        "",
        "## (d) `mgi classify-text`",
        "",
        "JSONL lines `{id, text}` cycled from the seed annotations (en, fr, es; 305 characters on average), "
        "classified with `mgi classify-text --input ... --output ...`, timed from outside (process start and "
        "model loading included). The bound is the rate of bare encoding (same library, same batch size, no "
        f"model loading) on the first {BOUND_LINES:,} of the same lines.",
        "",
        "| lines | configuration | wall s | CPU s | **lines/s** | bare encoding lines/s | bound / lines/s "
        "| peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for d in ct:
        run, b = d["run"], d["bound"]
        rate, bare = d["lines"] / run["wall"], b["out"]["texts"] / b["out"]["seconds"]
        lines.append(
            f"| {d['lines']} | {d['label']} | {run['wall']:.1f} | {run['cpu']:.1f} | **{rate:.1f}** | {bare:.1f} "
            f"| {bare / rate:.2f} | {run['rss_mb']:.0f} |"
        )
    lines += ["", "## Peak memory", ""]
    lines += [
        "Peak RSS of the `mgi run` process (a) by corpus size. Target: flat within 10 % from the smallest to the "
        "largest corpus, and under 1.5 GB.",
        "",
    ]
    sizes = sorted({r["pages"] for r in rows})
    lines += [
        "| configuration | " + " | ".join(f"{s} pages MB" for s in sizes) + " | spread | under 1.5 GB |",
        "|---|" + "---:|" * len(sizes) + "---:|---|",
    ]
    for key in dict.fromkeys(r["config"] for r in rows):
        mine = {r["pages"]: r for r in rows if r["config"] == key}
        rss = [mine[s]["first"]["rss_mb"] for s in sizes if s in mine]
        spread = (max(rss) - min(rss)) / min(rss)
        label = next(iter(mine.values()))["label"]
        lines.append(
            f"| {label} | "
            + " | ".join(f"{mine[s]['first']['rss_mb']:.0f}" if s in mine else "-" for s in sizes)
            + f" | {spread:.1%} | {'yes' if max(rss) < TARGET_RSS_MB else '**no**'} |"
        )
    lines += ["", "## Targets", ""]
    lines += _targets(rows)
    if FIXES.is_file():
        lines += ["", FIXES.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def _targets(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    largest = max(r["pages"] for r in rows)
    for r in rows:
        bw = r["extract"]["out"]["seconds"] + r["encode"]["out"]["seconds"]
        ratio = r["first"]["wall"] / bw
        rerun = r["rerun"]["wall"] / r["first"]["wall"]
        out.append(
            f"- {r['pages']} pages, {r['label']}: throughput {1 / ratio:.2f} × the bound "
            f"({_mark(ratio <= TARGET_RATIO)}; inside the flow {bw / r['flow_seconds']:.2f} ×); "
            f"re-run {rerun:.1%} of the first run ({_mark(rerun <= TARGET_RERUN)})."
        )
    for key in dict.fromkeys(r["config"] for r in rows):
        rss = [r["first"]["rss_mb"] for r in rows if r["config"] == key]
        label = next(r["label"] for r in rows if r["config"] == key)
        spread = (max(rss) - min(rss)) / min(rss)
        out.append(
            f"- Peak RSS, {label}: {min(rss):.0f}–{max(rss):.0f} MB up to {largest} pages, spread {spread:.1%} "
            f"({_mark(spread <= TARGET_RSS_SPREAD)}), under 1.5 GB ({_mark(max(rss) < TARGET_RSS_MB)})."
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 pages and 1,000 lines only (a few minutes)")
    parser.add_argument("--sizes", help="comma-separated page counts (default 100,300,1000)")
    parser.add_argument("--configs", help="comma-separated: default,use-multilingual (default both)")
    parser.add_argument(
        "--lines", type=int, help="lines for classify-text (default 10,000; 1,000 with --quick; 0 to skip it)"
    )
    parser.add_argument("--out", default=str(DOCS_OUT), help="Markdown report to write (default docs/benchmarks.md)")
    parser.add_argument(
        "--shared",
        default="measured on a shared machine: other engineers' tests ran at the same time",
        help="the note on the machine's load printed in the report ('' for a quiet machine)",
    )
    parser.add_argument(
        "--pythonpath", help="a folder holding another copy of the pipeline package to measure (before/after)"
    )
    parser.add_argument("--work", default=str(CACHE / "runs"), help="scratch folder for MGI_HOMEs and logs")
    parser.add_argument(
        "--render",
        metavar="RESULTS_JSON",
        help="measure nothing: write the report again from a run's raw results (e.g. after editing bench/fixes.md)",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(Path(args.render).read_text(encoding="utf-8"))
        Path(args.out).write_text(render(results), encoding="utf-8")
        print(f"wrote {args.out} from {args.render}")
        return 0
    if args.pythonpath:
        PYTHONPATH_FIRST.append(str(Path(args.pythonpath).resolve()))
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([100] if args.quick else [100, 300, 1000])
    n_lines = args.lines if args.lines is not None else (1000 if args.quick else 10_000)
    configs = encoder_configs()
    if args.configs:
        unknown = set(args.configs.split(",")) - set(configs)
        if unknown:
            parser.error(f"unknown configuration(s) {sorted(unknown)}: use {', '.join(configs)}")
        configs = {k: v for k, v in configs.items() if k in args.configs.split(",")}
    work = Path(args.work)
    started, load0 = time.perf_counter(), os.getloadavg()[0]

    def log(msg: str) -> None:
        print(f"{time.perf_counter() - started:7.0f}s  {msg}", flush=True)

    rows: list[Row] = []
    try:
        prepare_prefect_home(work, log)
        for size in sizes:
            rows += run_size(size, configs, work, log)
        classify = run_classify_text(n_lines, configs, work, log) if n_lines else []
    except RuntimeError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gb": memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "shared_note": (args.shared[0].upper() + args.shared[1:] + ".") if args.shared else "Quiet machine.",
        "load": [load0, os.getloadavg()[0]],
        "minutes": (time.perf_counter() - started) / 60,
        "command": shlex.join(["python", "-m", "bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "pythonpath": PYTHONPATH_FIRST,
        "rows": [asdict(r) for r in rows],
        "classify_text": classify,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(results), encoding="utf-8")
    log(f"wrote {out} (raw results: {RESULTS / (stamp + '.json')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
