"""Convolution layers with torch's names, arguments and initialisation: Conv1d, Conv2d, ConvTranspose2d, Unfold, Fold.

In tensor mode each layer is one graph op (``autograd.ops.conv``: im2col and
one matrix product per group). ``Conv1d``/``Conv2d`` also take
``mode="scalar"``: the weights are ``Value``s and each output pixel is one
``Value.sum`` node over its w * x products (and the bias), so the graph of
one pixel of a small image can be drawn. Both modes give the same numbers.

Weights and biases start as torch's do: uniform in +-1/sqrt(fan_in), fan_in
= in_channels / groups * prod(kernel_size) (kaiming_uniform with a = sqrt(5)).
"""

from __future__ import annotations

from operator import mul
from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.ops import conv as C

from .init import fan_in_uniform, rng_from
from .layers import _size
from .module import Module, check_mode, make_parameter
from .modes import as_value, is_scalar, to_tensor, to_values
from .reset import reset_conv

# ------------------------------------------------------------------ functions (nn.functional)


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Any:
    """1-D convolution of (N, C, L) by weight (O, C/groups, k); scalar mode for Values (see ``conv2d``)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, 1, "conv1d")


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Any:
    """out[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] x[n, c, oh s + i d - p, ow s + j d - p] (torch's F.conv2d).

    ``padding``: ints, or "same" / "valid"; ``padding_mode`` (not in torch's
    F.conv2d, as in its nn.Conv2d): "zeros", "reflect", "replicate" or "circular".
    Values (scalar-mode data or weights) give an object array of Values.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, 2, "conv2d")


