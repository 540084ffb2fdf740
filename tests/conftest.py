"""Every test runs on both backends (numpy reference and Numba) unless marked ``numpy_only``.

GRADWORK_TEST_BACKENDS=numpy (or numba) narrows the run to one backend.
"""

from __future__ import annotations

import os

import pytest

import autograd

_BACKENDS = [b for b in os.environ.get("GRADWORK_TEST_BACKENDS", "numpy,numba").split(",") if b]


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("numpy_only"):
        backends = ["numpy"]
    else:
        backends = _BACKENDS
    metafunc.fixturenames.append("backend")
    metafunc.parametrize("backend", backends, indirect=True, scope="function")


@pytest.fixture
def backend(request: pytest.FixtureRequest):
    name = getattr(request, "param", "numpy")
    if name == "numba" and not _numba_available():
        pytest.skip("numba is not installed")
    previous = autograd.get_backend()
    autograd.set_backend(name)
    yield name
    autograd.set_backend(previous)
