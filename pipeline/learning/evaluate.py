"""Evaluation: repeated document-group splits of the seed annotations, cross-lingual twins, and
by-reference labels on real legislation. Writes a Markdown + JSON report."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy
from pipeline.learning.train import Example, Params, data_hash, fit, label_matrices, load_examples, score

log = logging.getLogger(__name__)
TOP_KS = (1, 3, 5)
# cached page texts are only valid for the ingest code that produced them
_INGEST_VERSION = hashlib.sha256((Path(__file__).parent.parent / "stages" / "ingest.py").read_bytes()).hexdigest()[:10]
CANDIDATES_PER_PASSAGE = 3


# --------------------------------------------------------------------------- embeddings with a cache


def embed_texts(encoder: Encoder, texts: Sequence[str], cache_dir: Path | None = None) -> tuple[np.ndarray, float]:
    """Embeddings of ``texts`` and texts/second when any had to be computed (else NaN).

    With ``cache_dir``, each text's vector is kept in one store per encoder, keyed by the SHA-256 of
    the text: adding labels encodes only the new passages."""
    if cache_dir is None:
        t0 = time.perf_counter()
        X = encoder.encode(list(texts))
        return X, len(texts) / max(time.perf_counter() - t0, 1e-9)
    stem = cache_dir / f"{encoder.name.replace(':', '_').replace('/', '_')}-store"
    keys_path, vec_path = stem.with_suffix(".keys.json"), stem.with_suffix(".npy")
    keys: list[str] = json.loads(keys_path.read_text()) if keys_path.is_file() and vec_path.is_file() else []
    store = np.load(vec_path) if keys else np.zeros((0, encoder.dim), dtype=np.float32)
    index = {k: i for i, k in enumerate(keys)}
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    missing = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in index}.items())
    rate = float("nan")
    if missing:
        t0 = time.perf_counter()
        fresh = encoder.encode([t for _h, t in missing])
        rate = len(missing) / max(time.perf_counter() - t0, 1e-9)
        for h, _t in missing:
            index[h] = len(keys)
            keys.append(h)
        store = np.vstack([store, fresh.astype(store.dtype)])
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(vec_path, store)
        keys_path.write_text(json.dumps(keys))
    return store[[index[h] for h in hashes]], rate


# --------------------------------------------------------------------------- splits and metrics


def split_groups(examples: Sequence[Example], test_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hold out ``test_share`` of the document groups of each language (a group never straddles)."""
    rng = np.random.default_rng(seed)
    by_lang: dict[str, list[str]] = defaultdict(list)
    for g, lang in sorted({(e.group, e.language) for e in examples}):
        by_lang[lang].append(g)
    test_groups: set[str] = set()
    for groups in by_lang.values():
        groups = sorted(set(groups))
        rng.shuffle(groups)
        test_groups.update(groups[: max(1, round(len(groups) * test_share))])
    mask = np.asarray([e.group in test_groups for e in examples])
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def triage(evidence_score: np.ndarray, is_evidence: np.ndarray) -> dict[str, Any]:
    """Share of true evidence found vs share of passages reviewed in score order."""
    order = np.argsort(-evidence_score, kind="stable")
    found = np.cumsum(is_evidence[order]) / max(1, is_evidence.sum())
    n = len(order)
    curve = [
        {"reviewed": round(s, 2), "found": round(float(found[max(0, int(np.ceil(s * n)) - 1)]), 4)}
        for s in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    ]
    k95 = int(np.searchsorted(found, 0.95)) + 1 if is_evidence.any() else n
    return {
        "curve": curve,
        "reviewed_for_95_recall": round(k95 / n, 4),
        "work_saved_at_95_recall": round(1 - k95 / n, 4),
        "wss_at_95": round(1 - k95 / n - 0.05, 4),
    }


@dataclass
class SplitResult:
    scores: np.ndarray  # (n, n_ind)
    p_dom: np.ndarray  # (n, n_dom + 1)
    thresholds: np.ndarray


