"""Evaluation on the seed passages the team wrote: repeated document-group splits, cross-lingual
twins, encoder speed, and the embedding cache the evaluations share. The evaluation on real
documents held out whole is ``pipeline.learning.realeval``; ``mgi evaluate`` puts it first.

May import: ``pipeline.stages``, ``pipeline.learning``."""

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

from pipeline.learning.train import Example, Params, data_hash, fit, label_matrices, load_examples, score
from pipeline.stages.embed import Encoder
from pipeline.stages.taxonomy import Taxonomy

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


@dataclass
class EvalInputs:
    taxonomy: Taxonomy
    examples: list[Example]
    twin_examples: list[Example]
    cache_dir: Path | None


def evaluate_encoder(inputs: EvalInputs, encoder: Encoder, seeds: Sequence[int]) -> dict[str, Any]:
    """Every seed-passage measurement for one encoder: held-out groups, twins, speed."""
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
    return report


def load_inputs(taxonomy: Taxonomy, annotations: Path, cache_dir: Path | None) -> EvalInputs:
    examples = (
        load_examples([annotations / "seed"]) if (annotations / "seed").is_dir() else load_examples([annotations])
    )
    twin_dir = annotations / "twins"
    return EvalInputs(
        taxonomy,
        examples,
        load_twins(twin_dir) if twin_dir.is_dir() else [],
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
        "## Seed passages (written by the team, not real documents)",
        "",
        "These numbers come from passages the team wrote in the style of legislation; they say how well the",
        "classifier separates the indicators on clean text, not how it does on real documents (above).",
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
            "### Embedding models compared",
            "",
            "| encoder | dim | texts/s | domain top-1 en | fr | es | indicator top-1 | top-3 | micro-F1 | twins same top-1 fr / es |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in reports:
            h, pl = r["held_out"], r["held_out"]["per_language"]
            tw = r.get("twins", {}).get("same_top1_as_english", {})
            lines.append(
                f"| `{r['encoder']}`{' (default)' if r['encoder'] == default else ''} | {r['dim']} | {r['texts_per_second']:.0f} | "
                + " | ".join(_ms(pl.get(lg, {}).get("domain_top1")) for lg in ("en", "fr", "es"))
                + f" | {_ms(h['top1'])} | {_ms(h['top3'])} | {_ms(h['micro_f1'])} | {_f(tw.get('fr'))} / {_f(tw.get('es'))} |"
            )
        lines.append("")
    lines += [
        f"### Default model: `{default}`",
        "",
        "#### Held-out document groups (team-written passages)",
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
            "#### Cross-lingual twins",
            "",
            f"{tw['triples']} triples of translation-equivalent passages (never used for training). Share of "
            f"French/Spanish twins whose top indicator equals the English twin's: "
            + ", ".join(f"{k} {v:.3f}" for k, v in tw["same_top1_as_english"].items())
            + ". Top-1 accuracy: "
            + ", ".join(f"{k} {v:.3f}" for k, v in tw["top1_accuracy"].items())
            + ".",
            "",
        ]
    lines += [
        "#### Per indicator (pooled over seeds)",
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
