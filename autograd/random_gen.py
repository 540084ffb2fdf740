"""torch.Generator: a seedable random number generator object, and torch's module-level seeding functions.

    >>> g = Generator().manual_seed(0)
    >>> a = rand(3, generator=g); g.manual_seed(0); bool((rand(3, generator=g) == a).all())
    True

A ``Generator`` holds a numpy ``PCG64`` generator: the same seed gives the same
numbers (in gradwork), but not torch's numbers (torch uses a Mersenne Twister
with its own sampling code, so ``torch.rand(3, generator=g)`` and
``autograd.rand(3, generator=g)`` differ). ``get_state()`` is a uint8 tensor
(the generator's state as JSON text), to be given back to ``set_state``.

``default_generator`` is the library generator that ``autograd.manual_seed``
seeds and that every random function uses when given no generator.
Wherever torch takes ``generator=``, gradwork takes a ``Generator``, a
``numpy.random.Generator`` or None.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import numpy as np

from . import creation as _creation
from .tensor import Tensor

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    "rng_of",
]

_TORCH_DEFAULT_SEED = 67280421310721  # a new torch.Generator() starts from this seed; so does ours
_U64 = 1 << 64


def _seed_arg(seed: Any, op: str) -> int:
    """torch's seeds: any int in [-2**63, 2**64); a negative one counts modulo 2**64."""
    if isinstance(seed, Tensor) and seed.data.size == 1 and seed.data.dtype.kind in "iu":
        seed = int(seed.data.item())
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{op}: the seed must be an int, got {type(seed).__name__} {seed!r:.40}")
    seed = int(seed)
    if not -(1 << 63) <= seed < _U64:
        raise ValueError(f"{op}: the seed {seed} is out of range; use an int in [-2**63, 2**64)")
    return seed % _U64


def _check_device(device: Any) -> str:
    name = str(getattr(device, "type", device)).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"Generator: gradwork computes on the CPU only (numpy/numba), got device {device!r}; use 'cpu'"
        )
    return "cpu"


class Generator:
    """torch.Generator over numpy's PCG64: ``manual_seed(s)`` (returns the generator), ``seed()`` (a fresh
    nondeterministic seed, returned), ``initial_seed()``, ``get_state()``/``set_state(state)``.
    Same seed, same numbers; not torch's numbers."""

    def __init__(self, device: Any = "cpu") -> None:
        self._device = _check_device(device)
        self._rng = np.random.default_rng(_TORCH_DEFAULT_SEED)
        self._initial = _TORCH_DEFAULT_SEED

    # the numpy generator drawn from; the default generator's is the library's (see _DefaultGenerator)
    def _numpy(self) -> np.random.Generator:
        return self._rng

    def _reseed(self, seed: int) -> None:  # in place: whatever holds this generator's stream follows it
        self._rng.bit_generator.state = np.random.PCG64(seed).state

    @property
    def device(self) -> Any:
        from .torch_extra import device

        return device(self._device)

    def manual_seed(self, seed: Any) -> "Generator":
        """Restart the stream from ``seed``; returns the generator (``g = Generator().manual_seed(0)``)."""
        s = _seed_arg(seed, "manual_seed")
        self._reseed(s)
        self._initial = s
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the new seed."""
        s = secrets.randbits(63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._initial

    def get_state(self) -> Tensor:
        """The generator's state, as a uint8 tensor (JSON text) for ``set_state``."""
        state = {"bit_generator_state": self._numpy().bit_generator.state, "initial_seed": self.initial_seed()}
        return Tensor._make(np.frombuffer(json.dumps(state).encode(), dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> "Generator":
        """Go back to a state ``get_state()`` returned; returns the generator."""
        arr = new_state.data if isinstance(new_state, Tensor) else new_state
        if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8 or arr.ndim != 1:
            raise TypeError(
                f"set_state: expected the uint8 tensor that get_state() returns, got {type(new_state).__name__}"
                + (f" of dtype {arr.dtype} and shape {arr.shape}" if isinstance(arr, np.ndarray) else "")
            )
        bitgen = self._numpy().bit_generator
        try:
            state = json.loads(arr.tobytes().decode())
            inner, initial = state["bit_generator_state"], int(state["initial_seed"])
            if inner.get("bit_generator") != type(bitgen).__name__:
                raise ValueError
            bitgen.state = inner
            self._initial = initial
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            raise ValueError(
                "set_state: this is not a state from gradwork's Generator.get_state() (torch's states do not fit: "
                "gradwork's generator is numpy's PCG64)"
            ) from None
        return self

    def __repr__(self) -> str:
        return f"<autograd.Generator on cpu, initial_seed={self._initial}>"


class _DefaultGenerator(Generator):
    """The library generator (``autograd.default_generator``): its stream is the one ``autograd.manual_seed``
    seeds and ``autograd.default_rng()`` returns."""

    def __init__(self) -> None:
        self._device = "cpu"

    def initial_seed(self) -> int:
        """The seed the library generator was last started from (a random 128-bit one until seeded)."""
        return int(_creation._rng.bit_generator.seed_seq.entropy)

    def _numpy(self) -> np.random.Generator:
        return _creation._rng

    def _reseed(self, seed: int) -> None:
        _creation.manual_seed(seed)

    def __repr__(self) -> str:
        return f"<autograd.default_generator, initial_seed={self.initial_seed()}>"


default_generator = _DefaultGenerator()


def rng_of(generator: Any, op: str) -> np.random.Generator:
    """The numpy generator to draw from for ``generator=``: a Generator's, a numpy Generator itself, or the
    library's for None."""
    if generator is None:
        return _creation._rng
    if isinstance(generator, Generator):
        return generator._numpy()
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{op}: generator must be an autograd.Generator, a numpy.random.Generator or None, got "
        f"{type(generator).__name__} {generator!r:.40}" + ("; for a seed, use Generator().manual_seed(seed)"
                                                            if isinstance(generator, (int, np.integer)) else "")
    )


def manual_seed(seed: Any) -> Generator:
    """Seed the library generator (torch.manual_seed) with an int >= 0; returns ``default_generator``.
    (``Generator.manual_seed`` takes torch's whole range, negative seeds too.)"""
    _creation.manual_seed(seed)
    return default_generator


def seed() -> int:
    """Seed the library generator from the operating system's entropy; returns the seed (torch.seed)."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the library generator was last started from (torch.initial_seed)."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The library generator's state (torch.get_rng_state), for ``set_rng_state``."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the library generator's state from ``get_rng_state()`` (torch.set_rng_state)."""
    default_generator.set_state(new_state)
