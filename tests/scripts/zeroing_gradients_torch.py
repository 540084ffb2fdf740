"""The torch original of zeroing_gradients.py."""
# ruff: noqa: B007, UP008, UP031  (the tutorial's own spelling, kept)

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch import optim

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
wrng = np.random.default_rng(4)  # PyTorch's default initialisation, replaced: both twins draw these numbers

# CIFAR10 stands in as 32 random 3x32x32 "images" with labels from a hidden rule, batches of 4 in a fixed order
images = rng.random((32, 3, 32, 32))
rule = rng.standard_normal((3, 10))
labels = ((images[:, :, :8, :8].mean((2, 3)) - 0.5) @ rule).argmax(1)
trainset = torch.utils.data.TensorDataset(torch.tensor(images), torch.tensor(labels))
trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=False, num_workers=0)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
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


net = Net()
print(net)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.tensor(wrng.uniform(-1, 1, tuple(p.shape)) / np.sqrt(p[0].numel() if p.dim() > 1 else 10)))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)  # the recipe's lr is 0.001

for epoch in range(2):  # loop over the dataset multiple times

    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        # get the inputs; data is a list of [inputs, labels]
        inputs, labels = data

        # zero the parameter gradients
        optimizer.zero_grad()

        # forward + backward + optimize
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        # print statistics
        running_loss += loss.item()
        if i % 2 == 1:  # print every 2 mini-batches (the recipe: 2000)
            print("[%d, %5d] loss: %.17g" % (epoch + 1, i + 1, running_loss / 2))
            running_loss = 0.0

print("Finished Training")

# net.zero_grad() zeroes the same gradients; set_to_none=False keeps them as zero tensors
loss = criterion(net(inputs), labels)
loss.backward()
print(net.conv1.bias.grad.abs().sum().item() > 0)
net.zero_grad(set_to_none=False)
print(net.conv1.bias.grad.abs().sum().item(), list(net.conv1.bias.grad.shape))
net.zero_grad()
print(net.conv1.bias.grad is None)
