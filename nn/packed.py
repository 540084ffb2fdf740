"""Variable-length sequences with torch's names (``torch.nn.utils.rnn``), reachable as ``nn.utils.rnn``.

    >>> from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence   # doctest: +SKIP
    >>> packed = pack_padded_sequence(x, lengths, enforce_sorted=False)    # x: (T, B, F)
    >>> out, h_n = nn.GRU(F, H)(packed)                                    # out: a PackedSequence
    >>> padded, lengths = pad_packed_sequence(out)                         # (T, B, H), zeros past each end

A ``PackedSequence`` holds the valid steps of a batch of sequences, time-major:
its ``data`` row block t holds step t of the ``batch_sizes[t]`` sequences still
running, longest first (``sorted_indices[j]`` is the original batch row of the
j-th longest; ``unsorted_indices`` the inverse permutation, both None when the
batch came sorted). Packing, padding and unpacking are gathers on the graph,
so gradients reach every input sequence. ``nn.RNN/LSTM/GRU`` take a
PackedSequence (and return one), with h_n (c_n) each sequence's state at its
own last step, in the original batch order, as torch does.
"""

from __future__ import annotations

from collections import namedtuple
from numbers import Integral, Real
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

__all__ = [
    "PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "unpad_sequence",
    "pack_sequence", "unpack_sequence",
]

_Fields = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _index_tensor(x: Any, name: str, where: str) -> Tensor | None:
    """None, or a 1-D int64 Tensor from a Tensor, an array or a list of ints."""
    if x is None or (isinstance(x, Tensor) and x.ndim == 1 and x.dtype == np.int64):
        return x
    arr = x.data if isinstance(x, Tensor) else x
    try:
        arr = np.asarray(arr)
    except (TypeError, ValueError):
        arr = np.asarray([], dtype=object)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"{where}: {name} must be a 1-D tensor (or list) of ints, got {_describe(x)}")
    return Tensor._make(np.array(arr, dtype=np.int64))


def _describe(x: Any) -> str:
    if isinstance(x, (Tensor, np.ndarray)):
        return f"a {x.ndim}-D {x.dtype} {'Tensor' if isinstance(x, Tensor) else 'array'} of shape {tuple(x.shape)}"
    return f"{type(x).__name__} {x!r}" if isinstance(x, (Real, str)) else type(x).__name__


class PackedSequence(_Fields):
    """(data, batch_sizes, sorted_indices, unsorted_indices): a batch of sequences without their padding.

    ``data`` (sum of the lengths, *) holds step t of the ``batch_sizes[t]``
    longest sequences at rows sum(batch_sizes[:t]) ...; ``batch_sizes`` is an
    int64 Tensor. Make one with ``pack_padded_sequence`` or ``pack_sequence``.
    """

    __slots__ = ()

    def __new__(cls, data: Any, batch_sizes: Any = None, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> PackedSequence:
        where = "PackedSequence"
        if batch_sizes is None:
            if isinstance(data, (tuple, list)) and len(data) == 2:  # torch's legacy (data, batch_sizes) form
                data, batch_sizes = data
            else:
                raise TypeError(f"{where}: needs batch_sizes; build one with pack_padded_sequence or pack_sequence")
        if not isinstance(data, Tensor):
            raise TypeError(f"{where}: data must be a Tensor, got {type(data).__name__}")
        batch_sizes = _index_tensor(batch_sizes, "batch_sizes", where)
        sorted_indices = _index_tensor(sorted_indices, "sorted_indices", where)
        unsorted_indices = _index_tensor(unsorted_indices, "unsorted_indices", where)
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = Tensor._make(_invert(sorted_indices.data))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)`` (a dtype; the device stays the CPU); the same PackedSequence when nothing changes."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def double(self) -> PackedSequence:
        return self.to(np.float64)

    def float(self) -> PackedSequence:
        return self.to(np.float32)

    def half(self) -> PackedSequence:
        return self.to(np.float16)

    def cpu(self) -> PackedSequence:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self._with_data(self.data.cuda(*args, **kwargs))

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _invert(perm: np.ndarray) -> np.ndarray:
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size, dtype=perm.dtype)
    return inv


