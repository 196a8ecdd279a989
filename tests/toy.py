"""A tiny deterministic encoder for testing training mechanics without loading a real model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class ToyEncoder:
    """Bag of hashed words and word pairs: texts sharing words get similar vectors."""

    def __init__(self, dim: int = 256, name: str = "toy-hash") -> None:
        self.dim = dim
        self.name = name

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for token in words + [a + "_" + b for a, b in zip(words, words[1:], strict=False)]:
                h = int(hashlib.md5(token.encode()).hexdigest()[:8], 16)
                out[r, h % self.dim] += 1.0 if (h >> 20) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def use_toy_encoder(monkeypatch) -> ToyEncoder:  # noqa: ANN001 - pytest's MonkeyPatch
    """Every encoder spec resolves to one toy encoder ("toy-hash"; no model loading), and classifiers
    that an earlier test's `mgi run` built and cached in this process are forgotten."""
    import pipeline.learning.factory
    import pipeline.services.runs
    import pipeline.stages.embed

    enc = ToyEncoder()
    monkeypatch.setattr(pipeline.stages.embed, "get_encoder", lambda spec: enc)
    monkeypatch.setattr(pipeline.learning.factory, "get_encoder", lambda spec: enc)
    monkeypatch.setattr(pipeline.services.runs, "_CLASSIFIERS", {})
    return enc
