"""Loaded models are kept out of the garbage collector's sight (pipeline/heap.py)."""

from __future__ import annotations

import gc

from pipeline.stages.heap import freeze_loaded


def test_loaded_objects_are_frozen_and_later_garbage_still_collected():
    gc.unfreeze()
    try:
        kept = [{"model": i} for i in range(1000)]
        freeze_loaded()
        assert gc.get_freeze_count() >= len(kept)

        cycle: list[object] = []
        cycle.append(cycle)  # garbage made after the freeze is collected as usual
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_a_sentence_pipeline_is_frozen_once_loaded():
    from pipeline.stages.segment import sentence_pipeline

    gc.unfreeze()
    sentence_pipeline.cache_clear()
    try:
        sentence_pipeline("en")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