def _conv(x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any, padding_mode: str,
          nd: int, where: str) -> Any:
    if is_scalar(x) or is_scalar(weight) or (bias is not None and is_scalar(bias)):
        return scalar_conv(x, weight, bias, stride, padding, dilation, groups, padding_mode, nd, where)
    if not isinstance(x, Tensor):
        x = to_tensor(x, where)
    if not isinstance(weight, Tensor):
        weight = to_tensor(weight, where)
    if bias is not None and not isinstance(bias, Tensor):
        bias = to_tensor(bias, where)
    return C.conv(x, weight, bias, stride, padding, dilation, groups, padding_mode, nd, where)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed convolution (the gradient of conv2d in its input), torch's argument order; tensor mode."""
    where = "conv_transpose2d"
    if is_scalar(input) or is_scalar(weight):
        raise TypeError(f"{where}: scalar mode (Values) is not supported; use Tensors")
    x = input if isinstance(input, Tensor) else to_tensor(input, where)
    w = weight if isinstance(weight, Tensor) else to_tensor(weight, where)
    b = bias if bias is None or isinstance(bias, Tensor) else to_tensor(bias, where)
    return C.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation, where)


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding blocks: (N, C, H, W) -> (N, C kh kw, L) (im2col, torch's layout)."""
    return C.unfold(to_tensor(input, "unfold"), kernel_size, dilation, padding, stride)


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """The adjoint of ``unfold``: (N, C kh kw, L) summed back into (N, C, *output_size)."""
    return C.fold(to_tensor(input, "fold"), output_size, kernel_size, dilation, padding, stride)


# ------------------------------------------------------------------ scalar mode


def _plane_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Input position for each padded position; -1 where zero padding reads nothing."""
    if mode == "zeros":
        pos = np.arange(-lo, n + hi)
        return np.where((pos >= 0) & (pos < n), pos, -1)
    return C._pad_index(n, lo, hi, mode)


def scalar_conv(x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any,
                padding_mode: str, nd: int, where: str) -> np.ndarray:
    """The convolution on Values: each output is one ``Value.sum`` node over w * x (zero padding adds no terms)."""
    x = to_values(x, where)
    weight = to_values(weight, where)
    if bias is not None:
        bias = to_values(bias, where)
    x_shape, unbatched = C.spatial_input(x, nd, where)
    geo = C.conv_geometry(x_shape, tuple(np.shape(weight)), stride, padding, dilation, groups, padding_mode, nd,
                          where, unbatched, None if bias is None else tuple(np.shape(bias)), f"Conv{nd}d")
    x4 = C._x4(x, geo)
    w4 = weight[:, :, None] if nd == 1 else weight
    n, c, h, w = x4.shape
    o, cg, kh, kw = w4.shape
    og = o // geo.groups
    (sh, sw), (dh, dw), (ho, wo) = geo.stride, geo.dilation, geo.out_hw
    pt, pb, pl, pr = geo.pads
    ih = _plane_index(h, pt, pb, geo.mode)
    iw = _plane_index(w, pl, pr, geo.mode)
    xv = np.empty(x4.shape, dtype=object)  # one node per input number, shared by every output reading it
    for idx in np.ndindex(x4.shape):
        xv[idx] = as_value(x4[idx])
    wv = [[list(w4[oc, ci].reshape(-1)) for ci in range(cg)] for oc in range(o)]
    out = np.empty((n, o, ho, wo), dtype=object)
    for b in range(n):
        for oc in range(o):
            c0 = (oc // og) * cg
            start = bias[oc] if bias is not None else 0.0
            for oh in range(ho):
                for ow in range(wo):
                    ws_, xs_ = [], []
                    for ci in range(cg):
                        taps = wv[oc][ci]
                        for i in range(kh):
                            r = ih[oh * sh + i * dh]
                            if r < 0:
                                continue
                            for j in range(kw):
                                q = iw[ow * sw + j * dw]
                                if q >= 0:
                                    ws_.append(taps[i * kw + j])
                                    xs_.append(xv[b, c0 + ci, r, q])
                    out[b, oc, oh, ow] = Value.sum(map(mul, ws_, xs_), start)
    return out.reshape(C._out_shape(n, o, geo))


# ------------------------------------------------------------------ layers



def _cpu(device: Any, where: str) -> None:
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise RuntimeError(f"{where}: gradwork computes on the CPU only, got device {device!r}")


def _channels(in_channels: Any, out_channels: Any, groups: Any, name: str) -> tuple[int, int, int]:
    """(in_channels, out_channels, groups), each a positive int and groups dividing both channel counts."""
    cin, cout, g = (_size(in_channels, "in_channels", name), _size(out_channels, "out_channels", name),
                    _size(groups, "groups", name))
    if cin % g or cout % g:
        raise ValueError(f"{name}: groups={g} must divide in_channels={cin} and out_channels={cout}; "
                         "pick a common divisor")
    return cin, cout, g


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the checks, the parameters, the forward in either mode."""

    nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 mode: str = "tensor", seed: Any = None, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        _cpu(device, name)
        nd = self.nd
        self.in_channels, self.out_channels, self.groups = _channels(in_channels, out_channels, groups, name)
        self.kernel_size = C._ints(kernel_size, nd, "kernel_size", name, 1)
        self.stride = C._ints(stride, nd, "stride", name, 1)
        self.dilation = C._ints(dilation, nd, "dilation", name, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be 'same', 'valid', an int or a tuple of ints, "
                                 f"got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' needs stride 1, got stride {self.stride}")
            self.padding: Any = padding
        else:
            self.padding = C._ints(padding, nd, "padding", name, 0)
        if padding_mode not in C.PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {', '.join(map(repr, C.PADDING_MODES))}, "
                             f"got {padding_mode!r}")
        self.padding_mode = padding_mode
        check_mode(mode, name)
        rng = rng_from(seed)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        fan_in = int(np.prod(shape[1:]))
        self.weight = make_parameter(fan_in_uniform(shape, rng, fan_in=fan_in), mode, "w")
        self.bias = make_parameter(fan_in_uniform((self.out_channels,), rng, fan_in=fan_in), mode, "b") \
            if bias else None
        if dtype is not None:
            self.to(dtype)

    def forward(self, x: Any) -> Any:
        params = self._parameters
        w, b = params["weight"], params.get("bias")
        where = self._where()
        if not isinstance(w, Tensor):  # scalar mode
            return scalar_conv(x, w, b, self.stride, self.padding, self.dilation, self.groups, self.padding_mode,
                               self.nd, where)
        if not isinstance(x, Tensor):
            x = to_tensor(x, where)
        return C.conv(x, w, b, self.stride, self.padding, self.dilation, self.groups, self.padding_mode, self.nd,
                      where)

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: uniform in +-1/sqrt(fan_in)."""
        reset_conv(self, seed)

    def _where(self) -> str:
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size})"

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.nd:
            s += f", padding={self.padding!r}"
        if self.dilation != (1,) * self.nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        if self.mode == "scalar":
            s += ", mode='scalar'"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) (or unbatched (C_in, L)): weight (C_out, C_in/groups, k), bias (C_out,)."""

    nd = 1


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)): weight (C_out, C_in/groups, kh, kw).

    ``stride``, ``padding`` (ints, "same" or "valid"), ``dilation``, ``groups``,
    ``bias`` and ``padding_mode`` ("zeros", "reflect", "replicate", "circular")
    as in torch. ``mode="scalar"``: one Value per weight, one sum node per output.
    """

    nd = 2


class _ConvTransposeNd(Module):
    """What the 1-D and 2-D transposed convolutions share: torch's arguments and checks, weight
    (C_in, C_out/groups, *k) and bias (C_out,) uniform in +-1/sqrt(fan_in) (fan_in from weight.shape[1:]),
    the output_padding an ``output_size`` asks for, and the repr. Subclasses set ``nd`` and ``forward``.
    """

    nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", seed: Any = None, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self.nd
        _cpu(device, name)
        self.in_channels, self.out_channels, self.groups = _channels(in_channels, out_channels, groups, name)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported (as in torch), got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.kernel_size = C._ints(kernel_size, nd, "kernel_size", name, 1)
        self.stride = C._ints(stride, nd, "stride", name, 1)
        self.padding = C._ints(padding, nd, "padding", name, 0)
        self.output_padding = C._ints(output_padding, nd, "output_padding", name, 0)
        self.dilation = C._ints(dilation, nd, "dilation", name, 1)
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if op >= s and op >= d:
                raise ValueError(f"{name}: output_padding {self.output_padding} must be smaller than the stride "
                                 f"{self.stride} or the dilation {self.dilation}")
        rng = rng_from(seed)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        fan_in = int(np.prod(shape[1:]))  # torch computes it from weight.shape[1:], as for Conv2d
        self.weight = make_parameter(fan_in_uniform(shape, rng, fan_in=fan_in), "tensor")
        self.bias = make_parameter(fan_in_uniform((self.out_channels,), rng, fan_in=fan_in), "tensor") \
            if bias else None
        if dtype is not None:
            self.to(dtype)

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: uniform in +-1/sqrt(fan_in), fan_in from weight.shape[1:]."""
        reset_conv(self, seed)

    def _where(self) -> str:
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size})"

    def _output_padding(self, x: Tensor, output_size: Any, where: str) -> tuple:
        """The output_padding that makes the output's spatial size ``output_size`` (its last ``nd`` entries)."""
        nd = self.nd
        size = tuple(output_size)[-nd:] if isinstance(output_size, (tuple, list)) else (output_size,)
        if x.ndim not in (nd + 1, nd + 2):
            axes = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
            raise ValueError(f"{where}: expected a {nd + 2}-D input {axes} or an unbatched {nd + 1}-D one, "
                             f"got {x.shape}")
        pads = []
        for want, s, k, st, p, d in zip(size, x.shape[-nd:], self.kernel_size, self.stride, self.padding,
                                        self.dilation):
            least = (s - 1) * st - 2 * p + d * (k - 1) + 1
            if isinstance(want, bool) or not isinstance(want, (int, np.integer)) or \
                    not least <= want < least + max(st, d):
                raise ValueError(f"{where}: output_size {output_size!r} is not reachable from input {x.shape}; "
                                 f"each output size must be an int in [{least}, {least + max(st, d) - 1}]")
            pads.append(int(want) - least)
        return tuple(pads)

    def extra_repr(self) -> str:
        nd = self.nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """The transposed convolution (a learnable upsampling): weight (C_in, C_out/groups, kh, kw), bias (C_out,).

    Output size (H - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1;
    ``forward(x, output_size=...)`` picks the output_padding that gives that size. Tensor mode only.
    """

    nd = 2

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        where = self._where()
        w, b = self._parameters["weight"], self._parameters.get("bias")
        if not isinstance(w, Tensor):
            raise TypeError(f"{where}: scalar mode is not supported; use to_tensor()")
        if not isinstance(x, Tensor):
            x = to_tensor(x, where)
        op = self.output_padding if output_size is None else self._output_padding(x, output_size, where)
        return C.conv_transpose2d(x, w, b, self.stride, self.padding, op, self.groups, self.dilation, where)


class Unfold(Module):
    """Sliding local blocks (im2col): (N, C, H, W) -> (N, C kh kw, L)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, x: Any) -> Tensor:
        return unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """Blocks summed back into an image (col2im): (N, C kh kw, L) -> (N, C, *output_size)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, x: Any) -> Tensor:
        return fold(x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d", "Unfold", "Fold", "conv1d", "conv2d", "conv_transpose2d",
           "unfold", "fold", "scalar_conv"]
