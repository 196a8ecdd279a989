"""Services: what the commands, pages and flows do, as functions over the store and the stages.

May import: ``pipeline.records``, ``pipeline.config``, ``pipeline.errors``, ``pipeline.stages``,
``pipeline.learning`` and ``pipeline.storage``; never Prefect, FastAPI, Starlette, Jinja2, ``flows`` or ``apps``.
"""
