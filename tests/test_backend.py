"""The backend switch, lazy Numba loading, the thread-pool setting, and the fused linear op on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd
from autograd import Tensor, backend
from autograd.kernels import reference as R

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter at the repository root; return its stdout."""
    unset = ("GRADWORK_BACKEND", "OPENBLAS_THREAD_TIMEOUT", "GOMP_SPINCOUNT")
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(env)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# ------------------------------------------------------------------ the switch


@pytest.mark.numpy_only
def test_set_backend_swaps_every_entry_and_back():
    pytest.importorskip("numba")
    from autograd.kernels import numba_backend

    try:
        autograd.set_backend("numba")
        assert autograd.get_backend() == "numba"
        for name in R.KERNELS:
            want = numba_backend.KERNELS.get(name, R.KERNELS[name])
            assert getattr(backend.ops, name) is want, name
    finally:
        autograd.set_backend("numpy")
    assert autograd.get_backend() == "numpy"
    for name, fn in R.KERNELS.items():
        assert getattr(backend.ops, name) is fn


@pytest.mark.numpy_only
@pytest.mark.parametrize("bad", ["torch", "NUMBA", "", None, 3])
def test_unknown_backend_is_rejected(bad):
    with pytest.raises(ValueError, match="set_backend: unknown backend"):
        autograd.set_backend(bad)
    assert autograd.get_backend() == "numpy"


@pytest.mark.numpy_only
def test_environment_variable_picks_the_backend():
    pytest.importorskip("numba")
    assert run_python("import autograd; print(autograd.get_backend())", GRADWORK_BACKEND="numba") == "numba"
    assert run_python("import autograd; print(autograd.get_backend())", GRADWORK_BACKEND="numpy") == "numpy"


@pytest.mark.numpy_only
def test_missing_numba_gives_a_clear_error():
    out = run_python("""
        import sys
        sys.modules["numba"] = None  # as if it were not installed
        import autograd
        try:
            autograd.set_backend("numba")
        except RuntimeError as exc:
            print("RuntimeError:", exc)
        print(autograd.get_backend())
    """)
    assert "pip install numba" in out and out.endswith("numpy")


# ---------------------------------------------------------- lazy loading


@pytest.mark.numpy_only
def test_import_autograd_does_not_import_numba():
    assert run_python("import sys, autograd; print('numba' in sys.modules)") == "False"


@pytest.mark.numpy_only
def test_set_backend_numba_compiles_nothing_until_a_kernel_runs():
    pytest.importorskip("numba")
    out = run_python("""
        import numpy as np, autograd
        from autograd.kernels import numba_backend as NB
        autograd.set_backend("numba")
        kernels = [getattr(k, "serial", k) for k, _ in NB._warmup_calls(np.dtype(np.float64))]
        print(sum(len(k.signatures) for k in kernels))
        NB.relu_backward(np.ones(5000), np.ones(5000))
        print(sum(len(k.signatures) for k in kernels))
    """)
    assert out.split() == ["0", "1"]


# ------------------------------------------------------------- thread pools


@pytest.mark.numpy_only
def test_import_before_numpy_sets_the_openblas_timeout():
    out = run_python("""
        import os, autograd
        from autograd.backend import blas_pools_settled
        print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"), blas_pools_settled())
    """)
    assert out == "20 True"


@pytest.mark.numpy_only
def test_user_setting_is_kept():
    out = run_python("import os, autograd; print(os.environ['OPENBLAS_THREAD_TIMEOUT'])", OPENBLAS_THREAD_TIMEOUT="8")
    assert out == "8"


@pytest.mark.numpy_only
def test_kernels_set_a_short_openmp_spin_and_keep_the_users():
    pytest.importorskip("numba")
    code = """
        import os, autograd
        autograd.set_backend("numba")
        from autograd.kernels import jit
        print(os.environ["GOMP_SPINCOUNT"], jit.SPINCOUNT)
    """
    assert run_python(code) == "2000 2000"  # ~50 us of spinning, then sleep (see autograd/kernels/jit.py)
    assert run_python(code, GOMP_SPINCOUNT="0") == "0 2000"


