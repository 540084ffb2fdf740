"""PyTorch tutorial "Learn the Basics: Build the Neural Network".

Inputs come from numpy with a fixed seed and the weights are loaded from numpy arrays, so both sides agree.
"""

import numpy as np
import autograd as torch
import nn

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
init = {k: rng.normal(size=tuple(v.shape)) / np.sqrt(v.shape[-1]) for k, v in model.state_dict().items()}
model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})

X = torch.tensor(rng.random((1, 28, 28)), device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
print(pred_probab)

input_image = torch.tensor(rng.random((3, 28, 28)))
print(input_image.size())
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())

layer1 = nn.Linear(in_features=28 * 28, out_features=20)
layer1.load_state_dict({"weight": torch.from_numpy(rng.normal(size=(20, 784)) / 28),
                        "bias": torch.from_numpy(rng.normal(size=20) / 28)})
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")

last = nn.Linear(20, 10)
last.load_state_dict({"weight": torch.from_numpy(rng.normal(size=(10, 20))), "bias": torch.zeros(10)})
seq_modules = nn.Sequential(
    flatten,
    layer1,
    nn.ReLU(),
    last,
)
input_image = torch.tensor(rng.random((3, 28, 28)))
logits = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print(pred_probab.sum(1), pred_probab.argmax(1))

print(f"Model structure: {model}\n\n")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
