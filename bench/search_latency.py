"""Semantic search at scale: index build time and query latency with N stored passages.

Generates a synthetic corpus straight into a fresh SQLite database (documents, passages,
embeddings and some candidates; no PDF processing): N unit vectors per dimension, clustered
around topics the way sentence embeddings are (a query's neighbours are close, the rest far),
spread over languages and countries so filters have something to select. Then measures, in one
run and on one machine:

* index build from the stored embeddings (``SemanticSearch.sync()`` on a new database: read the
  vectors, build the HNSW graph, write the file and the bookkeeping), and the pure graph build;
* reopening the index in a new process-like object, and adding 1,000 new passages incrementally;
* query latency p50/p95: the graph lookup alone, the whole ``search()`` (lookup + the SQL that
  fetches passages, documents and suggestions), with a language / country / domain filter, and
  exact brute force over all vectors (faiss.knn) for comparison; recall@10 of the graph against
  exact search.

Query encoding is excluded from those (a stub encoder hands back prepared vectors): it costs the
same whatever the corpus size and is measured apart with the real ``use-multilingual`` encoder
(``--encode``).

    .venv/bin/python bench/search_latency.py                 # 100k passages, 384-d and 512-d
    .venv/bin/python bench/search_latency.py --n 20000 --dims 512 --out -
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from bench.machine import cpu_model  # noqa: E402
from pipeline.services import search as search_mod  # noqa: E402
from pipeline.services.search import SemanticSearch  # noqa: E402
from pipeline.storage.store import Store  # noqa: E402
from pipeline.storage.tables import CandidateRow, DocumentRow, EmbeddingRow, PassageRow, SearchEntryRow  # noqa: E402

LANGUAGES = ["en", "fr", "es", "pt"]
COUNTRIES = [f"Country {i:02d}" for i in range(20)]
PER_DOC = 200
TOPICS = 1000


class StubEncoder:
    """Hands back prepared query vectors ("q17" -> vector 17), so only search itself is timed."""

    def __init__(self, name: str, queries: np.ndarray) -> None:
        self.name, self.dim, self.queries = name, queries.shape[1], queries

    def encode(self, texts, batch_size: int = 64) -> np.ndarray:  # noqa: ANN001
        return np.stack([self.queries[int(t[1:])] for t in texts])


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def synthetic(n: int, dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n clustered unit vectors (cosine to their topic centre ~0.7, to other topics ~0)."""
    centres = unit(rng.standard_normal((TOPICS, dim)))
    topic = rng.integers(0, TOPICS, n)
    noise = rng.standard_normal((n, dim)).astype(np.float32) / np.sqrt(dim)
    return unit(centres[topic] + noise), topic


