"""What the layer tests share: an op against torch, its forward values and every input's gradient."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from autograd import Tensor


def tolerance(dtype: Any) -> float:
    """The relative tolerance against torch: 1e-10 in float64, 1e-5 in float32."""
    return 1e-10 if np.dtype(dtype) == np.float64 else 1e-5


def against_torch(ours: Callable, theirs: Callable, arrays: list, dtype: Any = np.float64, seed: int = 0,
                  tol: float | None = None) -> None:
    """``ours`` on Tensors and ``theirs`` on torch tensors give the same output (shape, dtype, numbers) and, under one
    random upstream gradient, the same gradient for every input; the arrays are cast to ``dtype`` (a non-contiguous
    array stays so on our side)."""
    torch = pytest.importorskip("torch")
    tol = tolerance(dtype) if tol is None else tol
    arrays = [np.asarray(a).astype(dtype, copy=False) for a in arrays]
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    qs = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out, ref = ours(*ts), theirs(*qs)
    assert out.shape == tuple(ref.shape)
    assert out.dtype == np.dtype(dtype)
    want = ref.detach().numpy()
    atol = tol * max(1.0, float(np.abs(want).max()) if want.size else 1.0)
    np.testing.assert_allclose(out.data, want, rtol=tol, atol=atol)
    g = np.random.default_rng(seed + 99).standard_normal(out.shape).astype(dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for t, q in zip(ts, qs):
        np.testing.assert_allclose(t.grad.data, q.grad.numpy(), rtol=tol, atol=atol)
