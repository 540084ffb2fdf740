"""PyTorch tutorial "Learning PyTorch with examples": fit sin(x) with a cubic, gradients by autograd, manual steps."""

import math

import numpy as np

import autograd
from autograd import no_grad

x = autograd.tensor(np.linspace(-math.pi, math.pi, 2000))
y = autograd.sin(x)

# the tutorial draws these with randn; fixed numbers give both twins the same start
a = autograd.tensor(0.1, requires_grad=True)
b = autograd.tensor(-0.2, requires_grad=True)
c = autograd.tensor(0.05, requires_grad=True)
d = autograd.tensor(0.3, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = ((y_pred - y) ** 2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
