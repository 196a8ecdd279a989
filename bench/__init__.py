"""Benchmarks: generated corpora of growing size and a harness that measures the pipeline against
its own bound (bare extraction plus bare encoding). Run with ``make bench`` or ``python -m bench.run``."""
