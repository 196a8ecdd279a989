"""Storage: every table (``tables``), opening databases (``engine``), the store and its shared
queries (``store``, ``queries``), and the Alembic migrations (``migrations``), the only way tables
are created or changed.

May import: ``pipeline.records``, ``pipeline.config``, ``pipeline.errors``, SQLAlchemy, Alembic;
never ``pipeline.stages``, ``pipeline.learning``, ``pipeline.services``, ``flows`` or ``apps``.
"""
