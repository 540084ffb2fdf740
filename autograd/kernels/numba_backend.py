"""The Numba backend: the table ``set_backend("numba")`` lays over the numpy reference.

Each entry is a plain Python wrapper around compiled kernels. It hands the
work to the numpy reference kernel (same name, same result) whenever the
compiled one does not apply or would not pay off:

* an argument is not a plain ndarray (a ``Tensor`` during ``create_graph=True``,
  a subclass, a Python number);
* dtypes differ, are not float32/float64, or an array is not C-contiguous;
* the array is smaller than the kernel's ``min_size`` in ``THRESHOLDS``.

From ``parallel_size`` on the threaded twin runs, provided Numba has more
than one thread and the BLAS thread pool will not spin against it (see
``parallel_allowed``). Kernels compile on first use, never at import. The
sizes were measured with ``python -m bench --thresholds`` (bench/kernels.py).

The arrays go into the kernels as they are (any shape, C-contiguous): the
kernels view them flat or as rows inside the compiled code, where that is
free, so a call costs one type check, one ``np.empty`` and one
dispatch (measured ~1 us in all, against ~1.5 us for numpy's own call at
1e3 elements).

Ops built around ``exp`` (sigmoid, elu, the softmax family, cross-entropy)
call ``jit_exp.exp``/``expm1``: plain arithmetic that LLVM vectorises, as
fast as numpy's SIMD ``exp`` in float64 and faster in float32. Numba's own
``math.exp`` would be a scalar libm call per element, because PyPI's
llvmlite is built without Intel SVML. (An earlier version ran numpy's
``exp`` in place between two Numba passes for large arrays; one all-Numba
pass now beats it at every size.)
"""

from __future__ import annotations

import math
import threading
import warnings
from typing import Any, Callable

import numba
import numpy as np

from . import jit as J
from . import jit_elementwise as E
from . import jit_matmul as M
from . import jit_optim as O
from . import jit_rows as W
from . import reference as R
from . import blas_pools_settled

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
INF = float("inf")

# kernel -> (min_size, parallel_size) in elements: the numpy reference below min_size, the threaded
# twin from parallel_size on (INF: never)
THRESHOLDS: dict[str, tuple[float, float]] = {
    name: (0, 500_000) for name in (
        "sigmoid", "sigmoid_backward", "tanh_backward", "relu", "relu_backward", "leaky_relu",
        "leaky_relu_backward", "elu", "elu_backward", "softmax", "softmax_backward", "log_softmax",
        "log_softmax_backward", "cross_entropy", "cross_entropy_backward", "sgd_step", "adam_step",
        "rmsprop_step", "adagrad_step", "linear",
    )
}
THRESHOLDS.update({"sgd_foreach": THRESHOLDS["sgd_step"], "adam_foreach": THRESHOLDS["adam_step"]})
THRESHOLDS.update({"sum_to_shape": (0, 1_000_000), "linear_backward": (0, INF), "addmm_backward": (0, INF),
                   "add_rows_": THRESHOLDS["linear"]})
# Measured (bench/results.md, 2 cores): a wrapper that falls back to numpy costs about as much as one
# that calls the compiled kernel (~1 us), so no min_size above 0 pays. Starting a parallel loop costs
# ~50-70 us when the idle threads sleep (after ~50 us without work, jit.SPINCOUNT), as they mostly do
# between a training step's kernels, so threads pay only from ~5e5 elements. The bias sum of
# sum_to_shape pays from ~1e6: there, sleeping threads break even with the serial loop in float64
# (117 us serial, 110 us threaded) and threads still awake from the kernel before it (the usual
# case in a backward pass, where the activation's backward ran just before) take 69 us.