def split_metrics(res: SplitResult, examples: Sequence[Example], taxonomy: Taxonomy) -> dict[str, Any]:
    Y, dom = label_matrices(examples, taxonomy)
    pred = res.scores >= res.thresholds[None, :]
    # keep at most the top CANDIDATES_PER_PASSAGE per passage, as the queue does
    rank = np.argsort(np.argsort(-res.scores, axis=1), axis=1)
    pred &= rank < CANDIDATES_PER_PASSAGE
    tp, fp, fn = (pred & Y).sum(), (pred & ~Y).sum(), (~pred & Y).sum()
    per_ind = {
        iid: [int((pred[:, i] & Y[:, i]).sum()), int((pred[:, i] & ~Y[:, i]).sum()), int((~pred[:, i] & Y[:, i]).sum())]
        for i, iid in enumerate(taxonomy.indicator_ids)
    }
    macro = np.mean([prf(*c)["f1"] for c in per_ind.values() if c[0] + c[2] > 0])
    ev = Y.any(axis=1)
    top = np.argsort(-res.scores, axis=1)
    topk = {f"top{k}": float(np.mean([Y[r, top[r, :k]].any() for r in np.flatnonzero(ev)])) for k in TOP_KS}
    dom_pred7 = res.p_dom.argmax(axis=1)  # 0 = none
    dom_pred6 = res.p_dom[:, 1:].argmax(axis=1) + 1
    langs = sorted({e.language for e in examples})
    per_lang = {}
    for lang in langs:
        m = np.asarray([e.language == lang for e in examples])
        mev = m & ev
        per_lang[lang] = {
            "evidence_passages": int(mev.sum()),
            "all_passages": int(m.sum()),
            "domain_top1": float(np.mean(dom_pred6[mev] == dom[mev])) if mev.any() else None,
            "indicator_top1": float(np.mean([Y[r, top[r, 0]] for r in np.flatnonzero(mev)])) if mev.any() else None,
            "indicator_top3": float(np.mean([Y[r, top[r, :3]].any() for r in np.flatnonzero(mev)]))
            if mev.any()
            else None,
            "domain_or_none_accuracy": float(np.mean(dom_pred7[m] == dom[m])),
        }
    return {
        "micro": prf(int(tp), int(fp), int(fn)),
        "macro_f1": round(float(macro), 4),
        **topk,
        "domain_top1": float(np.mean(dom_pred6[ev] == dom[ev])) if ev.any() else None,
        "domain_or_none_accuracy": float(np.mean(dom_pred7 == dom)),
        "per_language": per_lang,
        "triage": triage(res.scores.max(axis=1), ev),
        "_per_indicator_counts": per_ind,
        "_domain_confusion": [
            [int(((dom == a) & (dom_pred7 == b)).sum()) for b in range(res.p_dom.shape[1])]
            for a in range(res.p_dom.shape[1])
        ],
    }


def _mean_std(values: list[float | None]) -> dict[str, float] | None:
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"mean": round(float(np.mean(vals)), 4), "std": round(float(np.std(vals)), 4)}


