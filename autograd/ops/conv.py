"""Convolutions as single graph ops: ``Conv2d`` (and ``Conv1d``), ``ConvTranspose2d``, ``Unfold`` and ``Fold``.

A convolution is one matrix product per sample on im2col columns:
cols[n, c, i, j, oh, ow] = xp[n, c, oh s + i d, ow s + j d] (``K.unfold_into``,
read from the unpadded input with the zero padding written by the kernel),
out[n] = W(O, C kh kw) @ cols[n](C kh kw, Ho Wo) + b, per group, straight into NCHW.
The batch runs in chunks of samples whose columns stay in cache (``COLUMN_CHUNK``); with
several BLAS threads it is first split into one part per thread, the parts run at once on
Python threads with one BLAS thread each (``kernels.threads.run_split``, ``SPLIT_MIN``).
Backward: dL/dW = sum over n of g[n] @ cols[n]^T, dL/db = sum of g,
dL/dx = col2im(W^T @ g[n]) (``K.fold_into``, unfold's adjoint, a Numba kernel on
that backend, which drops the padding cells). Small images (under
``PER_SAMPLE_MIN`` output cells) take one product for the whole batch instead,
on (C kh kw, N Ho Wo) columns (``K.im2col`` / ``K.col2im``). A transposed
convolution is the same two steps the other way round.

Under ``create_graph=True`` the backward rules are recorded with ``Unfold``
and ``Fold`` (each the other's adjoint) and matrix products, so they can be
differentiated again (the other padding modes as a recorded gather in front).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np

from ..backend import ops as K
from ..function import Context, Function
from ..kernels.threads import even_bounds, run_split, split_threads

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# ------------------------------------------------------------------ argument checks


def _ints(v: Any, n: int, what: str, where: str, low: int) -> tuple:
    """``v`` as a tuple of ``n`` ints >= ``low`` (one int stands for all), or a ValueError naming the fix."""
    items = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    ok = len(items) == n and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items)
    if not ok or any(i < low for i in items):
        kind = "positive" if low > 0 else "non-negative"
        raise ValueError(f"{where}: {what} must be a {kind} int or a tuple of {n} {kind} ints, got {v!r}")
    return tuple(int(i) for i in items)


def _shape(x: Any) -> tuple:
    return tuple(np.shape(getattr(x, "data", x)))


def spatial_input(x: Any, nd: int, where: str) -> tuple[tuple, bool]:
    """(shape as (N, C, *spatial), whether a batch axis was missing); ValueError for a wrong rank."""
    shape = _shape(x)
    axes = "L" if nd == 1 else ("H, W" if nd == 2 else "D, H, W")
    if len(shape) == nd + 2:
        return shape, False
    if len(shape) == nd + 1:
        return (1,) + shape, True
    raise ValueError(
        f"{where}: expected a {nd + 2}-D input (N, C, {axes}) or an unbatched {nd + 1}-D one (C, {axes}), "
        f"got shape {shape}; reshape it, e.g. x.reshape(N, C, {axes})"
    )


# ------------------------------------------------------------------ padding (any mode)


def _pad_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each padded position, the input position it copies (reflect, replicate or circular)."""
    pos = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        return pos % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    p = pos % period if period else pos * 0
    return np.where(p >= n, period - p, p)


def pad2d(x: np.ndarray, pads: tuple, mode: str) -> np.ndarray:
    """x (N, C, H, W) padded by (top, bottom, left, right) in ``mode``; x itself when there is no padding."""
    pt, pb, pl, pr = pads
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    if mode == "zeros":
        out = np.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
        out[:, :, pt:pt + h, pl:pl + w] = x
        return out
    return np.take(np.take(x, _pad_index(h, pt, pb, mode), axis=2), _pad_index(w, pl, pr, mode), axis=3)


def unpad2d(gp: np.ndarray, shape: tuple, pads: tuple, mode: str) -> np.ndarray:
    """The adjoint of ``pad2d``: the gradient of the padded array taken back to x's ``shape``."""
    pt, pb, pl, pr = pads
    if not (pt or pb or pl or pr):
        return gp
    n, c, h, w = shape
    if mode == "zeros":
        return np.ascontiguousarray(gp[:, :, pt:pt + h, pl:pl + w])
    gh = np.zeros((n, c, h, gp.shape[3]), dtype=gp.dtype)
    np.add.at(gh, (slice(None), slice(None), _pad_index(h, pt, pb, mode)), gp)
    out = np.zeros(shape, dtype=gp.dtype)
    np.add.at(out, (slice(None), slice(None), slice(None), _pad_index(w, pl, pr, mode)), gh)
    return out


# ------------------------------------------------------------------ geometry


class ConvGeometry(NamedTuple):
    """Everything but the arrays: 2-D throughout (a 1-D op has height 1), ``pads`` = (top, bottom, left, right)."""

    nd: int
    kernel: tuple
    stride: tuple
    pads: tuple
    dilation: tuple
    groups: int
    mode: str
    unbatched: bool
    out_hw: tuple
    label: str


def _same_pads(k: int, d: int) -> tuple[int, int]:
    total = d * (k - 1)
    return total // 2, total - total // 2  # torch puts the odd one at the end


def _as2d(t: tuple, fill: int) -> tuple:
    return (fill,) + t if len(t) == 1 else t


