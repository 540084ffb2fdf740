"""PyTorch tutorial "Learning PyTorch with examples":
the cubic as nn.Sequential(Linear(3, 1), Flatten(0, 1)) on x.unsqueeze(-1).pow(p), stepped by hand.
"""

import math

import autograd
import nn

x = autograd.linspace(-math.pi, math.pi, 2000)
y = autograd.sin(x)

p = autograd.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = nn.Sequential(
    nn.Linear(3, 1),
    nn.Flatten(0, 1)
)
# the tutorial keeps Linear's random start; fixed numbers give both twins the same one
model.load_state_dict({"0.weight": autograd.tensor([[0.2, -0.1, 0.05]]), "0.bias": autograd.tensor([0.1])})
loss_fn = nn.MSELoss(reduction="sum")

learning_rate = 1e-6
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with autograd.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")
print(list(xx.shape), xx.dtype == autograd.float64, list(y_pred.shape))