def parallel_allowed() -> bool:
    """True when threaded kernels may run: more than one Numba thread, and thread pools that go idle.

    Two pools spin after their work and then fight Numba's threads for the
    cores (measured: each op 7-116x slower, a training step 1.6x): OpenBLAS's,
    unless ``OPENBLAS_THREAD_TIMEOUT`` was set when numpy loaded (``import
    autograd`` sets it to 4 when it comes first), and GNU OpenMP's, which
    Numba's own threads use, unless ``GOMP_SPINCOUNT`` was set when it loaded
    (the kernels set a short spin, ``jit.SPINCOUNT``, before their first parallel loop). When either
    library was loaded earlier without its setting, the kernels stay serial.
    """
    if not (_POOLS_SETTLED and numba.get_num_threads() > 1):
        return False
    # Numba's workqueue layer aborts the process when two threads launch parallel loops at once:
    # outside the main thread, go parallel only on a layer known to be thread-safe.
    return threading.current_thread() is threading.main_thread() or _threadsafe_layer()


def _threadsafe_layer() -> bool:
    try:
        return numba.threading_layer() in ("omp", "tbb")
    except ValueError:  # no parallel loop has run yet, so the layer is not chosen
        return False


_POOLS_SETTLED = blas_pools_settled() and J.OMP_SPIN_SETTLED


_FLOATS = (_F32, _F64)


def _pick(kernel: Any, name: str, n: int) -> Callable:
    return kernel.parallel if n >= THRESHOLDS[name][1] and parallel_allowed() else kernel.serial


def _twin(a: Any, name: str, kernel: Any) -> Callable | None:
    """The twin of ``kernel`` to run on ``a``, or None where the numpy reference runs (see the module docstring)."""
    if type(a) is not np.ndarray or a.dtype not in _FLOATS or not a.flags.c_contiguous:
        return None
    lo, hi = THRESHOLDS[name]
    n = a.size
    if n < lo:
        return None
    return kernel.parallel if n >= hi and parallel_allowed() else kernel.serial


def _same(a: Any, b: Any) -> bool:
    """b is a C-contiguous ndarray with a's dtype and shape."""
    return type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape and b.flags.c_contiguous


def _ok(a: Any, name: str) -> bool:
    """a is a C-contiguous float32/float64 ndarray with at least the kernel's min_size elements."""
    return (
        type(a) is np.ndarray
        and a.dtype in _FLOATS
        and a.flags.c_contiguous
        and a.size >= THRESHOLDS[name][0]
    )


# ------------------------------------------------------------------ activations


def _unary(name: str, kernel: Any) -> Callable:
    ref = getattr(R, name)

    def run(x: Any) -> Any:
        # _twin written out: at 1e3 elements numpy takes ~1.2 us, and every 0.1 us here shows
        if type(x) is np.ndarray and x.dtype in _FLOATS and x.flags.c_contiguous:
            lo, hi = THRESHOLDS[name]
            n = x.size
            if n >= lo:
                out = np.empty(x.shape, x.dtype)
                (kernel.parallel if n >= hi and parallel_allowed() else kernel.serial)(x, out)
                return out
        return ref(x)

    run.__name__ = name
    run.__doc__ = f"Numba ``{name}`` in one pass (numpy reference outside the sizes in THRESHOLDS)."
    return run


def _binary(name: str, kernel: Any) -> Callable:
    ref = getattr(R, name)

    def run(g: Any, y: Any) -> Any:
        if (type(g) is np.ndarray and g.dtype in _FLOATS and g.flags.c_contiguous and type(y) is np.ndarray
                and y.dtype == g.dtype and y.shape == g.shape and y.flags.c_contiguous):
            lo, hi = THRESHOLDS[name]
            n = g.size
            if n >= lo:
                out = np.empty(g.shape, g.dtype)
                (kernel.parallel if n >= hi and parallel_allowed() else kernel.serial)(g, y, out)
                return out
        return ref(g, y)

    run.__name__ = name
    run.__doc__ = f"Numba ``{name}`` in one pass (numpy reference outside the sizes in THRESHOLDS)."
    return run


relu = _unary("relu", E.relu)
sigmoid = _unary("sigmoid", E.sigmoid)
sigmoid_backward = _binary("sigmoid_backward", E.sigmoid_backward)
tanh_backward = _binary("tanh_backward", E.tanh_backward)
relu_backward = _binary("relu_backward", E.relu_backward)


def leaky_relu(x: Any, slope: float) -> Any:
    """x where x > 0, else slope x, in one Numba pass."""
    k = _twin(x, "leaky_relu", E.leaky_relu)
    if k is None:
        return R.leaky_relu(x, slope)
    out = np.empty(x.shape, x.dtype)
    k(x, float(slope), out)
    return out


