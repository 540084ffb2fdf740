"""``python -m nn.playground``: the same as ``gradwork-playground``."""

import sys

from .server import main

sys.exit(main())
