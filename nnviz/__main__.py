"""``python -m nnviz`` is the same as the ``nnviz`` command."""

import sys

from nnviz.cli import main

sys.exit(main())
