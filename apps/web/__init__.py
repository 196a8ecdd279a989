"""The review web app (``mgi serve``): see ``apps.web.app.create_app``."""
