# %% [markdown]
# # 12. Convolution and pooling: a CNN on handwritten digits
#
# A fully connected layer gives every pixel its own weight for every neuron, so it
# has to learn the same stroke detector again at every position. A **convolution**
# slides one small kernel over the image instead: output pixel (i, j) is the dot
# product of the kernel with the patch of the image under it,
#
# $$ \text{out}[o, i, j] = b_o + \sum_{c}\sum_{u,v} w[o, c, u, v]\; x[c,\, i + u - p,\, j + v - p], $$
#
# so the same few weights look for the same pattern everywhere. **Pooling** then
# keeps the strongest answer (max) or the average of each small window, which
# shrinks the map and makes the answer less sensitive to where exactly the pattern was.
#
# This notebook computes a convolution by hand and with `nn.Conv2d`, draws the
# graph of one output pixel in scalar mode, then trains a small CNN on
# scikit-learn's 8x8 digits and looks at what its filters learned.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor, draw_graph
from nn import datasets

X, y = datasets.load_digits()
images = (X / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)  # (N, channels, height, width), pixels in [0, 1]
print(images.shape, y.shape)

# %% [markdown]
# ## A convolution by hand
#
# Take one digit and a 3x3 kernel that answers to vertical edges (dark on the
# left, bright on the right). With `padding=1` the image gets a border of zeros,
# so the output has the input's size. The loop below is the formula above; the
# one call to `F.conv2d` computes the same numbers in one graph op.

# %%
digit = images[0:1]  # a zero, as a batch of one
kernel = np.array([[-1.0, 0.0, 1.0],
                   [-2.0, 0.0, 2.0],
                   [-1.0, 0.0, 1.0]], dtype=np.float32).reshape(1, 1, 3, 3)  # Sobel, x direction

padded = np.pad(digit[0, 0], 1)
by_hand = np.zeros((8, 8), dtype=np.float32)
for i in range(8):
    for j in range(8):
        by_hand[i, j] = (kernel[0, 0] * padded[i:i + 3, j:j + 3]).sum()

by_layer = F.conv2d(Tensor(digit), Tensor(kernel), padding=1)
print("largest difference, loop vs F.conv2d:", np.abs(by_layer.data[0, 0] - by_hand).max())

fig, axes = plt.subplots(1, 3, figsize=(8, 2.8))
for ax, img, title in zip(axes, [digit[0, 0], kernel[0, 0], by_hand], ["input", "kernel", "output (edges)"]):
    ax.imshow(img, cmap="coolwarm" if title != "input" else "gray_r")
    ax.set_title(title)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## One output pixel, every number a node
#
# In scalar mode (`mode="scalar"`) the layer's weights are `Value`s and each
# output pixel is one sum node over its nine w * x products and the bias: the
# neuron of notebook 1, looking at a 3x3 patch. Here is the graph of the centre
# pixel of a 5x5 image (zero padding adds no terms, so a corner pixel would
# have four products instead of nine).

# %%
tiny_image = np.arange(25, dtype=float).reshape(1, 1, 5, 5) / 25
scalar_conv = nn.Conv2d(1, 1, 3, padding=1, mode="scalar", seed=0)
out = scalar_conv(tiny_image)
pixel = out[0, 0, 2, 2]
pixel.backward()
print(f"out[2, 2] = {pixel.data:.4f} from {len(pixel.parents)} terms; "
      f"d out[2, 2] / d w[0,0,0,0] = {scalar_conv.weight[0, 0, 0, 0].grad:.3f} (the pixel under that tap)")
draw_graph(pixel, params=scalar_conv, title="one output pixel of a 3x3 convolution")

# %% [markdown]
# The same layer in tensor mode gives the same 25 numbers, as one node for the
# whole image (and the whole batch):

# %%
tensor_conv = scalar_conv.to_tensor()
same = np.abs(tensor_conv(tiny_image).data - np.array([[v.data for v in out.flat]]).reshape(out.shape)).max()
print("largest difference between the modes:", same)
draw_graph(tensor_conv(tiny_image).sum(), params=tensor_conv, title="tensor mode: the convolution is one box")

# %% [markdown]
# ## Pooling
#
# Max pooling with a 2x2 window and stride 2 keeps the largest of each four
# pixels: an 8x8 map becomes 4x4. Its gradient goes only to the pixel that won
# each window (in scalar mode the pooling is a `max` node whose local
# derivative is 1 for the winner and 0 for the rest).

