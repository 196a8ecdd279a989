"""The measurements behind three design decisions the code cites (``python -m bench.micro``).

(0) gc-freeze: reading the 300-page corpus (``pipeline.stages.ingest.read_document``) in a bare process,
    in one that first loaded what a run loads (classifier, spaCy pipelines, Prefect), and in one
    that loaded it and then called ``pipeline.stages.heap.freeze_loaded``.
(1) language: the pipeline's language detector (``pipeline.stages.language._probabilities``) against
    langdetect's own ``Detector.get_probabilities()`` on the same texts in one process: time per
    text, and whether every answer is identical.
(2) spacy-import: what importing spaCy costs in a fresh process, plainly (thinc probes for torch,
    which sentence-transformers installs) and the pipeline's way (``segment._import_spacy``, which
    refuses that probe): CPU seconds, peak RSS and whether torch got loaded.
(3) encoder-threads: bare encoding of the same lines with 1 and 2 encoder threads
    (``MGI_ENCODER_THREADS``), on a quiet machine and with one CPU kept busy by another process, and
    the whole ``mgi run`` of the 100-page corpus with each setting (the run reads the next document
    on a worker thread while this one is encoded).
(4) use-threads: ``mgi run`` of the 300-page corpus, zero-shot with use-multilingual, with 1 and 2
    encoder threads (its numpy backend's BLAS threads).

Every number comes from this run on this machine; the Markdown it prints is what
``bench/fixes.md`` quotes, and the raw JSON goes to ``bench/.cache/results/micro-*.json``.

    python -m bench.micro                  # all three (~10 minutes on 2 CPUs)
    python -m bench.micro language spacy-import
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import CACHE, build_corpus, seed_texts
from bench.run import PY, RESULTS, base_env, lines_file, measure

ALL = ("gc-freeze", "language", "spacy-import", "encoder-threads", "use-threads")
WORK = CACHE / "micro"


GC_READ = """
import gc, json, sys, time
from pathlib import Path
from pipeline.stages.ingest import Limits, read_document
from pipeline.records import DocumentMeta
folder, mode = Path(sys.argv[1]), sys.argv[2]
if mode != "bare":
    import prefect
    from pipeline.config import Settings
    from pipeline.learning.factory import build_classifier
    from pipeline.stages.segment import sentence_pipeline
    build_classifier(Settings.from_env().taxonomy_path, None, "use-multilingual")
    for lang in ("en", "fr", "es"):
        sentence_pipeline(lang)
    if mode == "frozen":
        from pipeline.stages.heap import freeze_loaded
        freeze_loaded()
    else:
        gc.unfreeze()  # sentence_pipeline froze what it loaded: undo it, as before the fix
tracked = len(gc.get_objects())
started = time.perf_counter()
for path in sorted(folder.glob("*.pdf")):
    read_document(path, DocumentMeta(), None, Limits())