def aggregate(runs: list[dict[str, Any]], taxonomy: Taxonomy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "micro_f1": _mean_std([r["micro"]["f1"] for r in runs]),
        "micro_precision": _mean_std([r["micro"]["precision"] for r in runs]),
        "micro_recall": _mean_std([r["micro"]["recall"] for r in runs]),
        "macro_f1": _mean_std([r["macro_f1"] for r in runs]),
        "domain_top1": _mean_std([r["domain_top1"] for r in runs]),
        "domain_or_none_accuracy": _mean_std([r["domain_or_none_accuracy"] for r in runs]),
        "work_saved_at_95_recall": _mean_std([r["triage"]["work_saved_at_95_recall"] for r in runs]),
        **{f"top{k}": _mean_std([r[f"top{k}"] for r in runs]) for k in TOP_KS},
    }
    langs = sorted({lang for r in runs for lang in r["per_language"]})
    out["per_language"] = {
        lang: {
            key: _mean_std([r["per_language"].get(lang, {}).get(key) for r in runs])
            for key in ("domain_top1", "indicator_top1", "indicator_top3", "domain_or_none_accuracy")
        }
        for lang in langs
    }
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in runs:
        for iid, c in r["_per_indicator_counts"].items():
            pooled[iid] = [a + b for a, b in zip(pooled[iid], c, strict=True)]
    out["per_indicator"] = {iid: prf(*pooled[iid]) for iid in taxonomy.indicator_ids}
    conf = np.sum([np.asarray(r["_domain_confusion"]) for r in runs], axis=0)
    labels = ["none"] + taxonomy.domain_ids
    out["domain_confusion"] = {"labels": labels, "matrix": conf.tolist()}
    out["per_domain"] = {
        lab: prf(int(conf[i, i]), int(conf[:, i].sum() - conf[i, i]), int(conf[i, :].sum() - conf[i, i]))
        for i, lab in enumerate(labels)
    }
    curves = np.asarray([[p["found"] for p in r["triage"]["curve"]] for r in runs])
    out["triage_curve"] = [
        {"reviewed": p["reviewed"], "found_mean": round(float(m), 4), "found_std": round(float(s), 4)}
        for p, m, s in zip(runs[0]["triage"]["curve"], curves.mean(0), curves.std(0), strict=True)
    ]
    return out


# --------------------------------------------------------------------------- the three evaluations


def held_out(
    X: np.ndarray,
    examples: Sequence[Example],
    taxonomy: Taxonomy,
    encoder: Encoder,
    seeds: Sequence[int],
    test_share: float = 0.2,
    params: Params | None = None,
) -> dict[str, Any]:
    runs = []
    for seed in seeds:
        tr, te = split_groups(examples, test_share, seed)
        heads, _ = fit(X[tr], [examples[i] for i in tr], taxonomy, encoder, params or Params(seed=seed))
        s, d = score(heads, X[te], taxonomy)
        runs.append(split_metrics(SplitResult(s, d, heads.thresholds), [examples[i] for i in te], taxonomy))
    result = aggregate(runs, taxonomy)
    result["seeds"] = list(seeds)
    result["test_share_of_groups"] = test_share
    return result


def twins(heads, X_twins: np.ndarray, twin_examples: Sequence[Example], taxonomy: Taxonomy) -> dict[str, Any]:  # noqa: ANN001
    """Does a French/Spanish passage land on the same top indicator as its English twin?"""
    s, _ = score(heads, X_twins, taxonomy)
    top1 = [taxonomy.indicator_ids[i] for i in s.argmax(axis=1)]
    by_twin: dict[str, dict[str, int]] = defaultdict(dict)
    for r, e in enumerate(twin_examples):
        by_twin[e.group][e.language] = r
    same, total, correct = Counter(), Counter(), Counter()
    for langs in by_twin.values():
        if "en" not in langs:
            continue
        for lang, r in langs.items():
            correct[lang] += top1[r] in twin_examples[r].indicators
            if lang != "en":
                total[lang] += 1
                same[lang] += top1[r] == top1[langs["en"]]
    n_lang = Counter(e.language for e in twin_examples)
    return {
        "triples": len(by_twin),
        "same_top1_as_english": {lang: round(same[lang] / total[lang], 4) for lang in sorted(total)},
        "top1_accuracy": {lang: round(correct[lang] / n_lang[lang], 4) for lang in sorted(n_lang)},
    }


