"""PyTorch tutorial "Deep Learning with PyTorch: A 60 Minute Blitz, Neural Networks".

The input, the target, the backward's gradient and the weights come from numpy with a fixed seed (torch.randn
and torch's initialisation draw other numbers than gradwork's), so both sides agree. The manual update is
written the gradwork way: `.data` is a numpy array by design (README), so `f.data -= ...` replaces
`f.data.sub_(...)`.
"""

import numpy as np
import autograd as torch
import nn
from nn import functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()  # noqa: UP008  (the tutorial's spelling)
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


net = Net()
print(net)
net.load_state_dict({k: torch.from_numpy(rng.normal(size=tuple(v.shape)) / np.sqrt(np.prod(v.shape[1:]) or 1))
                     for k, v in net.state_dict().items()})

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.tensor(rng.normal(size=(1, 1, 32, 32)))
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.tensor(rng.normal(size=(1, 10))))
print(net.conv1.bias.grad)

# Loss Function
output = net(input)
target = torch.tensor(rng.normal(size=10))  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

# Backprop
net.zero_grad()  # zeroes the gradient buffers of all parameters

print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)

loss.backward()

print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)

# Update the weights
learning_rate = 0.01
for f in net.parameters():
    f.data -= f.grad.data * learning_rate  # .data is a numpy array in gradwork (README): numpy's in-place -=
print(criterion(net(input), target))

import optim  # noqa: E402

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
for step in range(3):
    optimizer.zero_grad()   # zero the gradient buffers
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()    # Does the update
    print(step, loss.item())