print(json.dumps({"seconds": time.perf_counter() - started, "tracked": tracked}))
"""


def gc_freeze(pages: int = 300) -> dict[str, Any]:
    corpus = build_corpus(pages)
    env = base_env(WORK / "home", {})
    out: dict[str, Any] = {"pages": pages}
    for mode in ("bare", "loaded", "frozen"):
        proc = measure([PY, "-c", GC_READ, str(corpus.folder), mode], env, WORK / "logs", f"gc-{mode}")
        if proc.code != 0 or not proc.out:
            raise RuntimeError(f"reading failed:\n{proc.tail}")
        out[mode] = {"seconds": round(proc.out["seconds"], 1), "tracked": proc.out["tracked"]}
    return out


def language(n_per_language: int = 300) -> dict[str, Any]:
    from pipeline.stages.language import _factory, _probabilities

    texts = [t for lang in ("en", "fr", "es") for t in seed_texts(lang)[:n_per_language]]
    factory = _factory()

    def original(text: str) -> list[tuple[str, float]]:
        detector = factory.create()
        detector.append(text)
        return [(p.lang, p.prob) for p in detector.get_probabilities()]

    def ours(text: str) -> list[tuple[str, float]]:
        return [(p.lang, p.prob) for p in _probabilities(text)]

    ours(texts[0]), original(texts[0])  # first-call costs (profiles, tables) are not per-text costs
    results: dict[str, Any] = {"texts": len(texts)}
    answers = {}
    for name, fn in (("langdetect", original), ("pipeline", ours)):
        started = time.process_time()
        answers[name] = [fn(t) for t in texts]
        results[f"{name}_ms_per_text"] = round(1000 * (time.process_time() - started) / len(texts), 3)
    results["identical"] = answers["langdetect"] == answers["pipeline"]
    results["speedup"] = round(results["langdetect_ms_per_text"] / results["pipeline_ms_per_text"], 2)
    return results


SPACY_PLAIN = "import sys, spacy; print('{\"torch\": %s}' % str('torch' in sys.modules).lower())"
SPACY_OURS = (
    "import sys; from pipeline.stages.segment import _import_spacy; _import_spacy(); "
    "print('{\"torch\": %s}' % str('torch' in sys.modules).lower())"
)


def spacy_import() -> dict[str, Any]:
    env = base_env(WORK / "home", {})
    out = {}
    for name, code in (("plain", SPACY_PLAIN), ("pipeline", SPACY_OURS)):
        runs = [measure([PY, "-c", code], env, WORK / "logs", f"spacy-{name}-{i}") for i in range(3)]
        best = min(runs, key=lambda p: p.cpu)  # the least disturbed of three
        out[name] = {"cpu": best.cpu, "rss_mb": best.rss_mb, "torch": (best.out or {}).get("torch")}
    return out


BURN = "import time\nend = time.time() + 3600\nwhile time.time() < end: pass\n"


def encoder_threads(lines: int = 500, pages: int = 100) -> dict[str, Any]:
    src = lines_file(1000)
    corpus = build_corpus(pages)
    out: dict[str, Any] = {"lines": lines, "pages": pages, "bare": {}, "run": {}}
    for busy in (False, True):
        burner = subprocess.Popen([PY, "-c", BURN]) if busy else None  # noqa: S603 - our own interpreter
        try:
            for threads in (1, 2):
                env = base_env(WORK / "home", {"MGI_ENCODER_THREADS": str(threads)})
                cmd = [PY, "-m", "bench.bound", "encode-lines", str(src), "e5-small", "64", str(lines)]
                proc = measure(cmd, env, WORK / "logs", f"threads-{threads}-{'busy' if busy else 'quiet'}")
                if proc.code != 0 or not proc.out:
                    raise RuntimeError(f"bare encoding failed:\n{proc.tail}")
                key = f"{threads} thread{'s' if threads > 1 else ''}, {'one CPU busy' if busy else 'quiet'}"
                out["bare"][key] = {"seconds": round(proc.out["seconds"], 2), "cpu": round(proc.out["cpu_seconds"], 2)}
        finally:
            if burner is not None:
                burner.kill()
                burner.wait()
    model = Path(__file__).resolve().parent.parent / "models" / "default"
    out["run"] = _runs_by_threads(corpus.folder, "run", {"MGI_MODEL": str(model)})
    return out


def _runs_by_threads(folder: Path, name: str, env_extra: dict[str, str]) -> dict[str, Any]:
    """``mgi run FOLDER`` into a fresh MGI_HOME with 1, then 2 encoder threads."""
    out = {}
    for threads in (1, 2):
        home = WORK / f"{name}-{threads}"
        shutil.rmtree(home, ignore_errors=True)
        env = base_env(home, {**env_extra, "MGI_ENCODER_THREADS": str(threads)})
        cmd = [PY, "-m", "apps.cli", "run", str(folder), "--json", "--quiet"]
        proc = measure(cmd, env, WORK / "logs", f"{name}-threads-{threads}")
        if proc.code != 0 or not proc.out:
            raise RuntimeError(f"mgi run failed:\n{proc.tail}")
        out[f"{threads} thread{'s' if threads > 1 else ''}"] = {
            "wall": proc.wall,
            "cpu": proc.cpu,
            "flow": proc.out["seconds"],
        }
    return out


def use_threads(pages: int = 300) -> dict[str, Any]:
    corpus = build_corpus(pages)
    env = {"MGI_MODEL": "none", "MGI_EMBEDDER": "use-multilingual"}
    return {"pages": pages, "run": _runs_by_threads(corpus.folder, "use-run", env)}


def _runs_text(runs: dict[str, Any]) -> str:
    return "; ".join(
        f"{k}: {v['wall']:.1f} s wall, {v['cpu']:.1f} s CPU (flow {v['flow']:.1f} s)" for k, v in runs.items()
    )


def markdown(results: dict[str, Any]) -> str:
    lines = [f"Measured {results['date']} on {results['cpus']} CPUs with `{results['command']}`.", ""]
    if "gc-freeze" in results:
        r = results["gc-freeze"]
        lines += [
            f"- **gc-freeze**, reading the {r['pages']}-page corpus: bare process {r['bare']['seconds']} s "
            f"({r['bare']['tracked']:,} objects tracked by the GC); after loading what a run loads "
            f"{r['loaded']['seconds']} s ({r['loaded']['tracked']:,}); loaded, then frozen "
            f"{r['frozen']['seconds']} s ({r['frozen']['tracked']:,})."
        ]
    if "language" in results:
        r = results["language"]
        lines += [
            f"- **language**: {r['texts']} seed texts (en, fr, es): langdetect {r['langdetect_ms_per_text']} ms "
            f"per text, the pipeline's detector {r['pipeline_ms_per_text']} ms (CPU), **{r['speedup']}×** faster; "
            f"answers identical: {'yes' if r['identical'] else '**no**'}."
        ]
    if "spacy-import" in results:
        r = results["spacy-import"]
        p, o = r["plain"], r["pipeline"]
        lines += [
            f"- **spacy-import** (a fresh process, best of three): plain `import spacy` {p['cpu']:.2f} s CPU, "
            f"{p['rss_mb']:.0f} MB peak, torch loaded: {p['torch']}; the pipeline's import {o['cpu']:.2f} s CPU, "
            f"{o['rss_mb']:.0f} MB, torch loaded: {o['torch']}."
        ]
    if "encoder-threads" in results:
        r = results["encoder-threads"]
        bare = "; ".join(f"{k}: {v['seconds']:.1f} s" for k, v in r["bare"].items())
        run = _runs_text(r["run"])
        lines += [
            f"- **encoder-threads**, bare e5-small encoding of {r['lines']} lines — {bare}.",
            f"- **encoder-threads**, `mgi run` of the {r['pages']}-page corpus with the shipped model — {run}.",
        ]
    if "use-threads" in results:
        r = results["use-threads"]
        lines += [
            f"- **use-threads**, `mgi run` of the {r['pages']}-page corpus, zero-shot use-multilingual — "
            f"{_runs_text(r['run'])}."
        ]
    return "\n".join(lines) + "\n"


MEASUREMENTS = {
    "gc-freeze": gc_freeze,
    "language": language,
    "spacy-import": spacy_import,
    "encoder-threads": encoder_threads,
    "use-threads": use_threads,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wanted = argv or list(ALL)
    unknown = [w for w in wanted if w not in ALL]
    if unknown:
        print(f"bench.micro: unknown measurement(s) {unknown}; choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONHASHSEED", "0")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "command": "python -m bench.micro " + " ".join(argv),
    }
    for name in wanted:
        print(f"bench.micro: {name} ...", file=sys.stderr, flush=True)
        results[name] = MEASUREMENTS[name]()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"micro-{stamp}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
