"""PyTorch tutorial "Learn the Basics: Save and Load the Model", and the recipe
"Saving and loading a general checkpoint".

A small Net (weights from numpy) stands in for VGG16; files go into a temporary directory. Saving the whole
model (torch.save(model, ...), a pickle) is left out: gradwork's files never hold code (README).
"""

import os
import tempfile

import numpy as np
import autograd as torch
import nn
from nn import functional as F
import optim

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(6 * 6 * 6, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def fresh_weights(model):
    return {k: torch.from_numpy(rng.normal(size=tuple(v.shape)) * 0.2) for k, v in model.state_dict().items()}


x = torch.tensor(rng.random((4, 3, 16, 16)))
y = torch.tensor(rng.integers(0, 10, size=4))
with tempfile.TemporaryDirectory() as tmp:
    # Saving and loading model weights
    model = Net()
    model.load_state_dict(fresh_weights(model))
    path = os.path.join(tmp, "model_weights.pth")
    torch.save(model.state_dict(), path)

    model2 = Net()  # we do not specify weights: they are random until loaded
    model2.load_state_dict(torch.load(path, weights_only=True))
    model2.eval()
    print(list(model2.state_dict().keys()))
    print(torch.equal(model(x), model2(x)), model2(x)[0])

    # Saving and loading a general checkpoint
    net = Net()
    net.load_state_dict(fresh_weights(net))
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        print(epoch, loss.item())

    EPOCH = 5
    PATH = os.path.join(tmp, "model.pt")
    LOSS = 0.4
    torch.save({
        "epoch": EPOCH,
        "model_state_dict": net.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": LOSS,
    }, PATH)

    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.5)
    checkpoint = torch.load(PATH, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch = checkpoint["epoch"]
    loss = checkpoint["loss"]
    print(epoch, loss, optimizer.param_groups[0]["lr"], optimizer.param_groups[0]["momentum"])

    model.eval()
    print(model(x).argmax(1))
    # - or -
    model.train()
    for step in range(2):  # resuming: the momentum buffers came back with the optimizer's state
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        print(step, loss.item(), net.fc1.bias.sum().item(), model.fc1.bias.sum().item())
