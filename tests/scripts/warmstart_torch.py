"""The torch original of warmstart.py."""
# ruff: noqa: B007, UP008, UP031  (the tutorial's own spelling, kept)

import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch import optim

torch.set_default_dtype(torch.float64)
wrng = np.random.default_rng(5)  # PyTorch's default initialisation, replaced: both twins draw these numbers


def init_(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(wrng.uniform(-0.2, 0.2, tuple(p.shape))))


class NetA(nn.Module):
    def __init__(self):
        super(NetA, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


netA = NetA()
init_(netA)


class NetB(nn.Module):
    def __init__(self):
        super(NetB, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


netB = NetB()
init_(netB)

with tempfile.TemporaryDirectory() as tmp:  # the recipe saves to "model.pt" in the current directory
    PATH = os.path.join(tmp, "model.pt")
    torch.save(netA.state_dict(), PATH)

    # the same layers: every key matches
    print(netB.load_state_dict(torch.load(PATH, weights_only=True), strict=False))
    print(netB.fc3.bias.tolist() == netA.fc3.bias.tolist())


# a different model: a new head and an extra layer. strict=False loads what matches and reports the rest
class NetC(nn.Module):
    def __init__(self):
        super(NetC, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.bn = nn.BatchNorm1d(84)
        self.head = nn.Linear(84, 5)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.bn(self.fc2(x)))
        return self.head(x)


netC = NetC()
init_(netC)
print(list(netC.state_dict().keys()))
result = netC.load_state_dict(netA.state_dict(), strict=False)
print(result.missing_keys)
print(result.unexpected_keys)
missing_keys, unexpected_keys = result
print(len(missing_keys), len(unexpected_keys), netC.conv2.weight.tolist() == netA.conv2.weight.tolist())

# renaming keys: fc3 -> head. The shapes differ (10 vs 5 outputs), which strict=False does not forgive
renamed = {k.replace("fc3", "head"): v for k, v in netA.state_dict().items()}
try:
    netC.load_state_dict(renamed, strict=False)
except RuntimeError as e:
    print("size mismatch" in str(e))
try:
    netC.load_state_dict(netA.state_dict())
except RuntimeError as e:
    print("missing" in str(e).lower(), "unexpected" in str(e).lower())

# keep the entries whose names and shapes match, then fine-tune the new model
own = netC.state_dict()
compatible = {k: v for k, v in netA.state_dict().items() if k in own and v.shape == own[k].shape}
print(sorted(compatible))
netC.load_state_dict(compatible, strict=False)

rng = np.random.default_rng(0)
x, y = torch.tensor(rng.random((8, 3, 32, 32))), torch.tensor(rng.integers(0, 5, 8))
optimizer = optim.SGD(netC.parameters(), lr=0.01, momentum=0.9)
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(netC(x), y)
    loss.backward()
    optimizer.step()
    print(step, loss.item())
print(netC.bn.running_mean[:3].tolist(), netC.bn.num_batches_tracked.item())
