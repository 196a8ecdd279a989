"""Reclassify stored passages with another model version, without touching analysts' work.

For each processed document: the passages' stored embeddings are re-scored when they were made by
the classifier's encoder (no PDF is read, no text embedded); otherwise the passages are embedded
again, in batches, and those embeddings stored too. The new model's suggestions are added beside
the existing candidates (unique per passage, indicator and model version), one transaction per
document, so an interrupted reclassification resumes where it stopped and running it twice adds
nothing. A candidate an analyst confirmed or rejected is never changed, and by default a
passage/indicator pair already decided gets no new pending suggestion (the decision stands).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from pipeline.stages.analyse import Classifier
from pipeline.stages.classify import candidates
from pipeline.storage.store import Store


@dataclass
class ReclassifyReport:
    model_version: str
    encoder: str
    documents: int = 0
    passages: int = 0
    rescored_from_stored: int = 0  # passages scored from their stored embedding
    re_embedded: int = 0  # passages embedded again (no embedding by this encoder was stored)
    added: int = 0  # new suggestions queued
    already_there: int = 0  # suggestions this model version had already made
    kept_decisions: int = 0  # suggestions not queued because an analyst already decided that pair

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _PassageRef:
    passage_id: str


def reclassify(
    store: Store,
    classifier: Classifier,
    *,
    top_k: int = 3,
    run_id: int | None = None,
    document: str | None = None,
    skip_decided: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReclassifyReport:
    """Score every stored passage (or one document's: SHA-256 prefix or file name) with ``classifier``."""
    encoder = classifier.encoder
    report = ReclassifyReport(classifier.model_version, encoder.name)
    shas = store.processed_documents(document)
    for n, sha in enumerate(shas, start=1):
        rows = store.passages_with_embeddings(sha, encoder.name)
        if rows:
            vectors = np.zeros((len(rows), encoder.dim), dtype=np.float32)
            missing = []
            for i, (_pid, _text, vec) in enumerate(rows):
                if vec is not None and vec.shape[0] == encoder.dim:
                    vectors[i] = vec
                else:
                    missing.append(i)
            new_embeddings: dict[str, np.ndarray] = {}
            if missing:
                fresh = classifier.embed([rows[i][1] for i in missing])  # the encoder batches internally
                for j, i in enumerate(missing):
                    vectors[i] = fresh[j]
                    new_embeddings[rows[i][0]] = fresh[j]
            scores = classifier.scorer.score(vectors, [text for _pid, text, _vec in rows])
            refs = [_PassageRef(pid) for pid, _text, _vec in rows]
            cands = candidates(refs, scores, top_k, classifier.model_version, classifier.indicator_domain)  # type: ignore[arg-type]
            counts = store.add_suggestions(sha, cands, new_embeddings, encoder.name, run_id, skip_decided=skip_decided)
            report.documents += 1
            report.passages += len(rows)
            report.re_embedded += len(missing)
            report.rescored_from_stored += len(rows) - len(missing)
            report.added += counts["added"]
            report.already_there += counts["already_there"]
            report.kept_decisions += counts["kept_decisions"]
        if progress is not None:
            progress(sha, n, len(shas))
    return report


def reclassify_and_record(
    store: Store,
    classifier: Classifier,
    *,
    top_k: int = 3,
    document: str | None = None,
    skip_decided: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[int, ReclassifyReport]:
    """``reclassify`` as a run of kind "reclassify" in the runs table; returns (run id, report)."""
    run_id = store.start_run(
        {"model_version": classifier.model_version, "encoder": classifier.encoder.name, "document": document},
        kind="reclassify",
    )
    try:
        report = reclassify(
            store,
            classifier,
            top_k=top_k,
            run_id=run_id,
            document=document,
            skip_decided=skip_decided,
            progress=progress,
        )
    except BaseException as err:
        store.finish_run(run_id, {"error": f"{type(err).__name__}: {err}"}, status="failed")
        raise
    store.finish_run(run_id, report.as_dict())
    return run_id, report
