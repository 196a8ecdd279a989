"""The one base class of the project's errors, and the errors of the configuration.

Every exception the project raises on purpose derives from ``MgiError``: its message names the
thing and what to do, in one line. The apps translate it once each: the CLI
(``apps.cli.common.message``, exit code 2) and the web app (an error page, or JSON under
``/api/``). Classes that were ``ValueError`` subclasses stay so, for callers that catch that.

May import: nothing of the project.
"""

from __future__ import annotations


class MgiError(Exception):
    """An error a user can cause or fix; ``str(err)`` is the one-line message."""


class ConfigError(MgiError, ValueError):
    """A setting (``MGI_*`` variable, option or configuration file) is wrong; the message says which."""
