"""The applications over the core library: the ``mgi`` command line (``apps.cli``) and the web
app (``apps.web``). Nothing in ``pipeline`` or ``flows`` imports this package.

May import: everything (``pipeline``, ``flows``, FastAPI, Starlette, Jinja2, uvicorn).
"""