def fill_store(store: Store, vectors: np.ndarray, encoder: str, rng: np.random.Generator) -> tuple[float, list]:
    t0 = time.perf_counter()
    n = len(vectors)
    n_docs = -(-n // PER_DOC)
    docs, passages, embeddings, candidates = [], [], [], []
    for d in range(n_docs):
        sha = f"{d:016x}" * 4
        lang = LANGUAGES[d % len(LANGUAGES)]
        docs.append(
            {
                "sha256": sha,
                "path": f"/bench/{d}.pdf",
                "filename": f"{d}.pdf",
                "size_bytes": 1,
                "title": f"Doc {d}",
                "country": COUNTRIES[d % len(COUNTRIES)],
                "language": lang,
                "status": "processed",
                "n_pages": 10,
                "n_passages": PER_DOC,
                "attempts": 1,
                "date": f"{2000 + d % 25}-01-01",
                "document_type": "law",
            }
        )
    for i in range(n):
        d = i // PER_DOC
        sha = f"{d:016x}" * 4
        pid = f"{sha[:16]}:{1 + (i % PER_DOC) // 20}:{i}:{1 + (i % PER_DOC) // 20}:{i + 100}"
        passages.append(
            {
                "id": pid,
                "document_sha256": sha,
                "idx": i % PER_DOC,
                "page": 1 + (i % PER_DOC) // 20,
                "char_start": i,
                "page_end": 1 + (i % PER_DOC) // 20,
                "char_end": i + 100,
                "text": f"Synthetic passage {i} about topic {i % 97}. It has a second sentence.",
                "language": LANGUAGES[d % len(LANGUAGES)],
                "language_prob": 0.99,
            }
        )
        embeddings.append({"passage_id": pid, "encoder": encoder, "vector": vectors[i].tobytes()})
        if rng.random() < 0.3:
            dom = str(1 + int(rng.integers(0, 6)))
            candidates.append(
                {
                    "passage_id": pid,
                    "indicator_id": f"{dom}.1.1",
                    "domain": dom,
                    "score": float(rng.random()),
                    "rank": 1,
                    "model_version": "bench",
                    "status": "pending",
                }
            )
    with store.engine.begin() as conn:
        for table, rows in (
            (DocumentRow, docs),
            (PassageRow, passages),
            (EmbeddingRow, embeddings),
            (CandidateRow, candidates),
        ):
            for i in range(0, len(rows), 10_000):
                conn.execute(insert(table), rows[i : i + 10_000])
    return time.perf_counter() - t0, passages


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def timed(fn, repeats: int) -> list[float]:  # noqa: ANN001
    out = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run_dim(n: int, dim: int, n_queries: int, workdir: Path, seed: int) -> dict:
    import faiss

    rng = np.random.default_rng(seed)
    vectors, topic = synthetic(n + 1000, dim, rng)
    extra, vectors = vectors[n:], vectors[:n]
    qidx = rng.integers(0, n, n_queries)
    queries = unit(vectors[qidx] + rng.standard_normal((n_queries, dim)).astype(np.float32) * (0.5 / np.sqrt(dim)))
    name = f"bench-{dim}"
    home = workdir / f"home-{dim}"
    store = Store(f"sqlite:///{home / 'mgi.db'}")
    fill_s, passages = fill_store(store, vectors, name, rng)
    enc = StubEncoder(name, queries)

    s = SemanticSearch(store, home, encoder=enc)
    build = s.sync()
    # the graph alone, from vectors in memory
    t0 = time.perf_counter()
    g = s._new_index(dim)
    g.add(vectors)
    graph_s = time.perf_counter() - t0
    del g
    t0 = time.perf_counter()
    reopened = SemanticSearch(store, home, encoder=enc)
    load = reopened.sync()
    load_s = time.perf_counter() - t0
    index_bytes = Path(load.path).stat().st_size

    # latency
    reopened.ensure_fresh()
    lookup = timed(lambda i: reopened.nearest(queries[i], 10), n_queries)
    full = timed(lambda i: reopened.search(f"q{i}", limit=10, highlight=False), n_queries)
    by_lang = timed(lambda i: reopened.search(f"q{i}", language="fr", limit=10, highlight=False), n_queries)
    by_country = timed(lambda i: reopened.search(f"q{i}", country="Country 07", limit=10, highlight=False), n_queries)
    by_domain = timed(lambda i: reopened.search(f"q{i}", domain="3", limit=10, highlight=False), n_queries)

    def uncached(country: str | None, domain: str | None, language: str | None) -> list[float]:
        def once(_i: int) -> None:
            reopened._filter_cache.clear()
            reopened._allowed_positions(country, domain, language)

        return timed(once, 20)

    filters_cold = {
        "language": uncached(None, None, "fr"),
        "country": uncached("Country 07", None, None),
        "domain": uncached(None, "3", None),
    }
    exact_hits: list[np.ndarray] = []

    def brute(i: int) -> None:  # faiss' exact search (SIMD), the fastest way to scan every vector
        _scores, top = faiss.knn(queries[i : i + 1], vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
        exact_hits.append(top[0])

    exact = timed(brute, n_queries)
    # recall@10 against exact search: map index positions back to rows through the bookkeeping table
    with store.session() as ses:
        pos_pid = dict(
            ses.execute(
                select(SearchEntryRow.position, SearchEntryRow.passage_id).where(SearchEntryRow.key == reopened.key)
            ).all()
        )
    row_of = {p["id"]: i for i, p in enumerate(passages)}
    pos_to_row = {pos: row_of[pid] for pos, pid in pos_pid.items()}
    recall = []
    for i in range(n_queries):
        got = {int(pos_to_row[p]) for p, _ in reopened.nearest(queries[i], 10)}
        recall.append(len(got & set(exact_hits[i].tolist())) / 10)

    # incremental add of 1,000 new passages
    start_docs = -(-n // PER_DOC)
    rows_p, rows_e = [], []
    sha = f"{start_docs + 10_000:016x}" * 4
    for j, v in enumerate(extra):
        pid = f"{sha[:16]}:1:{j}:1:{j + 50}"
        rows_p.append(
            {
                "id": pid,
                "document_sha256": sha,
                "idx": j,
                "page": 1,
                "char_start": j,
                "page_end": 1,
                "char_end": j + 50,
                "text": f"New passage {j}.",
                "language": "en",
                "language_prob": 0.99,
            }
        )
        rows_e.append({"passage_id": pid, "encoder": name, "vector": v.tobytes()})
    with store.engine.begin() as conn:
        conn.execute(
            insert(DocumentRow),
            [
                {
                    "sha256": sha,
                    "path": "/bench/new.pdf",
                    "filename": "new.pdf",
                    "size_bytes": 1,
                    "title": "New",
                    "country": "Country 00",
                    "language": "en",
                    "status": "processed",
                    "attempts": 1,
                }
            ],
        )
        conn.execute(insert(PassageRow), rows_p)
        conn.execute(insert(EmbeddingRow), rows_e)
    t0 = time.perf_counter()
    inc = reopened.sync()
    inc_s = time.perf_counter() - t0
    assert inc.action == "added" and inc.added == len(extra), inc
    return {
        "dim": dim,
        "n": n,
        "queries": n_queries,
        "fill_s": fill_s,
        "build_s": build.seconds,
        "graph_s": graph_s,
        "load_s": load_s,
        "index_mb": index_bytes / 1e6,
        "incremental_s": inc_s,
        "incremental_n": len(extra),
        "lookup": lookup,
        "full": full,
        "by_lang": by_lang,
        "by_country": by_country,
        "by_domain": by_domain,
        "exact": exact,
        "filters_cold": filters_cold,
        "recall": float(np.mean(recall)),
        "exact_filter_max": search_mod.EXACT_MAX,
    }


def encode_latency(n_queries: int) -> dict | None:
    try:
        from pipeline.stages.embed import get_encoder

        enc = get_encoder("use-multilingual")
    except Exception as err:  # noqa: BLE001 - optional part of the report
        print(f"query encoding not measured: {err}", file=sys.stderr)
        return None
    texts = [f"access of migrants to emergency health care number {i}" for i in range(n_queries)]
    enc.encode(texts[:2])
    single = timed(lambda i: enc.encode([texts[i]]), n_queries)
    sentences = [f"Sentence {j} of a passage about work permits and residence, number {j}." for j in range(50)]
    highlight = timed(lambda i: enc.encode(sentences), max(5, n_queries // 10))
    return {"single": single, "highlight50": highlight}


def report(results: list[dict], enc: dict | None, args: argparse.Namespace) -> str:
    import faiss

    def ms(values: list[float]) -> str:
        return f"{pct(values, 50):.2f} / {pct(values, 95):.2f}"

    lines = [
        "# Semantic search benchmark",
        "",
        f"Measured by `bench/search_latency.py --n {args.n} --dims {','.join(map(str, args.dims))} "
        f"--queries {args.queries}` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu_model()}), "
        f"Python {platform.python_version()}, faiss-cpu {faiss.__version__}, SQLite (WAL). The machine was "
        "shared with other work while this ran, so absolute numbers are noisy; the ratios within one run "
        "(graph vs exact search, filtered vs plain) are the robust part.",
        "",
        "Index: FAISS `IndexHNSWFlat` over inner products (the stored vectors are L2-normalised), "
        f"M={search_mod.HNSW_M}, efConstruction={search_mod.EF_CONSTRUCTION}, efSearch=max({search_mod.EF_SEARCH}, 2k). "
        f"A filter that leaves at most {search_mod.EXACT_MAX:,} passages is answered exactly over just those "
        "vectors; a wider one searches the graph with an id selector.",
        "",
        "Corpus: synthetic unit vectors clustered around 1,000 topics (cosine ~0.7 to their topic), "
        f"{PER_DOC} passages per document, 4 languages, 20 countries, 30% of passages with a suggestion in one "
        "of 6 domains. Queries are stored vectors plus noise. Latencies exclude query encoding (measured "
        "below).",
        "",
        "## Build and update",
        "",
        "| dim | passages | fill DB (s) | index build from DB (s) | graph only (s) | index file (MB) | reopen (s) | add 1,000 new (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['dim']} | {r['n']:,} | {r['fill_s']:.1f} | {r['build_s']:.1f} | {r['graph_s']:.1f} | "
            f"{r['index_mb']:.0f} | {r['load_s']:.2f} | {r['incremental_s']:.2f} |"
        )
    lines += [
        "",
        f"## Query latency, top 10 (ms, p50 / p95 over {args.queries} queries)",
        "",
        "| dim | graph lookup | search() | search() language=fr (25%) | search() one country (5%) | "
        "search() domain 3 (~5%) | exact faiss.knn, all vectors | exact / graph (p50) | recall@10 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = pct(r["exact"], 50) / max(pct(r["lookup"], 50), 1e-9)
        lines.append(
            f"| {r['dim']} | {ms(r['lookup'])} | {ms(r['full'])} | {ms(r['by_lang'])} | {ms(r['by_country'])} | "
            f"{ms(r['by_domain'])} | {ms(r['exact'])} | {ratio:.0f}x | {r['recall']:.3f} |"
        )
    lines += [
        "",
        "The filtered columns are repeated queries with the same filter: the passages a filter selects are "
        "cached (language and country per index version, since passages never change; domain until a "
        "candidate is added). The first query with a new filter also runs its SQL (ms, p50 / p95 over 20, "
        "cache cleared each time):",
        "",
        "| dim | language=fr | one country | domain 3 |",
        "|---|---|---|---|",
    ]
    for r in results:
        c = r["filters_cold"]
        lines.append(f"| {r['dim']} | {ms(c['language'])} | {ms(c['country'])} | {ms(c['domain'])} |")
    if enc:
        lines += [
            "",
            "## Query encoding (use-multilingual, real model)",
            "",
            f"One query: p50 {pct(enc['single'], 50):.1f} ms, p95 {pct(enc['single'], 95):.1f} ms. Highlighting "
            f"(encoding 50 result sentences to find each result's best one): p50 "
            f"{pct(enc['highlight50'], 50):.0f} ms. Neither depends on the corpus size.",
        ]
    r = results[-1]
    total = pct(r["full"], 50) + (pct(enc["single"], 50) if enc else 0)
    lines += [
        "",
        "## Reading",
        "",
        f"- A whole query at {r['n']:,} passages ({r['dim']}-d) takes about {total:.0f} ms at the median "
        "(encoding + search + fetching rows), most of it outside the index; the graph lookup itself is "
        f"{pct(r['lookup'], 50):.2f} ms, {pct(r['exact'], 50) / max(pct(r['lookup'], 50), 1e-9):.0f}x faster than "
        "scanning every vector, at the recall shown.",
        "- Toward a million passages: HNSW lookups grow roughly with log N, so the lookup stays in "
        "milliseconds; exact scanning grows linearly (10x the table above). Build time grows a little "
        "faster than linearly (about 10x-12x the 100k figure) but is paid once: new documents are added "
        "incrementally. Memory is the constraint: a 512-d float32 index holds ~2.1 GB per million passages "
        "(vectors 2 GB + graph); a scalar-quantised HNSW (`IndexHNSWSQ`) would cut that by 4x if needed.",
        "- Filters: a language or country filter is a range scan of the bookkeeping table, a domain filter "
        "goes through the candidates' domain index; a filter that leaves at most "
        f"{search_mod.EXACT_MAX:,} passages is then answered exactly (faiss brute force over just those vectors), "
        "a wider one by the graph with an id selector.",
        "- Noise: on this shared 2-core machine numpy's multi-threaded BLAS stalled badly (a 1,600 x 512 "
        "matrix-vector product took ~10 ms instead of 0.05 ms), which is why the search code scores with faiss, "
        "not numpy; the query encoder's p95 above shows the same effect. `OPENBLAS_NUM_THREADS=1` helps "
        "interactive processes on a busy machine.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="stored passages (default 100000)")
    ap.add_argument("--dims", type=lambda s: [int(x) for x in s.split(",")], default=[384, 512])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-encode", dest="encode", action="store_false", help="skip the real query-encoding timing")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks-search.md"), help="report file, or - for stdout")
    ap.add_argument("--workdir", help="keep the generated databases here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mgi-bench-search-") as tmp:
        workdir = Path(args.workdir or tmp)
        results = []
        for dim in args.dims:
            print(f"{dim}-d: generating {args.n:,} passages ...", file=sys.stderr)
            r = run_dim(args.n, dim, args.queries, workdir, seed=dim)
            print(
                f"  build {r['build_s']:.1f} s, search() p50 {pct(r['full'], 50):.2f} ms, "
                f"lookup p50 {pct(r['lookup'], 50):.3f} ms, recall@10 {r['recall']:.3f}",
                file=sys.stderr,
            )
            results.append(r)
    enc = encode_latency(args.queries) if args.encode else None
    text = report(results, enc, args)
    if args.out == "-":
        print(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"report written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
