# %% [markdown]
# # 7. Many classes: softmax on handwritten digits
#
# With more than two classes the network gets one output per class. The
# outputs are scores (logits), softmax turns them into a probability for each
# class (notebook 2), and categorical cross-entropy charges $-\log$ of the
# probability given to the right class (notebook 4).
#
# The data: scikit-learn's **digits**, 1797 handwritten digits scanned as 8x8
# grey images (pixel values 0 to 16), bundled with scikit-learn so nothing is
# downloaded. We train an MLP, then look beyond the accuracy: the confusion
# matrix shows *which* digits get mixed up, and the misclassified images show why.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn
import optim
from autograd import Tensor, no_grad

X, y = nn.datasets.load_digits()
print(f"{X.shape[0]} images of {X.shape[1]} pixels; classes 0-9 with counts {np.bincount(y).tolist()}")

# %%
fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
for digit in range(10):
    for row in range(2):
        ax = axes[row, digit]
        ax.imshow(X[y == digit][row].reshape(8, 8), cmap="gray_r")
        ax.set(xticks=[], yticks=[])
        if row == 0:
            ax.set_title(str(digit))
fig.suptitle("two examples of each digit (8x8 pixels)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Preparing the data
#
# Every pixel has the same range, 0 to 16, so instead of standardising each
# pixel we divide all of them by 16 (a pixel that is blank in every training
# image would otherwise get a standard deviation of 0). The split is
# stratified: each digit keeps its share in both parts.

# %%
X_train, X_test, y_train, y_test = nn.train_test_split(X / 16.0, y, test_size=0.25, seed=0, stratify=True)
print(f"train {X_train.shape}, test {X_test.shape}")

# %% [markdown]
# ## The model: 64 inputs, 32 hidden ReLU neurons, 10 outputs
#
# The last layer has no activation: its 10 outputs are logits.
# `nn.CrossEntropyLoss` applies log-softmax and picks out the log-probability
# of the label in one numerically stable step, so the network itself never
# needs to compute a softmax during training.

# %%
model = nn.MLP(64, [32, 10], activation="relu", seed=0)
optimizer = optim.Adam(model.parameters(), lr=3e-3)
history = nn.fit(model, nn.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=30, batch_size=32, seed=0,
                 validation_data=(X_test, y_test), progress=False)
print(f"test accuracy after {history.epochs} epochs: {history['val_accuracy'][-1]:.1%}")

history.plot()  # cross-entropy and accuracy per epoch, training and test set
plt.show()

# %% [markdown]
# ## From logits to probabilities
#
# To read the model's answer we apply softmax to the logits of each test
# image; the predicted class is the most probable one. A few test images with
# their ten probabilities:

# %%
model.eval()
with no_grad():
    logits = model(Tensor(X_test))
    probabilities = logits.softmax(axis=1).data
predicted = probabilities.argmax(axis=1)
print(f"rows sum to 1: {np.allclose(probabilities.sum(axis=1), 1.0)}; "
      f"test accuracy {np.mean(predicted == y_test):.1%}")

fig, axes = plt.subplots(2, 4, figsize=(12, 4))
for k in range(4):
    axes[0, k].imshow(X_test[k].reshape(8, 8), cmap="gray_r")
    axes[0, k].set(xticks=[], yticks=[], title=f"label {y_test[k]}")
    colours = ["tab:green" if d == y_test[k] else "tab:gray" for d in range(10)]
    axes[1, k].bar(range(10), probabilities[k], color=colours)
    axes[1, k].set(xticks=range(10), ylim=(0, 1), xlabel="digit", title=f"predicted {predicted[k]}")
axes[1, 0].set_ylabel("probability")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The confusion matrix
#
# Row $i$, column $j$ counts the test images of digit $i$ that the model called
# $j$. A perfect model has everything on the diagonal; each off-diagonal cell
# is one kind of mistake.

# %%
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)

fig, ax = plt.subplots(figsize=(6, 5.2))
ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax.text(j, i, confusion[i, j], ha="center", va="center",
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black", fontsize=9)
ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
       title="confusion matrix (test set)")
plt.tight_layout()
plt.show()

per_class = confusion.diagonal() / confusion.sum(axis=1)
print("accuracy per digit:", " ".join(f"{d}: {a:.0%}" for d, a in enumerate(per_class)))
off = confusion - np.diag(confusion.diagonal())
i, j = np.unravel_index(off.argmax(), off.shape)
print(f"most frequent mistake: {off[i, j]} images of {i} called {j}")

# %% [markdown]
# ## The mistakes themselves
#
# Looking at the misclassified images is the quickest way to learn whether the
# model is confused by genuinely ambiguous writing or missing something
# obvious. Each title gives the true label, the prediction and the
# probability the model gave to its (wrong) choice.

# %%
wrong = np.flatnonzero(predicted != y_test)
wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]])]  # most confident mistakes first
shown = wrong[:12]
fig, axes = plt.subplots(2, 6, figsize=(11, 4.8))
for ax in axes.flat:
    ax.axis("off")
for ax, k in zip(axes.flat, shown):
    ax.imshow(X_test[k].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"true {y_test[k]}, said {predicted[k]}\np = {probabilities[k, predicted[k]]:.2f}", fontsize=9)
fig.suptitle(f"{len(wrong)} of {len(y_test)} test images are misclassified; the most confident mistakes")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What the hidden neurons look for
#
# Each hidden neuron has one weight per pixel, so its weights can be drawn as
# an 8x8 image: red pixels push the neuron's input up, blue ones down. They
# are not tidy digit templates: each neuron responds to ink in some places and
# its absence in others, and the output layer combines 32 such partial clues.
# The titles give the share of training images on which the neuron fires
# (ReLU input above 0).

# %%
W1 = model[0].weight.data  # (32 hidden neurons, 64 pixels)
b1 = model[0].bias.data
fires = (X_train @ W1.T + b1 > 0).mean(axis=0)
limit = np.abs(W1).max()
fig, axes = plt.subplots(2, 8, figsize=(12, 3.2))
for k, ax in enumerate(axes.flat):
    ax.imshow(W1[k].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(xticks=[], yticks=[], title=f"{k}: fires {fires[k]:.0%}")
fig.suptitle("first-layer weights of 16 of the 32 hidden neurons")
plt.tight_layout()
plt.show()
dead = np.flatnonzero(fires == 0)
print(f"neurons that fire on no training image at all: {dead.tolist()}")

# %% [markdown]
# The pale squares are neurons whose weights barely changed from their small
# initial values. If such a neuron fires on no image at all it is a dead ReLU
# (notebook 2): it receives no gradient, so it can never recover, and the
# network effectively has fewer hidden neurons than we gave it.

# %% [markdown]
# **Summary**
# - $K$ classes: $K$ output logits, softmax for probabilities, cross-entropy on the log-probability of the label.
# - The confusion matrix shows which classes are mixed up; the misclassified images show whether the mix-ups are
#   understandable.
# - A small MLP reaches about 96 % on 8x8 digits in a few seconds of training.
