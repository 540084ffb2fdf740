"""The playground: train a small network in the browser and watch back-propagation, one node at a time.

``gradwork-playground`` (or ``python -m nn.playground``) starts it; it needs the
``playground`` extra (``pip install gradwork[playground]``: Starlette, uvicorn
and websockets). ``Session`` is one tab's run, usable without the server.
"""

from .session import Session
from .settings import DEFAULTS, SPEC, SettingError, validate

__all__ = ["Session", "SettingError", "SPEC", "DEFAULTS", "validate", "main"]


def main(argv: list[str] | None = None) -> int:
    """The ``gradwork-playground`` command (see ``nn.playground.server.main``)."""
    from .server import main as _main

    return _main(argv)