def leaky_relu_backward(g: Any, x: Any, slope: float) -> Any:
    """dL/dx = g where x > 0, else slope g, in one Numba pass."""
    k = _twin(g, "leaky_relu_backward", E.leaky_relu_backward)
    if k is None or not _same(g, x):
        return R.leaky_relu_backward(g, x, slope)
    out = np.empty(g.shape, g.dtype)
    k(g, x, float(slope), out)
    return out


def elu(x: Any, alpha: float) -> Any:
    """x where x > 0, else alpha (e**x - 1), in one Numba pass."""
    k = _twin(x, "elu", E.elu)
    if k is None:
        return R.elu(x, alpha)
    out = np.empty(x.shape, x.dtype)
    k(x, float(alpha), out)
    return out


def elu_backward(g: Any, x: Any, y: Any, alpha: float) -> Any:
    """dL/dx = g where x > 0, else g (y + alpha), in one Numba pass."""
    k = _twin(g, "elu_backward", E.elu_backward)
    if k is None or not (_same(g, x) and _same(g, y)):
        return R.elu_backward(g, x, y, alpha)
    out = np.empty(g.shape, g.dtype)
    k(g, x, y, float(alpha), out)
    return out


# ------------------------------------------------------------ softmax family


def _rows_twin(x: Any, axis: int, name: str, kernel: Any) -> Callable | None:
    """As ``_twin``, for a kernel along the last axis (None for any other axis, or rows of length 0)."""
    k = _twin(x, name, kernel)
    if k is None or x.ndim == 0 or axis not in (-1, x.ndim - 1) or x.shape[-1] == 0:
        return None
    return k


def _along_rows(name: str, kernel: Any) -> Callable:
    ref = getattr(R, name)

    def run(x: Any, axis: int) -> Any:
        k = _rows_twin(x, axis, name, kernel)
        if k is None:
            return ref(x, axis)
        out = np.empty(x.shape, x.dtype)
        k(x, out)
        return out

    run.__name__ = name
    run.__doc__ = f"Numba ``{name}`` along the last axis, one row at a time (other axes: the numpy reference)."
    return run


def _along_rows_backward(name: str, kernel: Any) -> Callable:
    ref = getattr(R, name)

    def run(g: Any, y: Any, axis: int) -> Any:
        k = _rows_twin(g, axis, name, kernel)
        if k is None or not _same(g, y):
            return ref(g, y, axis)
        out = np.empty(g.shape, g.dtype)
        k(g, y, out)
        return out

    run.__name__ = name
    run.__doc__ = f"Numba ``{name}`` along the last axis, one row at a time (other axes: the numpy reference)."
    return run


softmax = _along_rows("softmax", W.softmax)
log_softmax = _along_rows("log_softmax", W.log_softmax)
softmax_backward = _along_rows_backward("softmax_backward", W.softmax_backward)
log_softmax_backward = _along_rows_backward("log_softmax_backward", W.log_softmax_backward)


def _labels_ok(logits: Any, labels: Any) -> bool:
    return (
        type(labels) is np.ndarray
        and labels.dtype.kind in "iu"
        and labels.shape == logits.shape[:1]
        and logits.ndim == 2
        and logits.shape[1] > 0
    )


def cross_entropy(logits: Any, labels: Any) -> tuple:
    """Per-row losses and log-probabilities; out-of-range labels go to the reference (its error or wrap-around)."""
    k = _twin(logits, "cross_entropy", W.cross_entropy)
    if k is None or not _labels_ok(logits, labels):
        return R.cross_entropy(logits, labels)
    logp = np.empty(logits.shape, logits.dtype)
    losses = np.empty(logits.shape[0], dtype=logits.dtype)
    if k(logits, labels, logp, losses):
        return R.cross_entropy(logits, labels)
    return losses, logp


