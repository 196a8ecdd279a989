"""The review app's routers, one module per resource; ``apps.web.app.create_app`` includes them all
behind its session and CSRF check. May import: ``apps.web.deps``, ``pipeline`` (core), FastAPI."""

from apps.web.routes import admin, api, auth, bulk, items, queue, reports

ROUTERS = [auth.router, queue.router, items.router, bulk.router, admin.router, reports.router, api.router]
