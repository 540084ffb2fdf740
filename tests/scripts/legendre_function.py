"""PyTorch tutorial "Defining new autograd functions": y = a + b P3(c + d x) with a custom Function for P3.

The tutorial steps the weights by hand; here optim.SGD takes the same steps.
"""

import math

import numpy as np

import autograd
import optim
from autograd import Function


class LegendrePolynomial3(Function):
    """P3(x) = (5 x**3 - 3 x) / 2; dP3/dx = 1.5 (5 x**2 - 1)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


x = autograd.tensor(np.linspace(-math.pi, math.pi, 2000))
y = autograd.sin(x)

a = autograd.full((), 0.0, requires_grad=True)
b = autograd.full((), -1.0, requires_grad=True)
c = autograd.full((), 0.0, requires_grad=True)
d = autograd.full((), 0.3, requires_grad=True)

optimizer = optim.SGD([a, b, c, d], lr=5e-6)
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = ((y_pred - y) ** 2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
