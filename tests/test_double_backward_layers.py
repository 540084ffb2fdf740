"""Second derivatives (create_graph=True) through the conv, pooling and normalisation layers, against torch:
every convolution padding mode, 1-D and 2-D. Both backends (conftest)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")


def _double_backward(ours, theirs, a: np.ndarray) -> None:
    """d/dx of sum((d/dx sum(f(x)**3))**2), ours against torch's, and the first gradient too."""
    x = Tensor(a, requires_grad=True)
    (g,) = autograd.grad((ours(x) ** 3).sum(), [x], create_graph=True)
    (g * g).sum().backward()
    t = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad((theirs(t) ** 3).sum(), [t], create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("nd", [1, 2])
def test_conv_double_backward_in_every_padding_mode_matches_torch(mode: str, nd: int) -> None:
    ours_cls, torch_cls = (nn.Conv1d, torch.nn.Conv1d) if nd == 1 else (nn.Conv2d, torch.nn.Conv2d)
    pad = 2 if nd == 1 else (1, 2)
    m = ours_cls(2, 3, 3, padding=pad, padding_mode=mode, seed=0)
    tm = torch_cls(2, 3, 3, padding=pad, padding_mode=mode).double()
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(m.weight.data))
        tm.bias.copy_(torch.tensor(m.bias.data))
    shape = (2, 2, 7) if nd == 1 else (2, 2, 4, 5)
    _double_backward(m, tm, np.random.default_rng(nd).standard_normal(shape))


def test_conv_reflect_second_derivative_of_the_weight_against_central_differences() -> None:
    x = Tensor(np.random.default_rng(3).standard_normal((1, 1, 4, 4)))
    w = Tensor(np.random.default_rng(4).standard_normal((1, 1, 3, 3)), requires_grad=True)

    def grad_norm(v: Tensor) -> Tensor:
        if not v.requires_grad:  # gradcheck's central differences: a plain evaluation
            v = Tensor(v.data, requires_grad=True)
        with autograd.enable_grad():
            y = nn.functional.conv2d(x, v, padding=1, padding_mode="reflect")
            (gw,) = autograd.grad((y * y * y).sum(), [v], create_graph=True)
            return (gw * gw).sum()

    assert gradcheck(grad_norm, [w], eps=1e-6, atol=1e-6, rtol=1e-5)


LAYERS = {
    "maxpool2d": (lambda: nn.MaxPool2d(2), lambda: torch.nn.MaxPool2d(2), (2, 3, 4, 4)),
    "avgpool2d": (lambda: nn.AvgPool2d(2, padding=1), lambda: torch.nn.AvgPool2d(2, padding=1), (2, 3, 4, 4)),
    "adaptive_avgpool2d": (lambda: nn.AdaptiveAvgPool2d(3), lambda: torch.nn.AdaptiveAvgPool2d(3), (2, 3, 5, 5)),
    "batchnorm2d": (lambda: nn.BatchNorm2d(3), lambda: torch.nn.BatchNorm2d(3), (4, 3, 2, 2)),
    "layernorm": (lambda: nn.LayerNorm(4), lambda: torch.nn.LayerNorm(4), (3, 4)),
    "groupnorm": (lambda: nn.GroupNorm(2, 4), lambda: torch.nn.GroupNorm(2, 4), (2, 4, 3)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_pool_and_norm_double_backward_matches_torch(name: str) -> None:
    make, make_ref, shape = LAYERS[name]
    _double_backward(make(), make_ref().double(), np.random.default_rng(5).standard_normal(shape))
