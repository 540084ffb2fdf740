"""PyTorch tutorial "Learning PyTorch with examples": the cubic as an nn.Module subclass, trained with optim.SGD."""

import math

import numpy as np

import autograd
import optim
from nn import Module, MSELoss, Parameter

x = autograd.tensor(np.linspace(-math.pi, math.pi, 2000))
y = autograd.sin(x)


class Polynomial3(Module):
    def __init__(self):
        super().__init__()
        self.a = Parameter(0.1)
        self.b = Parameter(-0.2)
        self.c = Parameter(0.05)
        self.d = Parameter(0.3)

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"


model = Polynomial3()
criterion = MSELoss(reduction="sum")
optimizer = optim.SGD(model.parameters(), lr=1e-6)
for t in range(2000):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"Result: {model.string()}")
