"""A training loop as torch users write it: DataLoader batches, gradient clipping, ReduceLROnPlateau."""

import numpy as np

import nn
import optim
from nn.data import DataLoader, TensorDataset
from nn.utils import clip_grad_norm_
from optim.lr_scheduler import ReduceLROnPlateau

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3))
y = (np.sin(X[:, :1] * 2) + X[:, 1:2] * X[:, 2:3]) * 3
init = {"0.weight": rng.normal(size=(16, 3)) * 0.5, "0.bias": np.zeros(16),
        "2.weight": rng.normal(size=(1, 16)) * 0.25, "2.bias": np.zeros(1)}

model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
model.load_state_dict(init)
loader = DataLoader(TensorDataset(X, y), batch_size=16)
loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)

for epoch in range(25):
    total, norms = 0.0, []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        norms.append(clip_grad_norm_(model.parameters(), max_norm=1.0).item())
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step(total / len(X))
    print(epoch, total / len(X), max(norms), optimizer.param_groups[0]["lr"])
