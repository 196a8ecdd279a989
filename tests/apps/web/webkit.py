"""Helpers for the web tests (imported by test modules; conftest.py names are not importable reliably)."""

from __future__ import annotations

import re


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)