def _fmt(t: tuple) -> str:
    return "x".join(map(str, t))


def _fmt1(t: tuple) -> str:
    """One number when all are equal (a stride of 2, a padding of 1), else 2x1."""
    return str(t[0]) if len(set(t)) == 1 else _fmt(t)


def conv_geometry(x_shape: tuple, w_shape: tuple, stride: Any, padding: Any, dilation: Any, groups: Any,
                  padding_mode: str, nd: int, where: str, unbatched: bool, has_bias_shape: tuple | None,
                  op: str) -> ConvGeometry:
    """Check a convolution's arguments against the shapes; ValueErrors name ``where``, the shapes and the fix."""
    if len(w_shape) != nd + 2:
        raise ValueError(f"{where}: weight must be {nd + 2}-D (out_channels, in_channels/groups, kernel), "
                         f"got shape {w_shape}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
    groups = int(groups)
    n, c = x_shape[:2]
    o, cg = w_shape[:2]
    if o % groups:
        raise ValueError(f"{where}: out_channels {o} is not divisible by groups {groups}; pick groups dividing it")
    if cg * groups != c:
        raise ValueError(
            f"{where}: expected an input with {cg * groups} channels (weight {w_shape}, groups {groups}), "
            f"got {c} channels in input of shape {x_shape}; pass input of shape (N, {cg * groups}, ...) "
            f"or build the layer with in_channels={c}"
        )
    if has_bias_shape is not None and has_bias_shape != (o,):
        raise ValueError(f"{where}: bias must have shape ({o},), got {has_bias_shape}")
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{where}: padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}, "
                         f"got {padding_mode!r}")
    kernel = tuple(int(k) for k in w_shape[2:])
    stride = _ints(stride, nd, "stride", where, 1)
    dilation = _ints(dilation, nd, "dilation", where, 1)
    spatial = tuple(int(s) for s in x_shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pairs = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{where}: padding='same' needs stride 1 (got stride {stride}); "
                                 "pad with numbers for a strided convolution")
            pairs = [_same_pads(k, d) for k, d in zip(kernel, dilation)]
        else:
            raise ValueError(f"{where}: padding must be 'same', 'valid', an int or a tuple of ints, got {padding!r}")
    else:
        pairs = [(p, p) for p in _ints(padding, nd, "padding", where, 0)]
    for (lo, hi), s in zip(pairs, spatial):
        if padding_mode == "reflect" and max(lo, hi) >= s:
            raise ValueError(f"{where}: reflect padding {max(lo, hi)} must be smaller than the input size {s} "
                             f"(input shape {x_shape}); use less padding or padding_mode='replicate'")
        if padding_mode == "circular" and max(lo, hi) > s:
            raise ValueError(f"{where}: circular padding {max(lo, hi)} must be at most the input size {s} "
                             f"(input shape {x_shape})")
    out = []
    for (lo, hi), s, k, st, d in zip(pairs, spatial, kernel, stride, dilation):
        span = d * (k - 1) + 1
        if s + lo + hi < span:
            raise ValueError(
                f"{where}: kernel {kernel} (dilation {dilation}, so {span} cells) is larger than the padded input "
                f"{s + lo + hi} (input shape {x_shape}, padding {tuple(pairs)}); use a smaller kernel, more padding "
                "or a larger input"
            )
        out.append((s + lo + hi - span) // st + 1)
    # (top, bottom, left, right) in 2-D, (0, 0, left, right) in 1-D (run as 2-D), every pair in order in 3-D
    pads = (pairs[0] + pairs[1]) if nd == 2 else ((0, 0) + pairs[0]) if nd == 1 else sum(pairs, ())
    label = f"{op} {_fmt(kernel)}"
    if any(s != 1 for s in stride):
        label += f" stride {_fmt1(stride)}"
    if any(pads):
        flat = tuple(p for pr in pairs for p in pr)
        label += f" pad {_fmt(flat) if any(lo != hi for lo, hi in pairs) else _fmt1(flat)}"
    if any(d != 1 for d in dilation):
        label += f" dilation {_fmt1(dilation)}"
    if groups != 1:
        label += f" groups {groups}"
    shown_in = x_shape[1:] if unbatched else x_shape
    shown_out = ((o,) if unbatched else (n, o)) + tuple(out)
    label += f": {shown_in} -> {shown_out}"
    return ConvGeometry(nd, _as2d(kernel, 1), _as2d(stride, 1), pads, _as2d(dilation, 1), groups, padding_mode,
                        unbatched, _as2d(tuple(out), 1), label)


def _x4(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """x as (N, C, H, W): a batch axis added for an unbatched input, a height of 1 for a 1-D one."""
    if geo.unbatched:
        x = x[None]
    return x[:, :, None] if geo.nd == 1 else x


def _out_shape(n: int, o: int, geo: ConvGeometry) -> tuple:
    spatial = geo.out_hw[1:] if geo.nd == 1 else geo.out_hw
    return ((o,) if geo.unbatched else (n, o)) + tuple(spatial)


def _windows(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """windows[n, c, i, j, oh, ow] = x[n, c, oh s - pt + i d, ow s - pl + j d] (0 in the padding), a new array."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
    n, c = x.shape[:2]
    out = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    return K.unfold_into(np.ascontiguousarray(x), kh, kw, sh, sw, geo.pads[0], geo.pads[2], dh, dw, out)


# ------------------------------------------------------------------ Conv2d / Conv1d


COLUMN_CHUNK = 1 << 19
"""Elements of im2col columns per chunk of samples when BLAS runs on one thread: a chunk's columns
stay in cache between the copy that writes them and the matrix product that reads them, and no
(C kh kw, N Ho Wo) array is ever stored (measured on the bench case, float32, one thread: chunks
of one sample to 2^20 elements alike, 2^21 and the whole batch at once 20-30% slower)."""
COLUMN_CHUNK_THREADED = 1 << 20
"""The same with a threaded BLAS: bigger chunks, fewer products, since each product wakes BLAS's
threads (measured, two threads: one product per sample 2-10x slower than one per 7 samples)."""


def _blas_threads() -> int:
    """The threads OpenBLAS started with (it reads these variables when numpy loads), else the cores."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


_BLAS_THREADS = _blas_threads()


PER_SAMPLE_MIN = 100
"""Output cells per sample (Ho Wo) from which the convolution runs sample by sample; below, one
product for the whole batch on (C kh kw, N Ho Wo) columns is faster (a product per sample that
small costs more in BLAS's set-up than in arithmetic). Measured, float32, 3x3, one thread: the
8x8 digits CNN step ~15% slower sample by sample; fwd+bwd of 16 -> 32 channels at 12x12 (batch 64)
~40% faster, at 32x32 (batch 32) ~30% faster; 32 -> 64 channels at 16x16 about even."""


def _chunk(n: int, per_sample: int) -> tuple[int, bool]:
    """(samples per chunk, whether a chunk is one product): on one BLAS thread as many samples as
    fill ``COLUMN_CHUNK`` column elements, a product per sample; with a threaded BLAS as many as fill
    ``COLUMN_CHUNK_THREADED``, one product for the chunk (on (C kh kw, m Ho Wo) columns)."""
    joint = _BLAS_THREADS > 1
    size = COLUMN_CHUNK_THREADED if joint else COLUMN_CHUNK
    return max(1, min(n, size // max(per_sample, 1))), joint


SPLIT_MIN = 1 << 19
"""Column elements of the whole batch (N C kh kw Ho Wo) from which, with several BLAS threads, the
batch is split over Python threads (``kernels.threads.run_split``), each part running the one-thread
path on one BLAS thread; below, handing the parts to threads costs about what it saves (measured,
2 cores, fwd+bwd float32 3x3: (8, 16, 16, 16) -> 16 channels, 3e5 column elements, ~10% slower
split, (32, 16, 32, 32) -> 32 and (64, 32, 16, 16) -> 64, 5e6, 35-40% faster)."""


def _plan(n: int, per_sample: int) -> tuple[list[int], int, bool]:
    """(bounds of the parts of the batch, samples per chunk, whether a chunk is one product).

    With several BLAS threads that can be set (``split_threads``) and a batch of at least
    ``SPLIT_MIN`` column elements, one part per thread, each chunked as on one thread;
    otherwise the whole batch as one part, chunked by ``_chunk``."""
    threads = split_threads() if n > 1 and n * per_sample >= SPLIT_MIN else 1
    if threads > 1:
        bounds = even_bounds(n, threads)
        return bounds, max(1, min(bounds[1], COLUMN_CHUNK // max(per_sample, 1))), False
    step, joint = _chunk(n, per_sample)
    return [0, n], step, joint


def _cols_shape(c: int, kh: int, kw: int, m: int, ho: int, wo: int, joint: bool) -> tuple:
    """The columns of m samples: (C, kh, kw, m, Ho, Wo) for one product, (m, C, kh, kw, Ho, Wo) for one per sample."""
    return (c, kh, kw, m, ho, wo) if joint else (m, c, kh, kw, ho, wo)


def _columns(buf: np.ndarray, m: int, joint: bool) -> np.ndarray:
    """The column buffer of a chunk of m samples: ``buf`` itself for a full chunk."""
    if buf.shape[3 if joint else 0] == m:
        return buf
    c, kh, kw = buf.shape[:3] if joint else buf.shape[1:4]
    return np.empty(_cols_shape(c, kh, kw, m, buf.shape[4], buf.shape[5], joint), dtype=buf.dtype)


def _conv_source(x4: np.ndarray, geo: ConvGeometry) -> tuple[np.ndarray, int, int]:
    """(what the windows read, top and left zero padding): x itself for zero padding (the kernels
    write the zeros), else x padded in ``geo.mode``."""
    if geo.mode != "zeros" and any(geo.pads):
        return np.ascontiguousarray(pad2d(x4, geo.pads, geo.mode)), 0, 0
    return np.ascontiguousarray(x4), geo.pads[0], geo.pads[2]


class Conv2d(Function):
    """out[n, o] = b[o] + sum over c (in o's group), i, j of w[o, c, i, j] xp[n, c, oh s + i d, ow s + j d].

    From ``PER_SAMPLE_MIN`` output cells per sample on, per chunk of samples:
    out[n] = W(O, C kh kw) @ cols[n](C kh kw, Ho Wo) + b, straight into NCHW;
    dL/dW = sum over n of g[n] @ cols[n]^T, dL/db = sum of g over (n, oh, ow),
    dL/dx = unpad(col2im(W^T @ g[n])); backward rebuilds each chunk's columns instead of storing them.
    With several BLAS threads the batch is split into parts run at once (``_plan``), the parts'
    dL/dW added in part order.
    Smaller images: the same sums as one product per group for the whole batch (``_conv_batch_forward``).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                geo: ConvGeometry | None = None) -> np.ndarray:
        w4 = weight[:, :, None] if geo.nd == 1 else weight
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
        hw = ho * wo
        ctx.geo, ctx.cols = geo, None
        ctx.op_label = geo.label
        ctx.save_for_backward(x, weight)
        if hw < PER_SAMPLE_MIN:
            return _conv_batch_forward(ctx, _x4(x, geo), w4, bias, geo)
        src, ph, pw = _conv_source(_x4(x, geo), geo)
        n, c = src.shape[:2]
        o = w4.shape[0]
        grp = geo.groups
        wm = w4.reshape(grp, o // grp, -1)
        dtype = np.result_type(src, wm)
        odt = dtype if bias is None else np.result_type(dtype, bias)
        out = np.empty((n, o, hw), dtype=odt)
        bounds, step, joint = _plan(n, c * kh * kw * hw)
        b2 = None if bias is None else bias.reshape(o, 1)

        def part(lo: int, hi: int) -> None:
            buf = np.empty(_cols_shape(c, kh, kw, min(step, hi - lo), ho, wo, joint), dtype=src.dtype)
            for n0 in range(lo, hi, step):
                m = min(step, hi - n0)
                cols = K.unfold_into(src[n0:n0 + m], kh, kw, sh, sw, ph, pw, dh, dw, _columns(buf, m, joint), joint)
                dst = out[n0:n0 + m]
                if joint:  # (G, O/G, m Ho Wo): one product per group for the chunk, then laid out as NCHW
                    lanes = np.matmul(wm, cols.reshape(grp, -1, m * hw)).reshape(o, m, hw).transpose(1, 0, 2)
                    if b2 is None:
                        dst[...] = lanes
                    else:
                        np.add(lanes, b2, out=dst)
                    continue
                if odt == dtype:  # one product per sample and group, straight into NCHW
                    np.matmul(wm, cols.reshape(m, grp, -1, hw), out=dst.reshape(m, grp, o // grp, hw))
                else:
                    dst.reshape(m, grp, o // grp, hw)[...] = np.matmul(wm, cols.reshape(m, grp, -1, hw))
                if b2 is not None:
                    np.add(dst, b2, out=dst)

        run_split(part, bounds)
        ctx.src, ctx.src_pads = src, (ph, pw)
        return out.reshape(_out_shape(n, o, geo))

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, weight = ctx.saved_tensors
        geo = ctx.geo
        needs = ctx.needs_input_grad
        nx, nw = needs[0], needs[1]
        nb = len(needs) > 2 and needs[2]
        if not isinstance(g, np.ndarray):
            return _conv_backward_graph(g, x, weight, geo, nx, nw, nb)
        if ctx.cols is not None:
            return _conv_batch_backward(ctx, g, x, weight, nx, nw, nb)
        src, (ph, pw) = ctx.src, ctx.src_pads
        o = weight.shape[0]
        grp = geo.groups
        og = o // grp
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
        hw = ho * wo
        n, c = src.shape[:2]
        g3 = np.ascontiguousarray(g).reshape(n, o, hw)
        gx = gw = gb = None
        if not (nx or nw):
            if nb:
                gb = g3.sum(axis=2).sum(axis=0)  # contiguous rows of Ho Wo, then the samples
            return gx, gw, gb
        wm = weight.reshape(grp, og, -1)
        wt = wm.transpose(0, 2, 1)
        bounds, step, joint = _plan(n, c * kh * kw * hw)
        if nx:
            gsrc = np.empty(src.shape, dtype=np.result_type(wt, g3))

        def part(lo: int, hi: int) -> tuple:
            """This part's (dL/dW, per-sample bias sums); dL/dx written into gsrc[lo:hi]."""
            shape = _cols_shape(c, kh, kw, min(step, hi - lo), ho, wo, joint)
            gwp = np.zeros((grp, og, wm.shape[2]), dtype=np.result_type(g3, src)) if nw else None
            pb = g3[lo:hi].sum(axis=2) if nb else None
            buf = np.empty(shape, dtype=src.dtype) if nw else None
            dbuf = np.empty(shape, dtype=gsrc.dtype) if nx else None
            for n0 in range(lo, hi, step):
                m = min(step, hi - n0)
                gm = g3[n0:n0 + m]
                if joint:  # g as (G, O/G, m Ho Wo): one product per group for the chunk
                    gc = np.ascontiguousarray(gm.transpose(1, 0, 2)).reshape(grp, og, m * hw)
                else:  # (m, G, O/G, Ho Wo): one product per sample and group
                    gc = gm.reshape(m, grp, og, hw)
                lead = (grp, -1, m * hw) if joint else (m, grp, -1, hw)
                if nw:
                    cols = K.unfold_into(src[n0:n0 + m], kh, kw, sh, sw, ph, pw, dh, dw, _columns(buf, m, joint),
                                         joint)
                    prod = np.matmul(gc, cols.reshape(lead).swapaxes(-1, -2))
                    gwp += prod if joint else prod.sum(axis=0)
                if nx:
                    d = _columns(dbuf, m, joint)
                    np.matmul(wt, gc, out=d.reshape(lead))
                    K.fold_into(d.transpose(3, 0, 1, 2, 4, 5) if joint else d, sh, sw, ph, pw, dh, dw,
                                gsrc[n0:n0 + m])
            return gwp, pb

        parts = run_split(part, bounds)
        if nb:  # the samples' sums in sample order, as one part would add them
            gb = (parts[0][1] if len(parts) == 1 else np.concatenate([p[1] for p in parts])).sum(axis=0)
        if nw:
            gw = parts[0][0]
            for p in parts[1:]:
                gw += p[0]
        if nw:
            gw = gw.reshape(weight.shape)
        if nx:
            if geo.mode != "zeros" and any(geo.pads):
                gsrc = unpad2d(gsrc, _x4(x, geo).shape, geo.pads, geo.mode)
            gx = gsrc.reshape(x.shape)
        return gx, gw, gb


def _plus_bias(src: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """A fresh C-ordered copy of the (N, C, H, W) array ``src`` (often a strided view), plus ``bias`` per channel."""
    dtype = src.dtype if bias is None else np.result_type(src, bias)
    out = np.empty(src.shape, dtype=dtype)
    if bias is None:
        out[...] = src
    else:
        np.add(src, bias.reshape(src.shape[1], 1, 1), out=out)
    return out


def _conv_batch_forward(ctx: Context, x4: np.ndarray, w4: np.ndarray, bias: np.ndarray | None,
                        geo: ConvGeometry) -> np.ndarray:
    """Conv2d's forward for small images: out = W(O, C kh kw) @ cols(C kh kw, N Ho Wo) + b in one
    product per group, on im2col columns of the padded batch (kept for backward)."""
    n = x4.shape[0]
    o = w4.shape[0]
    grp = geo.groups
    xp = pad2d(x4, geo.pads, geo.mode)
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
    cols = K.im2col(xp, kh, kw, sh, sw, dh, dw, ho, wo)
    wm = w4.reshape(grp, o // grp, -1)
    prod = np.matmul(wm, cols.reshape(grp, wm.shape[2], -1)).reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    out = _plus_bias(prod, bias)
    ctx.cols, ctx.xp_shape = cols, xp.shape
    return out.reshape(_out_shape(n, o, geo))


def _conv_batch_backward(ctx: Context, g: np.ndarray, x: np.ndarray, weight: np.ndarray, nx: bool, nw: bool,
                         nb: bool) -> tuple:
    """The backward of ``_conv_batch_forward``: dL/dW = g @ cols^T, dL/db = sum of g,
    dL/dx = unpad(col2im(W^T @ g)), g as (O, N Ho Wo)."""
    geo, cols = ctx.geo, ctx.cols
    o = weight.shape[0]
    grp = geo.groups
    ho, wo = geo.out_hw
    g4 = g.reshape(-1, o, ho, wo)
    n = g4.shape[0]
    gt = np.ascontiguousarray(g4.transpose(1, 0, 2, 3)).reshape(grp, o // grp, n * ho * wo)
    gx = gw = gb = None
    if nw:
        cm = cols.reshape(grp, -1, n * ho * wo)
        gw = np.matmul(gt, cm.transpose(0, 2, 1)).reshape(weight.shape)
    if nb:
        gb = gt.reshape(o, -1).sum(axis=1)  # rows of the transposed copy: a contiguous sum each
    if nx:
        wm = weight.reshape(grp, o // grp, -1)
        kh, kw = geo.kernel
        dcols = np.matmul(wm.transpose(0, 2, 1), gt).reshape(-1, kh, kw, n, ho, wo)
        (sh, sw), (dh, dw) = geo.stride, geo.dilation
        gxp = K.col2im(dcols, ctx.xp_shape, sh, sw, dh, dw)
        gx = unpad2d(gxp, _x4(x, geo).shape, geo.pads, geo.mode).reshape(x.shape)
    return gx, gw, gb


class Conv1d(Conv2d):
    """The same op on (N, C, L) inputs and (O, C/groups, k) weights (a height of 1 inside)."""


def _conv_backward_graph(g: Any, x: Any, weight: Any, geo: ConvGeometry, nx: bool, nw: bool, nb: bool) -> tuple:
    """The backward rule recorded with Unfold, Fold and matmuls, so that it can be differentiated again.

    Reflect, replicate and circular padding are a recorded gather (``Take``) in front of an unpadded
    convolution, so dL/dx goes back through the gather's adjoint (a recorded scatter-add).
    """
    from ..tensor import Tensor
    from .layout import Take
    from .shape import scatter_add

    xt = x if isinstance(x, Tensor) else Tensor(x)
    wt = weight if isinstance(weight, Tensor) else Tensor(weight)
    o = wt.shape[0]
    grp = geo.groups
    ho, wo = geo.out_hw
    x4 = xt.reshape(_x4(xt.data, geo).shape)
    pick = None
    if geo.mode != "zeros" and any(geo.pads):
        pt, pb, pl, pr = geo.pads
        h0, w0 = x4.shape[2:]
        pick = (slice(None), slice(None), _pad_index(h0, pt, pb, geo.mode)[:, None],
                _pad_index(w0, pl, pr, geo.mode)[None, :])
        x_shape4 = x4.shape
        x4 = Take.apply(x4, index=pick)
        geo = geo._replace(pads=(0, 0, 0, 0), mode="zeros")
    n, c, h, w = x4.shape
    gr = g.reshape((n, grp, o // grp, ho * wo))
    wm = wt.reshape((grp, o // grp, -1))
    gx = gw = gb = None
    if nw:
        cols = Unfold.apply(x4, geo=geo).reshape((n, grp, -1, ho * wo))
        gw = (gr @ cols.swapaxes(-1, -2)).sum(axis=0).reshape(wt.shape)
    if nb:
        gb = g.reshape((n, o, ho * wo)).sum(axis=(0, 2))
    if nx:
        dcols = (wm.swapaxes(-1, -2) @ gr).reshape((n, -1, ho * wo))
        gx = Fold.apply(dcols, geo=geo, size=(h, w))
        if pick is not None:  # the padded copy's gradient, added back onto the entries each cell copied
            gx = scatter_add(gx, pick, x_shape4)
        gx = gx.reshape(xt.shape)
    return gx, gw, gb


# ------------------------------------------------------------------ Unfold / Fold


class Unfold(Function):
    """cols[n, (c, i, j), (oh, ow)] = xp[n, c, oh s + i d, ow s + j d] (zero padding); the adjoint is ``Fold``."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, geo: ConvGeometry | None = None) -> np.ndarray:
        ctx.geo, ctx.shape = geo, x.shape
        ctx.op_label = geo.label
        win = _windows(x, geo)
        n, c, kh, kw, ho, wo = win.shape
        return win.reshape(n, c * kh * kw, ho * wo)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        h, w = ctx.shape[2:]
        if not isinstance(g, np.ndarray):
            return Fold.apply(g, geo=ctx.geo, size=(h, w))
        return _fold(g, ctx.geo, ctx.shape)


class Fold(Function):
    """out = the sum of every column entry into the cell it came from (col2im), cropped by the padding."""

    @staticmethod
    def forward(ctx: Context, cols: np.ndarray, geo: ConvGeometry | None = None, size: tuple = ()) -> np.ndarray:
        n, ckk = cols.shape[:2]
        kh, kw = geo.kernel
        shape = (n, ckk // (kh * kw)) + tuple(size)
        ctx.geo, ctx.shape = geo, shape
        ctx.op_label = geo.label
        return _fold(cols, geo, shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if not isinstance(g, np.ndarray):
            return Unfold.apply(g, geo=ctx.geo)
        win = _windows(g, ctx.geo)
        n, c, kh, kw, ho, wo = win.shape
        return win.reshape(n, c * kh * kw, ho * wo)


def _fold(cols: np.ndarray, geo: ConvGeometry, shape: tuple) -> np.ndarray:
    """col2im of Unfold's layout into ``shape`` (N, C, H, W), the cells in the padding dropped."""
    n, c = shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
    out = np.empty(shape, dtype=cols.dtype)
    return K.fold_into(cols.reshape(n, c, kh, kw, ho, wo), sh, sw, geo.pads[0], geo.pads[2], dh, dw, out)


def window_geometry(spatial: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any, where: str,
                    c: int, n: int) -> ConvGeometry:
    """The geometry of ``unfold``/``fold`` on a (N, C, H, W) input of spatial size ``spatial``."""
    kernel = _ints(kernel_size, 2, "kernel_size", where, 1)
    dilation = _ints(dilation, 2, "dilation", where, 1)
    pad = _ints(padding, 2, "padding", where, 0)
    stride = _ints(stride, 2, "stride", where, 1)
    out = []
    for s, k, d, p, st in zip(spatial, kernel, dilation, pad, stride):
        span = d * (k - 1) + 1
        if s + 2 * p < span:
            raise ValueError(f"{where}: kernel {kernel} (dilation {dilation}) is larger than the padded input "
                             f"{tuple(s + 2 * q for s, q in zip(spatial, pad))}; use a smaller kernel or more padding")
        out.append((s + 2 * p - span) // st + 1)
    label = f"{where} {_fmt(kernel)}"
    return ConvGeometry(2, kernel, stride, (pad[0], pad[0], pad[1], pad[1]), dilation, 1, "zeros", False,
                        tuple(out), label)


# ------------------------------------------------------------------ ConvTranspose2d


class ConvTransposeGeometry(NamedTuple):
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int
    full_hw: tuple  # the uncropped output (H - 1) s + d (k - 1) + 1 + output_padding
    out_hw: tuple
    unbatched: bool
    label: str


def conv_transpose_geometry(x_shape: tuple, w_shape: tuple, stride: Any, padding: Any, output_padding: Any,
                            dilation: Any, groups: Any, where: str, unbatched: bool,
                            bias_shape: tuple | None) -> ConvTransposeGeometry:
    """Check a transposed convolution's arguments; ValueErrors name ``where``, the shapes and the fix."""
    if len(w_shape) != 4:
        raise ValueError(f"{where}: weight must be 4-D (in_channels, out_channels/groups, kh, kw), got {w_shape}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
    groups = int(groups)
    c = x_shape[1]
    if w_shape[0] != c:
        raise ValueError(f"{where}: expected an input with {w_shape[0]} channels (weight {w_shape}), got {c} "
                         f"in input of shape {x_shape}; pass input of shape (N, {w_shape[0]}, H, W)")
    if c % groups:
        raise ValueError(f"{where}: in_channels {c} is not divisible by groups {groups}")
    o = w_shape[1] * groups
    if bias_shape is not None and bias_shape != (o,):
        raise ValueError(f"{where}: bias must have shape ({o},), got {bias_shape}")
    stride = _ints(stride, 2, "stride", where, 1)
    padding = _ints(padding, 2, "padding", where, 0)
    output_padding = _ints(output_padding, 2, "output_padding", where, 0)
    dilation = _ints(dilation, 2, "dilation", where, 1)
    kernel = tuple(int(k) for k in w_shape[2:])
    full, out = [], []
    for s, k, st, p, op, d in zip(x_shape[2:], kernel, stride, padding, output_padding, dilation):
        if op >= st and op >= d:
            raise ValueError(f"{where}: output_padding {output_padding} must be smaller than the stride {stride} "
                             f"or the dilation {dilation}")
        f = (s - 1) * st + d * (k - 1) + 1 + op
        if f - 2 * p < 1:
            raise ValueError(f"{where}: padding {padding} leaves no output for input of shape {x_shape}; "
                             "use less padding")
        full.append(f)
        out.append(f - 2 * p)
    label = f"ConvTranspose2d {_fmt(kernel)}"
    if any(s != 1 for s in stride):
        label += f" stride {_fmt1(stride)}"
    if any(padding):
        label += f" pad {_fmt1(padding)}"
    shown_in = x_shape[1:] if unbatched else x_shape
    shown_out = ((o,) if unbatched else (x_shape[0], o)) + tuple(out)
    label += f": {shown_in} -> {shown_out}"
    return ConvTransposeGeometry(kernel, stride, padding, dilation, groups, tuple(full), tuple(out), unbatched, label)


class ConvTranspose2d(Function):
    """The adjoint of Conv2d in its input: out = crop(col2im(W^T x)) + b, with W of shape (C_in, C_out/groups, kh, kw).

    dL/dx = W @ im2col(pad(g)), dL/dW = x @ im2col(pad(g))^T, dL/db = sum of g.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                geo: ConvTransposeGeometry | None = None) -> np.ndarray:
        x4 = x[None] if geo.unbatched else x
        n, c, h, w = x4.shape
        grp = geo.groups
        kh, kw = geo.kernel
        cout = weight.shape[1] * grp
        xt = np.ascontiguousarray(x4.transpose(1, 0, 2, 3)).reshape(grp, c // grp, n * h * w)
        wm = weight.reshape(grp, c // grp, -1)
        dcols = np.matmul(wm.transpose(0, 2, 1), xt).reshape(cout, kh, kw, n, h, w)
        (sh, sw), (dh, dw), (ph, pw) = geo.stride, geo.dilation, geo.padding
        full = K.col2im(dcols, (n, cout) + geo.full_hw, sh, sw, dh, dw)
        ho, wo = geo.out_hw
        crop = full[:, :, ph:ph + ho, pw:pw + wo]
        out = _plus_bias(crop, bias)
        ctx.save_for_backward(x, weight)
        ctx.geo = geo
        ctx.op_label = geo.label
        return out[0] if geo.unbatched else out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, weight = ctx.saved_tensors
        geo = ctx.geo
        if not isinstance(g, np.ndarray):
            return _conv_transpose_backward_graph(g, x, weight, geo, ctx.needs_input_grad)
        needs = ctx.needs_input_grad
        g4 = g[None] if geo.unbatched else g
        x4 = x[None] if geo.unbatched else x
        n, cout = g4.shape[:2]
        c, h, w = x4.shape[1:]
        grp = geo.groups
        kh, kw = geo.kernel
        (sh, sw), (dh, dw), (ph, pw) = geo.stride, geo.dilation, geo.padding
        fh, fw = geo.full_hw
        gp = np.zeros((n, cout, fh, fw), dtype=g4.dtype)
        gp[:, :, ph:ph + g4.shape[2], pw:pw + g4.shape[3]] = g4
        cols = K.im2col(gp, kh, kw, sh, sw, dh, dw, h, w).reshape(grp, -1, n * h * w)
        gx = gw = gb = None
        if needs[0]:
            wm = weight.reshape(grp, c // grp, -1)
            gx = np.matmul(wm, cols).reshape(c, n, h, w).transpose(1, 0, 2, 3)
            gx = np.ascontiguousarray(gx).reshape(x.shape)
        if needs[1]:
            xt = np.ascontiguousarray(x4.transpose(1, 0, 2, 3)).reshape(grp, c // grp, n * h * w)
            gw = np.matmul(xt, cols.transpose(0, 2, 1)).reshape(weight.shape)
        if len(needs) > 2 and needs[2]:
            gb = g4.sum(axis=(0, 2, 3))
        return gx, gw, gb


def _conv_transpose_backward_graph(g: Any, x: Any, weight: Any, geo: ConvTransposeGeometry, needs: tuple) -> tuple:
    """The transposed convolution's backward, recorded (create_graph): dL/dx is the convolution of g by W,
    and dL/dW that convolution's weight gradient with x in the place of its output gradient."""
    from ..tensor import Tensor

    xt = x if isinstance(x, Tensor) else Tensor(x)
    wt = weight if isinstance(weight, Tensor) else Tensor(weight)
    g4 = g.reshape((1,) + g.shape) if geo.unbatched else g
    x4 = xt.reshape((1,) + xt.shape) if geo.unbatched else xt
    cgeo = conv_geometry(g4.shape, wt.shape, geo.stride, geo.padding, geo.dilation, geo.groups, "zeros", 2,
                         "ConvTranspose2d backward", False, None, "Conv2d")
    if cgeo.out_hw != tuple(x4.shape[2:]):
        raise RuntimeError("ConvTranspose2d: create_graph=True needs output_padding smaller than the stride")
    gx = gw = gb = None
    if needs[0]:
        gx = Conv2d.apply(g4, wt, None, geo=cgeo).reshape(xt.shape)
    if needs[1]:
        _, gw, _ = _conv_backward_graph(x4, g4, wt, cgeo, False, True, False)
    if len(needs) > 2 and needs[2]:
        gb = g4.reshape(g4.shape[:2] + (-1,)).sum(axis=(0, 2))
    return gx, gw, gb


# ------------------------------------------------------------------ functions


def _check_array(x: Any, what: str, where: str) -> None:
    if not hasattr(x, "shape") and not isinstance(x, (list, tuple, np.ndarray)):
        raise TypeError(f"{where}: {what} must be a Tensor or an array, got {type(x).__name__}")


def conv(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
         groups: int = 1, padding_mode: str = "zeros", nd: int = 2, where: str | None = None) -> "Tensor":
    """A 1-D (``nd=1``) or 2-D convolution as one recorded op; see ``Conv2d``."""
    where = where or f"conv{nd}d"
    _check_array(x, "input", where)
    _check_array(weight, "weight", where)
    x_shape, unbatched = spatial_input(x, nd, where)
    geo = conv_geometry(x_shape, _shape(weight), stride, padding, dilation, groups, padding_mode, nd, where,
                        unbatched, None if bias is None else _shape(bias), f"Conv{nd}d")
    op = Conv1d if nd == 1 else Conv2d
    return op.apply(x, weight, bias, geo=geo)


def conv_transpose2d(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1,
                     where: str | None = None) -> "Tensor":
    """A 2-D transposed convolution as one recorded op (torch's argument order); see ``ConvTranspose2d``."""
    where = where or "conv_transpose2d"
    _check_array(x, "input", where)
    x_shape, unbatched = spatial_input(x, 2, where)
    geo = conv_transpose_geometry(x_shape, _shape(weight), stride, padding, output_padding, dilation, groups,
                                  where, unbatched, None if bias is None else _shape(bias))
    return ConvTranspose2d.apply(x, weight, bias, geo=geo)


def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> "Tensor":
    """Sliding local blocks: (N, C, H, W) -> (N, C kh kw, L), L the number of block positions (torch's layout)."""
    shape = _shape(x)
    if len(shape) == 3:  # unbatched (C, H, W) -> (C kh kw, L), as torch takes it
        out = unfold(x.reshape((1,) + shape), kernel_size, dilation, padding, stride)
        return out.reshape(out.shape[1:])
    if len(shape) != 4:
        raise ValueError(f"unfold: expected a 4-D input (N, C, H, W) or an unbatched 3-D one (C, H, W), "
                         f"got shape {shape}; reshape it, e.g. x.reshape(N, C, H, W)")
    geo = window_geometry(shape[2:], kernel_size, dilation, padding, stride, "Unfold", shape[1], shape[0])
    return Unfold.apply(x, geo=geo)


def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> "Tensor":
    """The adjoint of ``unfold``: (N, C kh kw, L) blocks summed back into (N, C, *output_size)."""
    shape = _shape(x)
    if len(shape) == 2:  # unbatched (C kh kw, L) -> (C, *output_size), as torch takes it
        out = fold(x.reshape((1,) + shape), output_size, kernel_size, dilation, padding, stride)
        return out.reshape(out.shape[1:])
    if len(shape) != 3:
        raise ValueError(f"fold: expected a 3-D input (N, C*kh*kw, L) or an unbatched 2-D one (C*kh*kw, L), "
                         f"got shape {shape}; reshape it, e.g. x.reshape(N, -1, L)")
    size = _ints(output_size, 2, "output_size", "fold", 1)
    kernel = _ints(kernel_size, 2, "kernel_size", "fold", 1)
    if shape[1] % (kernel[0] * kernel[1]):
        raise ValueError(f"fold: input has {shape[1]} rows, not a multiple of kernel_size {kernel} "
                         f"({kernel[0] * kernel[1]} cells); pass (N, C*{kernel[0] * kernel[1]}, L)")
    geo = window_geometry(size, kernel, dilation, padding, stride, "Fold", shape[1] // (kernel[0] * kernel[1]),
                          shape[0])
    blocks = geo.out_hw[0] * geo.out_hw[1]
    if shape[2] != blocks:
        raise ValueError(f"fold: input has {shape[2]} blocks but output_size {size} with kernel {kernel} gives "
                         f"{geo.out_hw[0]} x {geo.out_hw[1]} = {blocks}; check output_size, stride and padding")
    return Fold.apply(x, geo=geo, size=size)


from ..tensor import Tensor  # noqa: E402,F401  (for type hints)

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d", "Unfold", "Fold", "conv", "conv_transpose2d", "unfold", "fold",
           "PADDING_MODES", "pad2d", "unpad2d"]