def load_twins(folder: Path) -> list[Example]:
    out = []
    for f in sorted(Path(folder).glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out.append(
                    Example(
                        str(d["id"]),
                        d["text"],
                        d["language"],
                        tuple(d["indicators"]),
                        str(d["twin"]),
                        d.get("polarity"),
                        "twins",
                    )
                )
    return out


def real_texts(
    labels_path: Path, corpus_dir: Path, cache_dir: Path | None
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The labelled spans' texts, cut from the real PDFs by reference; problems are reported, not fatal."""
    from pipeline.stages.ingest import read_pdf, sha256_file

    labels = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_sha: dict[str, dict[int, str]] = {}
    files = {sha256_file(p): p for p in sorted(Path(corpus_dir).glob("*.pdf"))}
    problems: list[str] = []
    kept, texts = [], []
    for lab in labels:
        sha = lab["sha256"]
        if sha not in by_sha:
            if sha not in files:
                problems.append(f"{lab.get('file')}: no PDF with SHA-256 {sha[:12]} in {corpus_dir}")
                by_sha[sha] = {}
                continue
            cached = cache_dir / f"pages-{sha[:16]}-{_INGEST_VERSION}.json" if cache_dir else None
            if cached and cached.is_file():
                pages = {int(k): v for k, v in json.loads(cached.read_text(encoding="utf-8")).items()}
            else:
                _doc, page_list = read_pdf(files[sha])
                pages = {p.number: p.text for p in page_list}
                if cached:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
            by_sha[sha] = pages
        pages = by_sha[sha]
        if not pages:
            continue
        if lab["page"] == lab["page_end"]:
            text = pages[lab["page"]][lab["char_start"] : lab["char_end"]]
        else:
            parts = [pages[lab["page"]][lab["char_start"] :]]
            parts += [pages[p] for p in range(lab["page"] + 1, lab["page_end"])]
            parts.append(pages[lab["page_end"]][: lab["char_end"]])
            text = "\n".join(parts)
        # the hash is over whitespace-folded text: line-joining decisions may change, characters may not
        if hashlib.sha1(" ".join(text.split()).encode()).hexdigest() != lab["text_sha1"]:
            problems.append(
                f"{lab['file']} p.{lab['page']}:{lab['char_start']}: text changed since labelling (ingest changed?)"
            )
            continue
        kept.append(lab)
        texts.append(text)
    return kept, texts, problems


def real_metrics(
    s: np.ndarray, p_dom: np.ndarray, thresholds: np.ndarray, labels: list[dict[str, Any]], taxonomy: Taxonomy
) -> dict[str, Any]:
    ids = taxonomy.indicator_ids
    dom_of = {i.id: i.domain for i in taxonomy.indicators}
    queued_top, hits_top, found_pairs, all_pairs = 0, 0, 0, 0
    top1_ok, top3_ok, dom_ok, n_ev = 0, 0, 0, 0
    per_lang: dict[str, Counter] = defaultdict(Counter)
    for r, lab in enumerate(labels):
        truth = set(lab["indicators"])
        order = np.argsort(-s[r])
        queued = [ids[i] for i in order[:CANDIDATES_PER_PASSAGE] if s[r, i] >= thresholds[i]]
        c = per_lang[lab["language"]]
        if queued:
            queued_top += 1
            hits_top += queued[0] in truth
            c["queued"] += 1
            c["queued_hit"] += queued[0] in truth
        all_pairs += len(truth)
        found_pairs += len(truth & set(queued))
        c["pairs"] += len(truth)
        c["pairs_found"] += len(truth & set(queued))
        if truth:
            n_ev += 1
            top1_ok += ids[order[0]] in truth
            top3_ok += bool(truth & {ids[i] for i in order[:3]})
            dom_ok += taxonomy.domain_ids[int(p_dom[r, 1:].argmax())] in {dom_of[t] for t in truth}
            c["evidence"] += 1
            c["top1"] += ids[order[0]] in truth
    is_ev = np.asarray([bool(lab["indicators"]) for lab in labels])
    return {
        "operating_points": operating_points(s, thresholds, labels, ids),
        "passages": len(labels),
        "evidence_passages": n_ev,
        "no_indicator_passages": len(labels) - n_ev,
        "precision_of_top_suggestion": round(hits_top / queued_top, 4) if queued_top else None,
        "passages_with_a_queued_suggestion": queued_top,
        "recall_of_labelled_evidence": round(found_pairs / all_pairs, 4) if all_pairs else None,
        "top1_on_evidence": round(top1_ok / n_ev, 4) if n_ev else None,
        "top3_on_evidence": round(top3_ok / n_ev, 4) if n_ev else None,
        "domain_top1_on_evidence": round(dom_ok / n_ev, 4) if n_ev else None,
        "triage": triage(s.max(axis=1), is_ev),
        "per_language": {
            lang: {
                "passages": sum(1 for lab in labels if lab["language"] == lang),
                "precision_of_top_suggestion": round(c["queued_hit"] / c["queued"], 4) if c["queued"] else None,
                "recall_of_labelled_evidence": round(c["pairs_found"] / c["pairs"], 4) if c["pairs"] else None,
                "top1_on_evidence": round(c["top1"] / c["evidence"], 4) if c["evidence"] else None,
            }
            for lang, c in sorted(per_lang.items())
        },
    }


THRESHOLD_SCALES = (1.0, 0.5, 0.25, 0.1, 0.0)


def operating_points(
    s: np.ndarray, thresholds: np.ndarray, labels: list[dict[str, Any]], ids: list[str]
) -> list[dict[str, Any]]:
    """Precision of the top suggestion and recall of labelled evidence as thresholds are scaled
    down (0 = always queue the top suggestions): how the queue trades noise for coverage."""
    order = np.argsort(-s, axis=1)[:, :CANDIDATES_PER_PASSAGE]
    points = []
    for scale in THRESHOLD_SCALES:
        queued_top = hits = found = pairs = 0
        for r, lab in enumerate(labels):
            truth = set(lab["indicators"])
            queued = [ids[i] for i in order[r] if s[r, i] >= thresholds[i] * scale]
            queued_top += bool(queued)
            hits += bool(queued) and queued[0] in truth
            pairs += len(truth)
            found += len(truth & set(queued))
        points.append(
            {
                "threshold_scale": scale,
                "passages_queued": queued_top,
                "precision_of_top_suggestion": round(hits / queued_top, 4) if queued_top else None,
                "recall_of_labelled_evidence": round(found / pairs, 4) if pairs else None,
            }
        )
    return points


@dataclass
class EvalInputs:
    taxonomy: Taxonomy
    examples: list[Example]
    twin_examples: list[Example]
    real_labels: Path | None
    real_corpus: Path | None
    cache_dir: Path | None


def evaluate_encoder(inputs: EvalInputs, encoder: Encoder, seeds: Sequence[int]) -> dict[str, Any]:
    """Every measurement for one encoder: held-out groups, twins, real legislation, speed."""
    texts = [e.text for e in inputs.examples]
    X, rate = embed_texts(encoder, texts, inputs.cache_dir)
    if np.isnan(rate):  # cached: measure speed on a fixed slice so the comparison stays honest
        sample = texts[:256]
        t0 = time.perf_counter()
        encoder.encode(sample)
        rate = len(sample) / (time.perf_counter() - t0)
    report: dict[str, Any] = {
        "encoder": encoder.name,
        "dim": encoder.dim,
        "texts_per_second": round(rate, 1),
        "examples": len(inputs.examples),
        "data_hash": data_hash(inputs.examples),
    }
    report["held_out"] = held_out(X, inputs.examples, inputs.taxonomy, encoder, seeds)
    heads, fit_report = fit(X, inputs.examples, inputs.taxonomy, encoder, Params())
    report["alpha"] = fit_report.alpha
    if inputs.twin_examples:
        Xt, _ = embed_texts(encoder, [e.text for e in inputs.twin_examples], inputs.cache_dir)
        report["twins"] = twins(heads, Xt, inputs.twin_examples, inputs.taxonomy)
    if inputs.real_labels and inputs.real_labels.is_file() and inputs.real_corpus and inputs.real_corpus.is_dir():
        labels, rtexts, problems = real_texts(inputs.real_labels, inputs.real_corpus, inputs.cache_dir)
        if labels:
            Xr, _ = embed_texts(encoder, rtexts, inputs.cache_dir)
            s, d = score(heads, Xr, inputs.taxonomy)
            report["real"] = real_metrics(s, d, heads.thresholds, labels, inputs.taxonomy)
        report["real_problems"] = problems
    return report


def load_inputs(taxonomy: Taxonomy, annotations: Path, real_corpus: Path | None, cache_dir: Path | None) -> EvalInputs:
    examples = (
        load_examples([annotations / "seed"]) if (annotations / "seed").is_dir() else load_examples([annotations])
    )
    twin_dir = annotations / "twins"
    return EvalInputs(
        taxonomy,
        examples,
        load_twins(twin_dir) if twin_dir.is_dir() else [],
        annotations / "real" / "labels.jsonl",
        real_corpus,
        cache_dir,
    )


# --------------------------------------------------------------------------- report


def _ms(v: dict[str, float] | None) -> str:
    return "–" if not v else f"{v['mean']:.3f} ± {v['std']:.3f}"


def _f(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def render_markdown(reports: list[dict[str, Any]], taxonomy: Taxonomy, default: str) -> str:
    main = next(r for r in reports if r["encoder"] == default)
    ho = main["held_out"]
    lines = [
        "# Classifier evaluation",
        "",
        f"Written by `mgi evaluate`. Taxonomy `{taxonomy.key}` ({len(taxonomy.indicators)} indicators). Seed "
        f"annotations: {main['examples']} passages (hash `{main['data_hash']}`). Held-out evaluation: "
        f"{int(ho['test_share_of_groups'] * 100)} % of the document groups of each language held out, repeated over seeds "
        f"{ho['seeds']}; mean ± standard deviation across seeds. Candidates are the top {CANDIDATES_PER_PASSAGE} "
        "indicators per passage above their thresholds, as in the queue.",
        "",
    ]
    if len(reports) > 1:
        lines += [
            "## Embedding models compared",
            "",
            "| encoder | dim | texts/s | domain top-1 en | fr | es | indicator top-1 | top-3 | micro-F1 | twins same top-1 fr / es | real: precision top suggestion | real: recall | real: top-1 on evidence |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in reports:
            h, pl = r["held_out"], r["held_out"]["per_language"]
            tw = r.get("twins", {}).get("same_top1_as_english", {})
            real = r.get("real", {})
            lines.append(
                f"| `{r['encoder']}`{' (default)' if r['encoder'] == default else ''} | {r['dim']} | {r['texts_per_second']:.0f} | "
                + " | ".join(_ms(pl.get(lg, {}).get("domain_top1")) for lg in ("en", "fr", "es"))
                + f" | {_ms(h['top1'])} | {_ms(h['top3'])} | {_ms(h['micro_f1'])} | {_f(tw.get('fr'))} / {_f(tw.get('es'))} | "
                f"{_f(real.get('precision_of_top_suggestion'))} | {_f(real.get('recall_of_labelled_evidence'))} | "
                f"{_f(real.get('top1_on_evidence'))} |"
            )
        lines.append("")
    lines += [
        f"## Default model: `{default}`",
        "",
        "### Held-out document groups (team-written passages)",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for key in (
        "micro_precision",
        "micro_recall",
        "micro_f1",
        "macro_f1",
        "top1",
        "top3",
        "top5",
        "domain_top1",
        "domain_or_none_accuracy",
        "work_saved_at_95_recall",
    ):
        lines.append(f"| {key.replace('_', ' ')} | {_ms(ho[key])} |")
    lines += [
        "",
        "Per language (evidence passages; `domain or none` counts all passages):",
        "",
        "| language | domain top-1 | indicator top-1 | indicator top-3 | domain-or-none accuracy |",
        "|---|---|---|---|---|",
    ]
    for lang, m in ho["per_language"].items():
        lines.append(
            f"| {lang} | {_ms(m['domain_top1'])} | {_ms(m['indicator_top1'])} | {_ms(m['indicator_top3'])} | "
            f"{_ms(m['domain_or_none_accuracy'])} |"
        )
    lines += [
        "",
        "Per domain (7-way: the six domains plus none; pooled over seeds):",
        "",
        "| domain | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for lab, m in ho["per_domain"].items():
        name = "none" if lab == "none" else f"{lab}. {taxonomy.domain(lab).label()}"
        lines.append(f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    conf = ho["domain_confusion"]
    lines += [
        "",
        "Domain confusion (rows: truth, columns: prediction; pooled over seeds):",
        "",
        "| | " + " | ".join(conf["labels"]) + " |",
        "|---" * (len(conf["labels"]) + 1) + "|",
    ]
    for lab, row in zip(conf["labels"], conf["matrix"], strict=True):
        lines.append(f"| **{lab}** | " + " | ".join(str(v) for v in row) + " |")
    lines += [
        "",
        "Triage curve (passages ranked by their best indicator score):",
        "",
        "| share of passages reviewed | " + " | ".join(f"{p['reviewed']:.0%}" for p in ho["triage_curve"]) + " |",
        "|---" * (len(ho["triage_curve"]) + 1) + "|",
        "| share of evidence found | " + " | ".join(f"{p['found_mean']:.2f}" for p in ho["triage_curve"]) + " |",
        "",
    ]
    if "twins" in main:
        tw = main["twins"]
        lines += [
            "### Cross-lingual twins",
            "",
            f"{tw['triples']} triples of translation-equivalent passages (never used for training). Share of "
            f"French/Spanish twins whose top indicator equals the English twin's: "
            + ", ".join(f"{k} {v:.3f}" for k, v in tw["same_top1_as_english"].items())
            + ". Top-1 accuracy: "
            + ", ".join(f"{k} {v:.3f}" for k, v in tw["top1_accuracy"].items())
            + ".",
            "",
        ]
    if "real" in main:
        real = main["real"]
        lines += [
            "### Real legislation (by-reference labels on ../shared/corpus-real)",
            "",
            f"{real['passages']} labelled passages ({real['evidence_passages']} evidence, "
            f"{real['no_indicator_passages']} answering no indicator), from Indian, UK, Australian and Mexican texts.",
            "",
            "| metric | value |",
            "|---|---|",
            f"| precision of the top suggestion (passages with a queued suggestion: {real['passages_with_a_queued_suggestion']}) | {_f(real['precision_of_top_suggestion'])} |",
            f"| recall of labelled evidence (queued candidates) | {_f(real['recall_of_labelled_evidence'])} |",
            f"| top-1 / top-3 on evidence passages (no threshold) | {_f(real['top1_on_evidence'])} / {_f(real['top3_on_evidence'])} |",
            f"| domain top-1 on evidence passages | {_f(real['domain_top1_on_evidence'])} |",
            f"| work saved at 95 % recall | {_f(real['triage']['work_saved_at_95_recall'])} |",
            "",
            "| language | passages | precision of top suggestion | recall | top-1 on evidence |",
            "|---|---|---|---|---|",
        ]
        for lang, m in real["per_language"].items():
            lines.append(
                f"| {lang} | {m['passages']} | {_f(m['precision_of_top_suggestion'])} | "
                f"{_f(m['recall_of_labelled_evidence'])} | {_f(m['top1_on_evidence'])} |"
            )
        lines += [
            "",
            "Operating points on real text (thresholds learnt on team-written passages, scaled down):",
            "",
            "| threshold scale | passages with a queued suggestion | precision of top suggestion | recall of labelled evidence |",
            "|---|---|---|---|",
        ]
        for p in real.get("operating_points", []):
            lines.append(
                f"| {p['threshold_scale']} | {p['passages_queued']} | {_f(p['precision_of_top_suggestion'])} | "
                f"{_f(p['recall_of_labelled_evidence'])} |"
            )
        if main.get("real_problems"):
            lines += [
                "",
                f"{len(main['real_problems'])} labels could not be used: " + "; ".join(main["real_problems"][:5]),
            ]
        lines.append("")
    lines += [
        "### Per indicator (pooled over seeds)",
        "",
        "| indicator | name | precision | recall | F1 | support |",
        "|---|---|---|---|---|---|",
    ]
    for iid, m in ho["per_indicator"].items():
        lines.append(
            f"| {iid} | {taxonomy.indicator(iid).label()} | {m['precision']:.2f} | {m['recall']:.2f} | "
            f"{m['f1']:.2f} | {m['support']} |"
        )
    return "\n".join(lines) + "\n"
