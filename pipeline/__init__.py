"""MGI evidence pipeline: policy documents in, indicator-tagged evidence out.

The package is the pure core: typed records and stage functions. Prefect flows, the CLI and the
web app call into it; nothing here imports them.
"""

__version__ = "0.1.0"
