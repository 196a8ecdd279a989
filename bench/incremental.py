"""Incremental re-runs and the Dask runner, as ratios measured in one run on one machine.

(1) ``mgi run CORPUS`` into a fresh MGI_HOME, then again over the unchanged corpus: the second run's
    time as a share of the first, for the whole process (wall and CPU seconds) and for the flow
    alone (the run summary's seconds: hashing, the few queries that find every file stored, the
    summary and its artifacts). With ``--api URL`` (a running ``prefect server start``) the
    processes talk to it instead of starting Prefect's temporary server, as scheduled runs do.
(2) the same batch on a local Dask cluster (``--workers N``) into another fresh database, against
    the default runner: time ratio, and whether the candidates are identical.

Wall seconds on a shared machine are noisy; CPU seconds are printed beside them.

    python -m bench.incremental                      # corpora/sample, zero-shot use-multilingual
    python -m bench.incremental --corpus DIR --workers 2 --api http://127.0.0.1:4200/api
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RUN_WITH_WORKERS = """
import json, sys
from flows.process import process_documents
from pipeline.config import Settings
s = Settings.from_env()
summary = process_documents(paths=[sys.argv[1]], db_url=s.db_url, taxonomy_path=str(s.taxonomy_path),
                            model_path=None, embedder=s.embedder, workers=int(sys.argv[2]) or None)
print(json.dumps({"seconds": summary.seconds, "new": summary.new, "workers": summary.workers}))
"""


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=REPO).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def _candidates(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT passage_id, indicator_id, round(score, 4), model_version FROM candidates ORDER BY 1, 2"
        ).fetchall()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO / "corpora" / "sample"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--api", help="PREFECT_API_URL of a running Prefect server (default: the temporary one)")
    args = ap.parse_args(argv)
    mgi = str(Path(sys.executable).with_name("mgi"))
    with tempfile.TemporaryDirectory(prefix="mgi-bench-") as tmp:
        home = Path(tmp)
        env = dict(
            os.environ,
            MGI_HOME=str(home),
            MGI_MODEL="none",
            MGI_EMBEDDER="use-multilingual",
            PREFECT_HOME=str(home / "prefect"),
            PREFECT_LOGGING_LEVEL="WARNING",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
        )
        env.pop("MGI_DB_URL", None)
        (home / "prefect").mkdir()
        if args.api:
            env["PREFECT_API_URL"] = args.api
        else:
            env.pop("PREFECT_API_URL", None)
        runs = []
        for _ in range(2):
            wall, cpu, out = _timed([mgi, "run", args.corpus, "--json", "--quiet"], env)
            runs.append({"wall": wall, "cpu": cpu, "flow": json.loads(out)["seconds"], "new": json.loads(out)["new"]})
        first, second = runs
        print(f"corpus {args.corpus}: {first['new']} documents; Prefect API: {args.api or 'temporary server'}")
        print(f"  first run   wall {first['wall']:7.1f} s  cpu {first['cpu']:7.1f} s  flow {first['flow']:7.2f} s")
        print(f"  second run  wall {second['wall']:7.1f} s  cpu {second['cpu']:7.1f} s  flow {second['flow']:7.2f} s")
        print(
            f"  second/first: wall {second['wall'] / first['wall']:.3f}, cpu {second['cpu'] / first['cpu']:.3f}, "
            f"flow {second['flow'] / first['flow']:.3f}"
        )
        if args.workers:
            code = ["-c", RUN_WITH_WORKERS]
            base_env = dict(env, MGI_DB_URL=f"sqlite:///{home / 'default.db'}")
            dask_env = dict(env, MGI_DB_URL=f"sqlite:///{home / 'dask.db'}")
            w0, c0, out0 = _timed([sys.executable, *code, args.corpus, "0"], base_env)
            w1, c1, out1 = _timed([sys.executable, *code, args.corpus, str(args.workers)], dask_env)
            same = _candidates(home / "default.db") == _candidates(home / "dask.db")
            f0, f1 = json.loads(out0.strip().splitlines()[-1]), json.loads(out1.strip().splitlines()[-1])
            print(f"  default runner  wall {w0:7.1f} s  cpu {c0:7.1f} s  flow {f0['seconds']:7.2f} s")
            print(
                f"  dask ({args.workers} workers) wall {w1:7.1f} s  cpu {c1:7.1f} s  flow {f1['seconds']:7.2f} s  "
                f"{f1['workers']}"
            )
            print(f"  dask/default flow time {f1['seconds'] / f0['seconds']:.2f}; identical candidates: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