@pytest.mark.numpy_only
def test_numpy_first_without_the_timeout_keeps_kernels_serial():
    pytest.importorskip("numba")
    out = run_python("""
        import warnings
        import numpy, autograd
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            autograd.set_backend("numba")
        from autograd.kernels import numba_backend as NB
        print(autograd.backend.blas_pools_settled(), NB.parallel_allowed(),
              any("OPENBLAS_THREAD_TIMEOUT" in str(w.message) for w in caught))
    """, NUMBA_NUM_THREADS="2")
    assert out == "False False True"


@pytest.mark.numpy_only
def test_openmp_loaded_first_keeps_kernels_serial():
    pytest.importorskip("numba")
    pytest.importorskip("torch")  # torch brings its own libgomp.so.1, which Numba then uses
    out = run_python("""
        import warnings
        import torch, autograd
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            autograd.set_backend("numba")
        from autograd.kernels import numba_backend as NB
        print(NB.parallel_allowed(), any("GOMP_SPINCOUNT" in str(w.message) for w in caught))
    """, NUMBA_NUM_THREADS="2")
    assert out == "False True"


# ------------------------------------------------------- the fused linear op

ACTS = [(None, {}), ("relu", {}), ("leaky_relu", {"slope": 0.1}), ("sigmoid", {}), ("tanh", {}),
        ("elu", {"alpha": 0.8})]


def unfused(x, w, b, act, kw):
    z = autograd.linear(x, w, b)
    if act is None:
        return z
    if act == "leaky_relu":
        return z.leaky_relu(kw["slope"])
    if act == "elu":
        return z.elu(kw["alpha"])
    return getattr(z, act)()


@pytest.mark.parametrize("act, kw", ACTS)
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5), (5,), (300, 5)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_fused_linear_matches_linear_then_activation(act, kw, shape, use_bias, backend):
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True) if use_bias else None
    leaves = [t for t in (x, w, b) if t is not None]
    y = autograd.linear(x, w, b, activation=act, **kw)
    assert y.dtype == np.float64 and y.shape == shape[:-1] + (4,)
    (y * y).sum().backward()
    fused = [t.grad.data.copy() for t in leaves]
    for t in leaves:
        t.grad = None
    y2 = unfused(x, w, b, act, kw)
    (y2 * y2).sum().backward()
    np.testing.assert_allclose(y.data, y2.data, rtol=1e-12, atol=1e-12)
    for got, t in zip(fused, leaves):
        np.testing.assert_allclose(got, t.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("act, kw", ACTS)
def test_fused_linear_gradcheck_and_second_derivative(act, kw, backend):
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((3, 4)) + 0.1, requires_grad=True)
    w = Tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    assert autograd.gradcheck(lambda x, w, b: autograd.linear(x, w, b, activation=act, **kw), (x, w, b))
    # second order: d/dx of sum(d out/dx) through create_graph, against the unfused composition
    (gx,) = autograd.gradients(autograd.linear(x, w, b, activation=act, **kw).sum(), [x], create_graph=True)
    (hx,) = autograd.gradients((gx * gx).sum(), [x], allow_unused=True)
    (gx2,) = autograd.gradients(unfused(x, w, b, act, kw).sum(), [x], create_graph=True)
    (hx2,) = autograd.gradients((gx2 * gx2).sum(), [x], allow_unused=True)
    if hx2 is None:
        assert hx is None or np.allclose(hx.data, 0)
    else:
        np.testing.assert_allclose(hx.data, hx2.data, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_linear_keeps_float32(dtype, backend):
    x = Tensor(np.ones((300, 8)), dtype=dtype, requires_grad=True)
    w = Tensor(np.full((20, 8), 0.1), dtype=dtype, requires_grad=True)
    b = Tensor(np.zeros(20), dtype=dtype, requires_grad=True)
    y = autograd.linear(x, w, b, activation="relu")
    y.sum().backward()
    assert y.dtype == dtype and x.grad.dtype == dtype and w.grad.dtype == dtype and b.grad.dtype == dtype


@pytest.mark.numpy_only
def test_fused_linear_rejects_unknown_activation_and_handles_negative_slope():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((4, 3)))
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        autograd.linear(x, w, activation="gelu")
    y = autograd.linear(-x, w, activation="leaky_relu", slope=-0.5)  # not fusable: composed instead
    np.testing.assert_allclose(y.data, 1.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2.0)
