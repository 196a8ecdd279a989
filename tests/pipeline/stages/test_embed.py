"""Encoders: spec parsing, normalisation, concatenation, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from toy import ToyEncoder

from pipeline.stages.embed import Concatenated, EncoderError, get_encoder


def test_unknown_spec_is_a_clear_error() -> None:
    with pytest.raises(EncoderError, match="unknown encoder 'nope'.*use-multilingual"):
        get_encoder("nope")


def test_concatenation_is_normalised() -> None:
    enc = Concatenated([ToyEncoder(32, "a"), ToyEncoder(16, "b")])
    v = enc.encode(["one text", "another text"])
    assert v.shape == (2, 48) and enc.name == "a+b"
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_use_multilingual_is_cross_lingual_and_batched() -> None:
    enc = get_encoder("use-multilingual")
    texts = [
        "Migrants have access to public health care.",
        "Les migrants ont accès aux soins de santé publics.",
        "The annual budget for rural roads is approved.",
    ] * 30
    v = enc.encode(texts, batch_size=16)
    assert v.shape == (90, 512) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    assert enc.encode([]).shape == (0, 512)


@pytest.mark.slow
def test_sentence_transformers_backend_loads_the_packaged_minilm_offline() -> None:
    enc = get_encoder("minilm")
    v = enc.encode(["Work permits for foreign nationals.", "Permits for foreign workers.", "Fisheries quota."])
    assert v.shape == (3, 384) and v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.slow
def test_a_hub_name_fails_fast_without_downloads() -> None:
    with pytest.raises(EncoderError, match="MGI_ALLOW_DOWNLOADS"):
        get_encoder("st:some-org/not-a-local-model")


def test_encoder_threads_by_encoder_unless_told(monkeypatch):
    import os

    from pipeline.stages.embed import THREADS_ENV, EncoderError, encoder_threads

    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert encoder_threads("e5-small") == encoder_threads() == (os.cpu_count() or 1)  # scales with threads
    assert encoder_threads("use-multilingual") == 1  # a second BLAS thread only spins
    monkeypatch.setenv(THREADS_ENV, "3")
    assert encoder_threads("e5-small") == encoder_threads("use-multilingual") == 3
    for bad in ("two", "0", "-1"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(EncoderError, match=THREADS_ENV):
            encoder_threads()
