"""`mgi train` and `mgi evaluate` (kept apart so the main CLI module stays small)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_commands(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:
    return None