def cross_entropy_backward(g: Any, logp: Any, labels: Any) -> Any:
    """dL/dlogits = g[:, None] (e**logp - onehot(labels)); out-of-range labels go to the reference."""
    k = _twin(logp, "cross_entropy_backward", W.cross_entropy_backward)
    if k is None or not (
        _labels_ok(logp, labels)
        and type(g) is np.ndarray
        and g.dtype == logp.dtype
        and g.shape == labels.shape
    ):
        return R.cross_entropy_backward(g, logp, labels)
    out = np.empty(logp.shape, logp.dtype)
    return R.cross_entropy_backward(g, logp, labels) if k(g, logp, labels, out) else out


# --------------------------------------------------------------- sum_to_shape


def _reduction_plan(gshape: tuple, shape: tuple) -> tuple[str, int, int] | None:
    """How to undo a broadcast with one 2-D sum, or None.

    ``("rows", a, b)``: view g as (a, b) and add up its rows (the summed axes
    lead, as for a bias); ``("cols", a, b)``: add up each row (the summed axes
    trail). Axes of length 1 in g never matter.
    """
    if len(gshape) == 2 and len(shape) == 1 and shape[0] == gshape[1]:  # the bias of a (batch, features) op
        return ("rows", gshape[0], gshape[1])
    if len(shape) > len(gshape):
        return None
    padded = (1,) * (len(gshape) - len(shape)) + shape
    pattern = ""
    kept = 1
    for n, m in zip(gshape, padded):
        if n == 1:
            if m != 1:
                return None
        elif m == n:
            pattern += "k"
            kept *= n
        elif m == 1:
            pattern += "s"
        else:
            return None
    total = math.prod(gshape)
    if "ks" not in pattern:
        return ("rows", total // kept, kept)
    if "sk" not in pattern:
        return ("cols", kept, total // kept)
    return None


def sum_to_shape(g: Any, shape: tuple) -> Any:
    """Undo broadcasting with a Numba sum over rows or along rows when the summed axes form one block."""
    shape = tuple(shape)
    if not _ok(g, "sum_to_shape") or g.shape == shape:
        return R.sum_to_shape(g, shape)
    plan = _reduction_plan(g.shape, shape)
    if plan is None or g.size == 0:
        return R.sum_to_shape(g, shape)
    how, a, b = plan
    g2 = g.reshape(a, b)
    # the result is made in its final shape and the kernels fill a flat view of it, so it is a fresh array
    # (not a view of one), which .grad takes as it is
    out = np.empty(shape, dtype=g.dtype)
    if how == "rows":
        flat = out.reshape(b)
        if g.size >= THRESHOLDS["sum_to_shape"][1] and parallel_allowed():
            W.sum_rows_into.parallel(g2, 4 * numba.get_num_threads(), flat)
        else:
            W.sum_rows_into.serial(g2, 1, flat)
    else:
        _pick(W.sum_cols_into, "sum_to_shape", g.size)(g2, out.reshape(a))
    return out


# ------------------------------------------------------------------- linear


# stands in for an absent array (bias=None, no momentum buffer): never read, and never the same memory
# as the real arguments, or LLVM's overlap check would send every loop down its unvectorised path
_ABSENT = {_F32: np.zeros(1, _F32), _F64: np.zeros(1, _F64)}


def linear(x: Any, weight: Any, bias: Any, activation: str | None = None, param: float = 0.0) -> Any:
    """act(x @ weight.T + bias): numpy's BLAS for the product, then bias and activation in one Numba pass over it.

    (``jit_matmul.linear_forward`` does the same with ``np.dot`` inside one compiled function; bench/
    measured it slower: Numba's ``np.dot`` costs more per call and goes through SciPy's second OpenBLAS.)
    The checks are the few this needs, written out: a layer is called often on small arrays.
    """
    dt = x.dtype if type(x) is np.ndarray else None
    if (
        dt not in _FLOATS
        or type(weight) is not np.ndarray
        or weight.dtype != dt
        or weight.ndim != 2
        or x.ndim == 0
        or x.shape[-1] != weight.shape[1]
        or x.size == 0
        or not (x.flags.c_contiguous and weight.flags.c_contiguous)
        or (bias is not None and (type(bias) is not np.ndarray or bias.dtype != dt or bias.shape != weight.shape[:1]))
    ):
        return R.linear(x, weight, bias, activation, param)
    two_d = x.ndim == 2
    out = (x if two_d else x.reshape(-1, x.shape[-1])) @ weight.T
    if bias is not None or activation is not None:
        b = bias if bias is not None else _ABSENT[dt]
        _pick(M.epilogue, "linear", out.size)(out, b, bias is not None, M.ACTIVATIONS[activation], dt.type(param))
    return out if two_d else out.reshape(x.shape[:-1] + weight.shape[:1])


def add_rows_(out: np.ndarray, b: np.ndarray) -> None:
    """out += b over rows, in place: the linear layer's epilogue without an activation (numpy's numbers)."""
    dt = out.dtype
    if (
        dt not in _FLOATS
        or out.ndim != 2
        or not out.flags.c_contiguous
        or type(b) is not np.ndarray
        or b.dtype != dt
        or b.shape != out.shape[1:]
    ):
        return R.add_rows_(out, b)
    _pick(M.epilogue, "linear", out.size)(out, b, True, 0, dt.type(0))


def addmm_backward(g: Any, x: Any, w: Any, out: Any, activation: str | None, param: float, needs: tuple) -> tuple:
    """(dL/dx, dL/dw, dL/db) of act(x @ w + b): dz = g act'(z) and dL/db in one Numba pass, then BLAS."""
    nx, nw, nb = needs
    if (
        type(g) is not np.ndarray  # (first: numpy counts None as equal to float64, so dt-in-_FLOATS cannot test it)
        or g.dtype not in _FLOATS
        or g.ndim != 2
        or not g.flags.c_contiguous
        or type(x) is not np.ndarray
        or type(w) is not np.ndarray
        or (activation is not None and not _same(g, out))
    ):
        return R.addmm_backward(g, x, w, out, activation, param, needs)
    dt = g.dtype
    gb = np.empty(g.shape[1] if nb else 0, dtype=dt)
    if activation is not None:
        gz = np.empty(g.shape, dtype=dt)
        M.pre_activation_grad(g, out, M.ACTIVATIONS[activation], dt.type(param), gz, gb, nb)
    else:
        gz = g
        if nb:
            W.sum_rows_into.serial(g, 1, gb)
    return (gz @ w.T if nx else None), (x.T @ gz if nw else None), (gb if nb else None)


def linear_backward(g: Any, x: Any, weight: Any, out: Any, activation: str | None, param: float,
                    needs: tuple) -> tuple:
    """(dL/dx, dL/dweight, dL/dbias) of ``linear``: dz = g act'(z) and dL/dbias in one Numba pass, then BLAS."""
    nx, nw, nb = needs
    dt = g.dtype if type(g) is np.ndarray else None
    if (
        dt not in _FLOATS
        or type(x) is not np.ndarray
        or x.dtype != dt
        or type(weight) is not np.ndarray
        or weight.dtype != dt
        or weight.ndim != 2
        or g.ndim == 0
        or x.ndim == 0
        or g.shape[-1] != weight.shape[0]
        or x.shape[-1] != weight.shape[1]
        or g.size == 0
        or g.size // g.shape[-1] != x.size // x.shape[-1]
        or not (g.flags.c_contiguous and x.flags.c_contiguous and weight.flags.c_contiguous)
        or (activation is not None and not _same(g, out))
    ):
        return R.linear_backward(g, x, weight, out, activation, param, needs)
    two_d = g.ndim == 2
    g2 = g if two_d else g.reshape(-1, g.shape[-1])
    gb = np.empty(g2.shape[1] if nb else 0, dtype=dt)
    if activation is not None:
        gz = np.empty(g2.shape, dtype=dt)
        M.pre_activation_grad(g2, out if two_d else out.reshape(g2.shape), M.ACTIVATIONS[activation], dt.type(param),
                              gz, gb, nb)
    else:
        gz = g2
        if nb:
            W.sum_rows_into.serial(g2, 1, gb)
    gx = gw = None
    if nx:
        gx = gz @ weight
        if not (two_d and x.ndim == 2):
            gx = gx.reshape(x.shape)
    if nw:
        gw = gz.T @ (x if x.ndim == 2 else x.reshape(-1, x.shape[-1]))
    return gx, gw, gb if nb else None


# ------------------------------------------------------- optimiser updates


def _state_ok(p: Any, name: str, *state: Any) -> bool:
    if not _ok(p, name):
        return False
    for s in state:
        if s is not None and not _same(p, s):
            return False
    return True


def sgd_step(p: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, lr: float, momentum: float,
             dampening: float, nesterov: bool, weight_decay: float, first: bool) -> None:
    """SGD with momentum, one pass, in place (same arguments as the reference).

    The checks are written out: an optimiser calls this once per parameter per step.
    """
    dt = p.dtype if type(p) is np.ndarray else None
    if (
        dt not in _FLOATS
        or type(grad) is not np.ndarray
        or grad.dtype != dt
        or grad.shape != p.shape
        or not (p.flags.c_contiguous and grad.flags.c_contiguous)
        or ((buf is not None or momentum) and not _same(p, buf))
    ):
        return R.sgd_step(p, grad, buf, lr, momentum, dampening, nesterov, weight_decay, first)
    n = p.size
    lo, hi = THRESHOLDS["sgd_step"]
    if n < lo:
        return R.sgd_step(p, grad, buf, lr, momentum, dampening, nesterov, weight_decay, first)
    kernel = O.sgd.parallel if n >= hi and parallel_allowed() else O.sgd.serial
    kernel(p, grad, buf if buf is not None else _ABSENT[dt], float(lr), float(momentum), float(1 - dampening),
           bool(nesterov), float(weight_decay), bool(weight_decay), bool(momentum), bool(first))


def adam_step(p: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, vmax: np.ndarray | None,
              step: int, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
              decoupled: bool) -> None:
    """Adam / AdamW (and AMSGrad with ``vmax``), one pass, in place."""
    if not _state_ok(p, "adam_step", grad, m, v, vmax):
        return R.adam_step(p, grad, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, decoupled)
    w = 1 - beta1  # m moves this far towards g (a lerp, as in the reference)
    kernel = _pick(O.adam, "adam_step", p.size)
    kernel(p, grad, m, v, vmax if vmax is not None else _ABSENT[p.dtype],
           vmax is not None, float(lr / (1 - beta1**step)), float(1 - w), float(w), float(beta2), float(1 - beta2),
           float((1 - beta2**step) ** 0.5), float(eps), float(weight_decay), bool(weight_decay), bool(decoupled),
           float(1 - lr * weight_decay))


def sgd_foreach(ps: list, grads: list, lr: float, weight_decay: float) -> None:
    """SGD without momentum for a group: the arguments converted once, then ``sgd_step``'s kernel per parameter."""
    lr_, wd_, has_wd = float(lr), float(weight_decay), bool(weight_decay)
    hi = THRESHOLDS["sgd_step"][1]
    kernel = O.sgd.serial
    for p, g in zip(ps, grads):
        dt = p.dtype
        if (dt not in _FLOATS or type(g) is not np.ndarray or g.dtype != dt or g.shape != p.shape
                or not (p.flags.c_contiguous and g.flags.c_contiguous)):
            R.sgd_step(p, g, None, lr, 0.0, 0.0, False, weight_decay, True)
            continue
        k = kernel if p.size < hi or not parallel_allowed() else O.sgd.parallel
        k(p, g, _ABSENT[dt], lr_, 0.0, 1.0, False, wd_, has_wd, False, True)


def adam_foreach(ps: list, grads: list, ms: list, vs: list, step: int, lr: float, beta1: float, beta2: float,
                 eps: float, weight_decay: float, decoupled: bool) -> None:
    """Adam / AdamW (no AMSGrad) for a group at one step: the step's constants computed once (as ``adam_step``
    computes them), then ``adam_step``'s kernel per parameter."""
    w = 1 - beta1
    args = (float(lr / (1 - beta1**step)), float(1 - w), float(w), float(beta2), float(1 - beta2),
            float((1 - beta2**step) ** 0.5), float(eps), float(weight_decay), bool(weight_decay), bool(decoupled),
            float(1 - lr * weight_decay))
    hi = THRESHOLDS["adam_step"][1]
    kernel = O.adam.serial
    for p, g, m, v in zip(ps, grads, ms, vs):
        dt = p.dtype
        shape = p.shape
        if (dt not in _FLOATS or type(g) is not np.ndarray or g.dtype != dt or g.shape != shape
                or type(m) is not np.ndarray or m.dtype != dt or m.shape != shape
                or type(v) is not np.ndarray or v.dtype != dt or v.shape != shape
                or not (p.flags.c_contiguous and g.flags.c_contiguous and m.flags.c_contiguous
                        and v.flags.c_contiguous)):
            R.adam_step(p, g, m, v, None, step, lr, beta1, beta2, eps, weight_decay, decoupled)
            continue
        k = kernel if p.size < hi or not parallel_allowed() else O.adam.parallel
        k(p, g, m, v, _ABSENT[dt], False, *args)


def rmsprop_step(p: np.ndarray, grad: np.ndarray, sq: np.ndarray, buf: np.ndarray | None,
                 gavg: np.ndarray | None, lr: float, alpha: float, eps: float, weight_decay: float,
                 momentum: float) -> None:
    """RMSprop (centered with ``gavg``, with momentum through ``buf``), one pass, in place."""
    if not _state_ok(p, "rmsprop_step", grad, sq, buf, gavg) or (momentum and buf is None):
        return R.rmsprop_step(p, grad, sq, buf, gavg, lr, alpha, eps, weight_decay, momentum)
    absent = _ABSENT[p.dtype]
    kernel = _pick(O.rmsprop, "rmsprop_step", p.size)
    kernel(p, grad, sq, buf if buf is not None else absent, gavg if gavg is not None else absent, float(lr),
           float(alpha), float(1 - alpha), float(eps), float(weight_decay), bool(weight_decay), float(momentum),
           bool(momentum), gavg is not None)


def adagrad_step(p: np.ndarray, grad: np.ndarray, ssum: np.ndarray, step: int, lr: float,
                 lr_decay: float, eps: float, weight_decay: float) -> None:
    """AdaGrad, one pass, in place."""
    if not _state_ok(p, "adagrad_step", grad, ssum):
        return R.adagrad_step(p, grad, ssum, step, lr, lr_decay, eps, weight_decay)
    kernel = _pick(O.adagrad, "adagrad_step", p.size)
    kernel(p, grad, ssum, float(lr / (1 + (step - 1) * lr_decay)), float(eps),
           float(weight_decay), bool(weight_decay))


KERNELS: dict[str, Callable] = {
    name: globals()[name] for name in THRESHOLDS if name in globals()
}
"""name -> Numba-backed kernel, laid over ``reference.KERNELS`` by ``set_backend("numba")``."""

from . import numba_conv as _conv  # noqa: E402  (convolution and pooling)
from . import numba_recurrent as _NR  # noqa: E402  (batch norm, LSTM and GRU gates)

KERNELS.update(_conv.KERNELS)
THRESHOLDS.update({name: (0, _conv.PARALLEL_SIZE) for name in _conv.KERNELS})
KERNELS.update(_NR.KERNELS)
THRESHOLDS.update({name: (0, INF) for name in _NR.KERNELS})  # serial kernels: Numba from any size
from . import numba_special as _SP  # noqa: E402  (lgamma, digamma, erfc, erfinv)

KERNELS.update(_SP.KERNELS)
THRESHOLDS.update(_SP.THRESHOLDS)


# ------------------------------------------------------------------- warm-up


def warmup(dtypes: tuple = (np.float32, np.float64), parallel: bool | None = None) -> None:
    """Compile (or load from the disk cache) every kernel for ``dtypes`` now instead of on first use.

    ``parallel`` also compiles the threaded twins (default: when they can run here).
    """
    if parallel is None:
        parallel = parallel_allowed()
    for dt in dtypes:
        dt = np.dtype(dt)
        if dt not in (_F32, _F64):
            raise ValueError(f"warmup: kernels exist for float32 and float64, not {dt}")
        for kernel, args in (_warmup_calls(dt) + _more_warmup_calls(dt) + _conv.warmup_calls(dt)
                             + _NR.warmup_calls(dt)):
            getattr(kernel, "serial", kernel)(*args)
            if parallel and hasattr(kernel, "parallel"):
                kernel.parallel(*args)


def _warmup_calls(dt: np.dtype) -> list:
    """(kernel, arguments) pairs with the argument types the wrappers pass, on tiny arrays of dtype ``dt``."""
    t = dt.type
    v = np.linspace(0.1, 1, 8, dtype=dt)
    o = np.empty_like(v)
    m = v.reshape(2, 4)
    mo = np.empty_like(m)
    w = np.ones((3, 4), dt)
    g3 = np.ones((2, 3), dt)
    labels = np.array([0, 3], dtype=np.int64)
    calls = _elementwise_calls(v, o) + [
        (W.softmax, (m, mo)), (W.log_softmax, (m, mo)),
        (W.softmax_backward, (m, m, mo)), (W.log_softmax_backward, (m, m, mo)),
        (W.cross_entropy, (m, labels, mo, np.empty(2, dt))),
        (W.cross_entropy_backward, (np.ones(2, dt), m, labels, mo)),
        (W.sum_rows_into, (m, 2, np.empty(4, dt))), (W.sum_cols_into, (m, np.empty(2, dt))),
        (M.epilogue, (m.copy(), v[:4], True, 1, t(0))),
        (M.linear_forward, (m, w, v[:3], True, 1, t(0))),
        (M.linear_backward, (g3, m, w, g3, 1, t(0), True, True, True)),
        (M.matmul_tiled, (m, m.T.copy(), np.empty((2, 2), dt))),
    ]
    return calls + _optimiser_calls(v, _ABSENT[dt])


def _more_warmup_calls(dt: np.dtype) -> list:
    """Further signatures of the same kernels: the 2-D arrays (activations, weights) the wrappers also pass."""
    m = np.linspace(0.1, 1, 8, dtype=dt).reshape(2, 4)
    a = _ABSENT[dt]
    return _elementwise_calls(m, np.empty_like(m)) + _optimiser_calls(m, a) + [
        (O.sgd, (m.copy(), m, a, 0.1, 0.0, 1.0, False, 0.0, False, False, False)),  # no momentum buffer
    ]


def _elementwise_calls(x: np.ndarray, y: np.ndarray) -> list:
    return [
        (E.sigmoid, (x, y)), (E.relu, (x, y)),
        (E.sigmoid_backward, (x, x, y)), (E.tanh_backward, (x, x, y)), (E.relu_backward, (x, x, y)),
        (E.leaky_relu, (x, 0.01, y)), (E.leaky_relu_backward, (x, x, 0.01, y)),
        (E.elu, (x, 1.0, y)), (E.elu_backward, (x, x, x, 1.0, y)),
    ]


def _optimiser_calls(x: np.ndarray, absent: np.ndarray) -> list:
    """Absent state is a 1-D stand-in; the scalars are Python floats, as the wrappers pass them."""
    return [
        (O.sgd, (x.copy(), x, x.copy(), 0.1, 0.9, 1.0, False, 0.0, False, True, False)),
        (O.adam, (x.copy(), x, x.copy(), x.copy(), absent, False) + (0.5,) * 7 + (0.0, False, False, 1.0)),
        (O.rmsprop, (x.copy(), x, x.copy(), absent, absent) + (0.5,) * 5 + (False, 0.0, False, False)),
        (O.adagrad, (x.copy(), x, x.copy(), 0.1, 1e-10, 0.0, False)),
    ]


if not _POOLS_SETTLED and numba.config.NUMBA_NUM_THREADS > 1:
    _why = []
    if not blas_pools_settled():
        _why.append("numpy (OpenBLAS) was imported before autograd without OPENBLAS_THREAD_TIMEOUT")
    if not J.OMP_SPIN_SETTLED:
        _why.append("GNU OpenMP (libgomp, e.g. torch's) was loaded before the Numba backend without GOMP_SPINCOUNT")
    warnings.warn(
        f"gradwork: {' and '.join(_why)}, so idle threads would spin against Numba's; the Numba kernels will run "
        "single-threaded. Import autograd and set_backend('numba') first, or export OPENBLAS_THREAD_TIMEOUT=20 "
        f"GOMP_SPINCOUNT={J.SPINCOUNT}, to let them use threads.",
        RuntimeWarning,
        stacklevel=3,
    )