# %%
edges = by_layer.relu()
pooled = F.max_pool2d(edges, 2)
averaged = F.avg_pool2d(edges, 2)
fig, axes = plt.subplots(1, 3, figsize=(8, 2.8))
for ax, img, title in zip(axes, [edges.data[0, 0], pooled.data[0, 0], averaged.data[0, 0]],
                          ["ReLU(edges) 8x8", "max pool 4x4", "average pool 4x4"]):
    ax.imshow(img, cmap="viridis")
    ax.set_title(title)
    ax.axis("off")
plt.tight_layout()
plt.show()

window = F.max_pool2d(scalar_conv(tiny_image), 2)[0, 0, 0, 0]
print(f"scalar-mode max of the first window: {window.data:.4f}, op {window.op!r}, "
      f"local derivatives {window.local_grads()}")

# %% [markdown]
# ## A CNN on the digits
#
# Two 3x3 convolutions (16 and 32 filters) with ReLU, one 2x2 max pool, and a
# linear layer to the ten classes: about 10,000 weights. Adam with a cosine
# learning-rate schedule, batches of 32, six epochs, float32. The split is
# scikit-learn's `train_test_split(test_size=0.25, random_state=0)`.

# %%
Xtr, Xte, ytr, yte = train_test_split(images, y, test_size=0.25, random_state=0)


def digits_cnn(seed=1):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, seed=seed), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, seed=seed + 1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * 4 * 4, 10, seed=seed + 2),
    ).float()


model = digits_cnn()
epochs, batch = 6, 32
opt = optim.Adam(model.parameters(), lr=5e-3)
sched = optim.CosineAnnealingLR(opt, epochs * int(np.ceil(len(Xtr) / batch)))  # stepped once per batch
shuffle = np.random.default_rng(1)
start = time.perf_counter()
history = []
for epoch in range(epochs):
    order = shuffle.permutation(len(Xtr))
    for k in range(0, len(order), batch):
        idx = order[k:k + batch]
        loss = F.cross_entropy(model(Tensor(Xtr[idx])), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with autograd.no_grad():
        acc = (model(Tensor(Xte)).data.argmax(axis=1) == yte).mean()
    history.append(acc)
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {acc:.4f}")
print(f"trained in {time.perf_counter() - start:.1f} s; test accuracy {history[-1]:.2%} "
      f"({int(round((1 - history[-1]) * len(yte)))} of {len(yte)} test digits wrong)")

# %% [markdown]
# ## What the filters learned
#
# The sixteen 3x3 kernels of the first layer, and what they make of one test
# digit: each feature map is bright where its kernel's pattern is.

# %%
filters = model[0].weight.data[:, 0]
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for k, ax in enumerate(axes.flat):
    ax.imshow(filters[k], cmap="coolwarm", vmin=-np.abs(filters).max(), vmax=np.abs(filters).max())
    ax.set_title(f"filter {k}", fontsize=8)
    ax.axis("off")
fig.suptitle("first-layer filters (red positive, blue negative)")
plt.tight_layout()
plt.show()

sample = Tensor(Xte[:1])
with autograd.no_grad():
    maps1 = model[1](model[0](sample)).data[0]          # after conv 1 + ReLU: 16 maps of 8x8
    maps2 = model[3](model[2](model[1](model[0](sample)))).data[0]  # after conv 2 + ReLU: 32 maps
fig, axes = plt.subplots(3, 9, figsize=(11, 4))
axes[0, 0].imshow(Xte[0, 0], cmap="gray_r")
axes[0, 0].set_title(f"digit {yte[0]}", fontsize=8)
for k in range(8):
    axes[0, k + 1].imshow(maps1[k], cmap="viridis")
    axes[0, k + 1].set_title(f"conv1 map {k}", fontsize=8)
for k in range(18):
    ax = axes[1 + k // 9, k % 9]
    ax.imshow(maps2[k], cmap="viridis")
    ax.set_title(f"conv2 map {k}", fontsize=8)
for ax in axes.flat:
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The whole network as a graph
#
# In tensor mode each layer is one node, labelled with its kernel and its
# shapes, so the drawing of a CNN's loss reads like the model summary.

# %%
small_loss = F.cross_entropy(model(Tensor(Xtr[:4])), ytr[:4])
draw_graph(small_loss, params=model, title="the CNN: one box per layer")

# %% [markdown]
# **Summary**
# - A convolution is one small set of weights slid over the image; each output pixel is a neuron on a patch.
# - Pooling keeps the strongest (max) or the mean of each window; its gradient goes back to the window's pixels.
# - `nn.Conv2d`, `nn.MaxPool2d`, `nn.AvgPool2d` and friends have torch's names, arguments and numbers; each is one
#   graph op in tensor mode, and convolutions and max pooling also run on `Value`s in scalar mode.
# - A 10,000-weight CNN reaches about 99% on the 8x8 digits in a few seconds on a CPU.
