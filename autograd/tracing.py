"""The switch that ``autograd.compile`` flips while it records a function (read by every op; no imports here).

``recorder`` is None except while a trace runs; then ops, ``backward`` calls
and replayable calls (an optimiser's ``step``/``zero_grad``) report to it.
"""

from __future__ import annotations

from typing import Any


class _State:
    recorder: Any = None  # class default: reading it costs one attribute lookup per op


state = _State()


def replayable(method: Any) -> Any:
    """Mark a method (an optimiser's ``step`` or ``zero_grad``) as one call that ``autograd.compile`` replays."""
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        rec = state.recorder
        if rec is None:
            return method(self, *args, **kwargs)
        return rec.call(method, self, args, kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__qualname__ = getattr(method, "__qualname__", method.__name__)
    wrapper.__doc__ = method.__doc__
    wrapper.__wrapped__ = method
    return wrapper
