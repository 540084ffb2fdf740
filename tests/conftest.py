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


def _parametrizes_backend(metafunc: pytest.Metafunc) -> bool:
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if "backend" in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames or _parametrizes_backend(metafunc):
        return
    backends = ["numpy"] if metafunc.definition.get_closest_marker("numpy_only") else _BACKENDS
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture(autouse=True)
def backend(request: pytest.FixtureRequest):
    """Switch the backend table for one test, and restore it afterwards."""
    name = getattr(request, "param", "numpy")
    if name == "numba" and not _numba_available():
        pytest.skip("numba is not installed")
    previous = autograd.get_backend()
    autograd.set_backend(name)
    yield name
    autograd.set_backend(previous)


# ------------------------------------------------------------------ the user's folder stays as it was

_TOOL_CACHES = {".pytest_cache", ".hypothesis", "__pycache__", ".ruff_cache", ".benchmarks"}
_cwd_before: set[str] = set()


@pytest.fixture(params=["serial", "parallel"])
def conv_twin(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """autograd.kernels.numba_conv, its wrappers running that twin (serial or parallel) at every size."""
    pytest.importorskip("numba")
    from autograd.kernels import numba_backend as NB
    from autograd.kernels import numba_conv

    par = request.param == "parallel"
    monkeypatch.setattr(NB, "parallel_allowed", lambda: par)
    monkeypatch.setattr(NB, "THRESHOLDS", {**NB.THRESHOLDS, **{k: (0, 0) for k in numba_conv.KERNELS}})
    return numba_conv


def pytest_sessionstart(session: pytest.Session) -> None:
    _cwd_before.update(os.listdir(os.getcwd()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a test wrote into the folder pytest was started from (tests use tmp_path)."""
    added = sorted(set(os.listdir(os.getcwd())) - _cwd_before - _TOOL_CACHES)
    if added:
        print(f"\ntests wrote into the working directory {os.getcwd()}: {added}; write under tmp_path instead")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
