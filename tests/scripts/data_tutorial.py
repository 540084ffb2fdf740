"""PyTorch tutorial "Learn the Basics: Datasets & DataLoaders" on synthetic images.

FashionMNIST is replaced by 28x28 images drawn with numpy from a fixed seed (no download); the custom
Dataset returns numpy arrays and int labels, so the DataLoader's default_collate makes the Tensors.
"""

import numpy as np
import autograd as torch
from nn.data import DataLoader, Dataset

torch.set_default_dtype(torch.float64)
labels_map = {0: "T-Shirt", 1: "Trouser", 2: "Pullover", 3: "Dress", 4: "Coat", 5: "Sandal", 6: "Shirt",
              7: "Sneaker", 8: "Bag", 9: "Ankle Boot"}


class CustomImageDataset(Dataset):
    def __init__(self, n, seed, transform=None, target_transform=None):
        rng = np.random.default_rng(seed)
        self.images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)  # what read_image gives
        self.img_labels = rng.integers(0, 10, size=n).tolist()
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        label = self.img_labels[idx]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


def to_tensor(image):  # ToTensor's arithmetic: uint8 HxW -> float 1xHxW in [0, 1]
    return (image / 255.0)[None]


training_data = CustomImageDataset(100, seed=0, transform=to_tensor)
test_data = CustomImageDataset(30, seed=1, transform=to_tensor)
img, label = training_data[3]
print(labels_map[label], img.shape, img.dtype, round(float(img.sum()), 6))

train_dataloader = DataLoader(training_data, batch_size=64, shuffle=False)
test_dataloader = DataLoader(test_data, batch_size=64, shuffle=False)

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
print(train_features.dtype, train_labels.dtype)
img = train_features[0].squeeze()
label = train_labels[0]
print(img.shape, round(img.sum().item(), 6))
print(f"Label: {label}")
xb, yb = train_features.to(device), train_labels.to(device)
print(xb.mean().item(), yb.sum().item())

for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")

# numpy samples of other dtypes, and samples that are plain numbers, collate as torch's default_collate does
raw = DataLoader(CustomImageDataset(5, seed=2), batch_size=2)
for images, labels in raw:
    print(images.dtype, images.shape, labels.dtype, labels.tolist())
class Pairs(Dataset):  # a Dataset, not a plain list: gradwork's DataLoader(X, y) reads a list as an array X
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return i + 0.5, i + 1


pairs = DataLoader(Pairs(), batch_size=2)
for a, b in pairs:
    print(a.dtype, a, b.dtype, b)

# Lambda transforms: one-hot labels with scatter_
target_transform = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)  # noqa: E731
ds = CustomImageDataset(4, seed=3, transform=to_tensor, target_transform=target_transform)
_, onehot = ds[0]
print(onehot, ds.img_labels[0])
features, targets = next(iter(DataLoader(ds, batch_size=4)))
print(targets.dtype, targets.shape, targets.argmax(1).tolist())
