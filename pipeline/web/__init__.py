"""The review web app (``mgi serve``): see ``pipeline.web.app.create_app``."""