def _tensor_arg(x: Any, name: str, where: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
        return autograd.tensor(x)
    raise TypeError(f"{where}: {name} must be a Tensor, got {_describe(x)}")


def _sequences(sequences: Any, where: str) -> list[Tensor]:
    if isinstance(sequences, Tensor):
        if sequences.ndim == 0:
            raise TypeError(f"{where}: expected a list of Tensors (or a Tensor to unbind on dim 0), got a 0-d Tensor")
        seqs = [sequences[i] for i in range(sequences.shape[0])]
    elif isinstance(sequences, (list, tuple)):
        seqs = [_tensor_arg(s, f"sequences[{i}]", where) for i, s in enumerate(sequences)]
    else:
        raise TypeError(f"{where}: sequences must be a list of Tensors, got {_describe(sequences)}")
    if not seqs:
        raise RuntimeError(f"{where}: received an empty list of sequences; pass at least one Tensor")
    for i, s in enumerate(seqs):
        if s.ndim == 0:
            raise ValueError(f"{where}: sequences[{i}] is a 0-d Tensor; each sequence needs a time axis (L, *)")
        if s.shape[1:] != seqs[0].shape[1:]:
            raise RuntimeError(
                f"{where}: sequences[{i}] has shape {tuple(s.shape)} but sequences[0] has {tuple(seqs[0].shape)}; "
                "all sequences must have the same trailing shape (only the first, time, axis may differ)"
            )
    return seqs


def _bool(x: Any, name: str, where: str) -> bool:
    if not isinstance(x, (bool, np.bool_, Integral)):
        raise TypeError(f"{where}: {name} must be True or False, got {_describe(x)}")
    return bool(x)


def _gather_padded(pieces: list[Tensor], index: np.ndarray, padding_value: Any, where: str) -> Tensor:
    """One padded tensor: the rows of all ``pieces`` stacked, then read at ``index`` (-1: the padding)."""
    if isinstance(padding_value, bool) or not isinstance(padding_value, Real):
        raise TypeError(f"{where}: padding_value must be a number, got {_describe(padding_value)}")
    first = pieces[0]
    pad = Tensor._make(np.full((1,) + tuple(first.shape[1:]), padding_value, dtype=first.dtype))
    rows = autograd.concatenate(list(pieces) + [pad], axis=0)
    index = np.where(index < 0, rows.shape[0] - 1, index)
    return rows[index]


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences (L_i, *) into one (T, B, *) Tensor ((B, T, *) with batch_first), T = max L_i, the rest padding."""
    where = "pad_sequence"
    seqs = _sequences(sequences, where)
    batch_first = _bool(batch_first, "batch_first", where)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"{where}: expected padding_side to be one of left or right, but got {padding_side!r}")
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    T = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    t = np.arange(T)[:, None]
    pos = t if padding_side == "right" else t - (T - lengths)[None, :]  # (T, B): the step of each sequence
    index = np.where((pos >= 0) & (pos < lengths[None, :]), starts[None, :] + pos, -1)
    return _gather_padded(seqs, index.T if batch_first else index, padding_value, where)


def unpad_sequence(padded_sequences: Any, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The inverse of pad_sequence: a list of the B sequences (L_i, *), each cut to its own length."""
    where = "unpad_sequence"
    x = _tensor_arg(padded_sequences, "padded_sequences", where)
    batch_first = _bool(batch_first, "batch_first", where)
    if x.ndim < 2:
        raise ValueError(f"{where}: padded_sequences must have a time and a batch axis, got shape {tuple(x.shape)}")
    if not batch_first:
        x = x.swapaxes(0, 1)
    lens = _lengths(lengths, x.shape[0], x.shape[1], where)
    return [x[i, :int(n)] for i, n in enumerate(lens)]


def _lengths(lengths: Any, batch: int, steps: int, where: str) -> np.ndarray:
    """The lengths as a checked int64 array of ``batch`` entries, each in 1..steps."""
    arr = lengths.data if isinstance(lengths, Tensor) else lengths
    if type(arr).__module__.startswith("torch"):
        arr = arr.detach().cpu().numpy()
    try:
        arr = np.asarray(arr)
    except (TypeError, ValueError):
        arr = np.asarray(None)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise RuntimeError(f"{where}: 'lengths' must be a 1-D list or int64 tensor of ints, got {_describe(lengths)}")
    arr = arr.astype(np.int64)
    if arr.size != batch:
        raise RuntimeError(f"{where}: expected len(lengths) to be equal to batch_size, but got {arr.size} "
                           f"(batch_size={batch}); give one length per sequence")
    if arr.size and arr.min() <= 0:
        raise RuntimeError(f"{where}: length of all samples has to be greater than 0, but found {int(arr.min())} "
                           "in 'lengths'; drop the empty sequences from the batch")
    if arr.size and arr.max() > steps:
        raise ValueError(f"{where}: a length is {int(arr.max())} but the input has only {steps} time steps; "
                         "the lengths must not exceed the padded time axis")
    return arr


def pack_padded_sequence(input: Any, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) batch ((B, T, *) with batch_first) of the given lengths into a PackedSequence."""
    where = "pack_padded_sequence"
    x = _tensor_arg(input, "input", where)
    batch_first = _bool(batch_first, "batch_first", where)
    enforce_sorted = _bool(enforce_sorted, "enforce_sorted", where)
    if x.ndim < 2:
        raise ValueError(f"{where}: input must have a time and a batch axis, (T, B, *) or with batch_first "
                         f"(B, T, *), got shape {tuple(x.shape)}")
    steps, batch = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
    lens = _lengths(lengths, batch, steps, where)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                f"{where}: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True, got "
                f"{lens.tolist()}; pass enforce_sorted=False to pack_padded_sequence and/or pack_sequence "
                "(or sort the batch by length, longest first)"
            )
        order = np.arange(batch, dtype=np.int64)
    else:
        order = np.argsort(-lens, kind="stable").astype(np.int64)
    sorted_lens = lens[order]
    batch_sizes = (sorted_lens[None, :] > np.arange(int(sorted_lens[0]))[:, None]).sum(axis=1)
    t_idx = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    j_idx = np.concatenate([np.arange(n) for n in batch_sizes])
    b_idx = order[j_idx]
    data = x[b_idx, t_idx] if batch_first else x[t_idx, b_idx]
    if enforce_sorted:
        return PackedSequence(data, batch_sizes.astype(np.int64))
    return PackedSequence(data, batch_sizes.astype(np.int64), order, _invert(order))


def _layout(packed: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(lengths (B,), rows (T, B)): each sequence's length and the data row of its step t (-1 past its end),
    both in the original batch order."""
    if not isinstance(packed, PackedSequence):
        raise TypeError(f"{where}: expected a PackedSequence (from pack_padded_sequence or pack_sequence), "
                        f"got {_describe(packed)}")
    bs = packed.batch_sizes.data
    if bs.size == 0 or bs.min() <= 0 or np.any(np.diff(bs) > 0):
        raise ValueError(f"{where}: batch_sizes must be positive and non-increasing, got {bs.tolist()}; "
                         "make the PackedSequence with pack_padded_sequence or pack_sequence")
    if packed.data.ndim == 0 or packed.data.shape[0] != int(bs.sum()):
        raise ValueError(f"{where}: data has shape {tuple(packed.data.shape)} but batch_sizes {bs.tolist()} "
                         f"add up to {int(bs.sum())} rows")
    batch = int(bs[0])
    starts = np.concatenate([[0], np.cumsum(bs)[:-1]])
    j = np.arange(batch)
    rows = np.where(j[None, :] < bs[:, None], starts[:, None] + j[None, :], -1)  # (T, B) in sorted order
    lengths = (bs[:, None] > j[None, :]).sum(axis=0)
    if packed.sorted_indices is not None:
        perm = packed.unsorted_indices.data if packed.unsorted_indices is not None else _invert(
            packed.sorted_indices.data)
        if perm.size != batch:
            raise ValueError(f"{where}: sorted_indices has {perm.size} entries for a batch of {batch}")
        rows, lengths = rows[:, perm], lengths[perm]
    return lengths.astype(np.int64), rows


def pad_packed_sequence(sequence: Any, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths as an int64 Tensor)."""
    where = "pad_packed_sequence"
    lengths, rows = _layout(sequence, where)
    batch_first = _bool(batch_first, "batch_first", where)
    if total_length is not None:
        if isinstance(total_length, bool) or not isinstance(total_length, Integral):
            raise TypeError(f"{where}: total_length must be an int or None, got {_describe(total_length)}")
        if total_length < rows.shape[0]:
            raise ValueError(
                f"{where}: expected total_length to be at least the length of the longest sequence in input, "
                f"but got total_length={total_length} and max sequence length being {rows.shape[0]}"
            )
        rows = np.concatenate([rows, np.full((total_length - rows.shape[0], rows.shape[1]), -1)], axis=0)
    padded = _gather_padded([sequence.data], rows.T if batch_first else rows, padding_value, where)
    return padded, Tensor._make(lengths)


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """pack_padded_sequence(pad_sequence(sequences), lengths): a list of (L_i, *) Tensors, packed."""
    where = "pack_sequence"
    seqs = _sequences(sequences, where)
    lengths = [s.shape[0] for s in seqs]
    if _bool(enforce_sorted, "enforce_sorted", where) and any(b > a for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError(
            f"{where}: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True, got "
            f"{lengths}; pass enforce_sorted=False to pack_sequence (or sort the sequences, longest first)"
        )
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: Any) -> list[Tensor]:
    """The inverse of pack_sequence: the list of sequences (L_i, *), in the original order."""
    where = "unpack_sequence"
    lengths, rows = _layout(packed_sequences, where)
    data = packed_sequences.data
    return [data[rows[: int(n), b]] for b, n in enumerate(lengths)]


# ------------------------------------------------------------------ recurrent layers on a PackedSequence


def _state(module: Any, t: Any, name: str, size: int, size_name: str, batch: int) -> Tensor:
    """An initial state for a packed batch: (num_layers * num_directions, batch, size), in the original order."""
    where = module._where()
    if not isinstance(t, Tensor):
        t = _tensor_arg(t, name, where)
    want = (module.num_layers * module.num_directions, batch, size)
    if tuple(t.shape) != want:
        raise ValueError(f"{where}: {name} has shape {tuple(t.shape)}, expected {want} (num_layers * num_directions, "
                         f"batch, {size_name}) for this packed batch of {batch} sequences; pass None for zeros")
    return t


def rnn_forward_packed(module: Any, packed: PackedSequence, hx: Any) -> tuple:
    """``module(packed, hx)`` for nn.RNN/LSTM/GRU: one run of the layer per group of equal lengths.

    Batch rows never interact in a recurrent layer, so running the layer on each
    group's valid steps gives every sequence torch's numbers: outputs at its own
    steps, h_n (c_n) at its own last step, the reverse direction starting at its
    own last element. Returns (PackedSequence output, h_n) ((h_n, c_n) for LSTM)
    with h_n in the original batch order.
    """
    where = module._where()
    lengths, rows = _layout(packed, where)
    data = packed.data
    if data.ndim != 2:
        raise ValueError(f"{where}: a PackedSequence for a recurrent layer holds data of shape (N, "
                         f"{module.input_size}), got {tuple(data.shape)}")
    batch = lengths.size
    lstm = module._name == "LSTM"
    if hx is None:
        states = None
    elif lstm:
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise ValueError(f"{where}: hx must be a pair (h_0, c_0), got {type(hx).__name__}; pass None for zeros")
        proj = getattr(module, "proj_size", 0)
        states = (_state(module, hx[0], "h_0", proj or module.hidden_size, "proj_size" if proj else "hidden_size",
                         batch), _state(module, hx[1], "c_0", module.hidden_size, "hidden_size", batch))
    else:
        if isinstance(hx, (tuple, list)):
            raise ValueError(f"{where}: hx must be one tensor h_0, not a {type(hx).__name__}; "
                             "(h_0, c_0) pairs are for LSTM")
        states = _state(module, hx, "h_0", module.hidden_size, "hidden_size", batch)
    bf = module.batch_first
    outs, finals, order = [], [], []
    offsets = np.zeros(batch, dtype=np.int64)  # where each sequence's step 0 sits among the joined outputs
    stride = np.zeros(batch, dtype=np.int64)  # and how far apart its steps are
    start = 0
    for n in np.unique(lengths)[::-1]:
        members = np.flatnonzero(lengths == n)
        idx = rows[:n][:, members]  # (n, m) data rows
        x = data[idx.T if bf else idx]
        if states is None:
            h = None
        elif lstm:
            h = tuple(s[:, members] for s in states)
        else:
            h = states[:, members]
        out, state = module.forward(x, h)
        m = members.size
        offsets[members] = start + (np.arange(m) * n if bf else np.arange(m))
        stride[members] = 1 if bf else m
        outs.append(out.reshape(n * m, out.shape[-1]))
        finals.append(state)
        order.append(members)
        start += n * m
    joined = outs[0] if len(outs) == 1 else autograd.concatenate(outs, axis=0)
    t = np.arange(rows.shape[0])[:, None]
    where_out = np.where(rows >= 0, offsets[None, :] + t * stride[None, :], -1)  # (T, B): joined row of (t, b)
    pick = np.empty(data.shape[0], dtype=np.int64)
    valid = rows >= 0
    pick[rows[valid]] = where_out[valid]
    output = packed._with_data(joined[pick])
    inv = _invert(np.concatenate(order))
    identity = bool(np.array_equal(inv, np.arange(batch)))

    def gather(parts: list) -> Tensor:
        h = parts[0] if len(parts) == 1 else autograd.concatenate(parts, axis=1)
        return h if identity else h[:, inv]

    if lstm:
        return output, (gather([f[0] for f in finals]), gather([f[1] for f in finals]))
    return output, gather(finals)
