"""``python -m apps.cli``: the same as the ``mgi`` command."""

import sys

from apps.cli import main

sys.exit(main())
