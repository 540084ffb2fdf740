"""``autograd.save`` / ``autograd.load``: exact round trips, atomic writes, and files that are refused.

The model/optimiser parts (state dicts, strict loading, resuming a run) are at
the end; they use only the public names of ``nn`` and ``optim``.
"""

from __future__ import annotations

import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import autograd
from autograd import CheckpointError, Tensor, load, save

pytestmark = pytest.mark.numpy_only  # file handling: the kernel backend cannot matter


# ------------------------------------------------------------------ helpers


def _assert_same(a, b, where="root"):
    """Exact equality of nested structures, including types and dtypes."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            _assert_same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}/{i}")
    elif isinstance(a, Tensor):
        assert a.requires_grad == b.requires_grad, where
        _assert_same(a.data, b.data, where)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, float) and a != a:
        assert b != b, where
    else:
        assert a == b, where


def _leftovers(folder) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


class _Payload:
    """Unpickling this object calls open(marker, 'w'): proof that a loader ran code from the file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _rewrite(src, dst, drop=(), add=None, replace=None):
    """Copy the archive ``src`` to ``dst``, dropping, adding or replacing members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = replace[name] if replace and name in replace else zin.read(name)
            zout.writestr(name, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def _npy_bytes(arr, allow_pickle=False) -> bytes:
    import io

    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _sample():
    rng = np.random.default_rng(0)
    return {
        "model": {
            "fc1.weight": rng.standard_normal((4, 3)).astype(np.float32),
            "fc1.bias": np.zeros(4, np.float32),
            "odd/key~name": np.arange(6, dtype=np.int16).reshape(2, 3),
        },
        "optimizer": {
            "state": {0: {"step": np.int64(7), "exp_avg": rng.standard_normal(3)}, 1: {}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False, "params": [0, 1]}],
        },
        "epoch": 3,
        "note": "résumé",
        "none": None,
        "specials": [float("nan"), float("inf"), -float("inf"), -0.0, 1e308],
        "kinds": [
            np.array(True), np.arange(3, dtype=np.uint8), np.float16(1.5), np.array([1 + 2j]),
            np.empty((0, 5)), np.ones((3, 2)).T, np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.float64(-0.0),
        ],
        "tensor": Tensor(np.arange(3.0), requires_grad=True),
        "mask": Tensor(np.array([1.0, 2.0])) > 1.5,
        "empty": {"list": [], "dict": {}, "tuple": ()},
    }


# --------------------------------------------------------------- round trips


def test_round_trip_is_exact(tmp_path):
    obj = _sample()
    save(obj, tmp_path / "ck.npz")
    _assert_same(obj, load(tmp_path / "ck.npz"))
    assert _leftovers(tmp_path) == []


def test_str_path_and_overwrite(tmp_path):
    path = str(tmp_path / "ck.npz")
    save({"a": np.zeros(2)}, path)
    save({"a": np.ones(3)}, path)
    _assert_same(load(path), {"a": np.ones(3)})


def test_file_is_a_plain_npz_with_json_structure(tmp_path):
    path = tmp_path / "ck.npz"
    save({"w": np.arange(4.0), "n": 2}, path)
    with np.load(path, allow_pickle=False) as npz:
        assert "w" in npz.files
        np.testing.assert_array_equal(npz["w"], np.arange(4.0))
        header = json.loads(bytes(npz["gradwork.json"]).decode())
    assert header["format"] == "gradwork" and header["version"] == autograd.serialization.FORMAT_VERSION


def test_dict_keys_that_collide_after_escaping_stay_apart(tmp_path):
    obj = {1: np.zeros(1), "1": np.ones(1), "a/b": np.full(1, 2.0), "a~1b": np.full(1, 3.0)}
    save(obj, tmp_path / "ck.npz")
    _assert_same(obj, load(tmp_path / "ck.npz"))


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.array([object()], dtype=object), "dtype object"),
        (np.array(["a", "b"]), "dtype <U1"),
        ({(1, 2): np.zeros(1)}, "dict keys must be str or int"),
        ({True: 1}, "dict keys must be str or int"),
        ({1, 2}, "cannot save a set"),
        ({"f": len}, "cannot save a builtin_function_or_method at f"),
        ({"deep": [{"x": object()}]}, "at deep/0/x"),
    ],
)
def test_unsavable_objects_raise_typeerror_and_write_nothing(tmp_path, bad, message):
    path = tmp_path / "ck.npz"
    with pytest.raises(TypeError, match=message):
        save(bad, path)
    assert not path.exists() and _leftovers(tmp_path) == []


def test_bad_paths(tmp_path):
    with pytest.raises(TypeError, match="path must be a str"):
        save({}, 3)
    with pytest.raises(TypeError, match="path must be a str"):
        load(None)
    with pytest.raises(ValueError, match="path is empty"):
        save({}, "")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({}, tmp_path / "no" / "such" / "ck.npz")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


# ------------------------------------------------------------ atomic writes


def _half_write_then_fail(fp, arr, **kwargs):
    fp.write(b"\x93NUMPY partial")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("what", ["write_array", "fsync", "replace", "interrupt"])
def test_failed_save_keeps_previous_checkpoint(tmp_path, monkeypatch, what):
    path = tmp_path / "ck.npz"
    old = {"w": np.arange(5.0), "step": 1}
    save(old, path)
    before = path.read_bytes()
    if what == "write_array":
        monkeypatch.setattr(np.lib.format, "write_array", _half_write_then_fail)
        exc = OSError
    elif what == "fsync":
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
        exc = OSError
    elif what == "replace":
        monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(18, "cross-device link")))
        exc = OSError
    else:
        def interrupted(fp, arr, **kwargs):
            fp.write(b"\x93NUMPY")
            raise KeyboardInterrupt

        monkeypatch.setattr(np.lib.format, "write_array", interrupted)
        exc = KeyboardInterrupt
    with pytest.raises(exc):
        save({"w": np.ones(1000), "step": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    _assert_same(load(path), old)
    assert _leftovers(tmp_path) == []


def test_failed_first_save_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(np.lib.format, "write_array", _half_write_then_fail)
    with pytest.raises(OSError, match="No space left"):
        save({"w": np.ones(3)}, tmp_path / "ck.npz")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------ files that must be refused


def _payload_bytes(marker) -> bytes:
    return pickle.dumps(_Payload(marker))


def test_payload_is_live(tmp_path):
    """The crafted payload really does write its marker when unpickled (so the tests below mean something)."""
    marker = tmp_path / "ran"
    pickle.loads(_payload_bytes(marker)).close()
    assert marker.exists()


def test_raw_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.npz"
    path.write_bytes(_payload_bytes(marker))
    with pytest.raises(CheckpointError, match="holds a pickle"):
        load(path)
    assert not marker.exists()


def test_npz_with_pickled_object_array_is_refused(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([_Payload(marker)], dtype=object))  # numpy pickles object arrays by default
    with pytest.raises(CheckpointError, match="gradwork.json"):
        load(path)
    assert not marker.exists()


def test_checkpoint_with_member_swapped_for_pickle_is_refused(tmp_path):
    marker = tmp_path / "ran"
    good, evil = tmp_path / "good.npz", tmp_path / "evil.npz"
    save({"w": np.zeros(3), "b": np.zeros(1)}, good)
    payload = _npy_bytes(np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    _rewrite(good, evil, replace={"w.npy": payload})
    with pytest.raises(CheckpointError, match=r"'w'.*pickled Python objects"):
        load(evil)
    assert not marker.exists()


def test_torch_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "ran"
    path = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(2), "evil": _Payload(marker)}, path)
    with pytest.raises(CheckpointError, match="not written by autograd.save"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize("keep", [0, 3, 30, 0.5, -22, -1])
def test_truncated_file_is_refused(tmp_path, keep):
    path = tmp_path / "ck.npz"
    save({"w": np.arange(100.0), "b": np.ones(10)}, path)
    data = path.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep if keep >= 0 else len(data) + keep
    path.write_bytes(data[:n])
    with pytest.raises(CheckpointError, match="damaged or truncated|not a gradwork checkpoint"):
        load(path)


def test_flipped_byte_fails_the_checksum(tmp_path):
    path = tmp_path / "ck.npz"
    save({"w": np.zeros(100)}, path)
    data = bytearray(path.read_bytes())
    i = data.index(b"\x00" * 64)  # inside w's zeros
    data[i + 10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        load(path)


def test_truncated_member_is_refused(tmp_path):
    src, dst = tmp_path / "src.npz", tmp_path / "dst.npz"
    save({"w": np.arange(50.0)}, src)
    with zipfile.ZipFile(src) as z:
        short = z.read("w.npy")[:-8]
    _rewrite(src, dst, replace={"w.npy": short})  # a self-consistent zip whose array lost its tail
    with pytest.raises(CheckpointError, match="'w'"):
        load(dst)


def test_missing_and_extra_members_are_refused(tmp_path):
    src = tmp_path / "src.npz"
    save({"w": np.zeros(2), "b": np.zeros(1)}, src)
    _rewrite(src, tmp_path / "missing.npz", drop={"b.npy"})
    with pytest.raises(CheckpointError, match="missing the array 'b'"):
        load(tmp_path / "missing.npz")
    _rewrite(src, tmp_path / "extra.npz", add={"c.npy": _npy_bytes(np.zeros(1))})
    with pytest.raises(CheckpointError, match=r"does not mention: \['c'\]"):
        load(tmp_path / "extra.npz")
    _rewrite(src, tmp_path / "other.npz", add={"run.py": b"print('hi')"})
    with pytest.raises(CheckpointError, match="unexpected entries"):
        load(tmp_path / "other.npz")


@pytest.mark.parametrize(
    "header, message",
    [
        (b"{not json", "corrupt gradwork.json"),
        (b'{"format": "other", "root": null}', "not a gradwork header"),
        (b'{"format": "gradwork", "version": 99, "root": null}', "format version 99"),
        (b'{"format": "gradwork", "version": 1, "root": {"exec": "print(1)"}}', "unknown node"),
        (b'{"format": "gradwork", "version": 1, "root": {"dict": [[1, 2, 3]]}}', "malformed dict item"),
    ],
)
def test_bad_structure_is_refused(tmp_path, header, message):
    src, dst = tmp_path / "src.npz", tmp_path / "dst.npz"
    save(None, src)
    _rewrite(src, dst, replace={"gradwork.json": header})
    with pytest.raises(CheckpointError, match=message):
        load(dst)


def test_other_files_are_refused(tmp_path):
    for name, data in [("empty", b""), ("text", b"hello world"), ("npy", _npy_bytes(np.zeros(3)))]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CheckpointError, match="not a gradwork checkpoint"):
            load(path)
    assert issubclass(CheckpointError, ValueError)


# ------------------------------------------------- models, optimisers, resuming

nn = pytest.importorskip("nn")
optim = pytest.importorskip("optim")


def _data(seed=0, n=24):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64)
    return X, y


OPTIMISERS = {
    "sgd_nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam_amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01),
    "rmsprop_centered": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
}


def _setup(opt_name, mode="tensor"):
    model = nn.MLP(3, [6, 2], activation="tanh", mode=mode, seed=0)
    opt = OPTIMISERS[opt_name](model.parameters())
    sched = optim.StepLR(opt, step_size=3, gamma=0.5)
    return model, opt, sched


def _train(model, opt, sched, steps, start, X, y):
    """Fixed minibatches of 8 (step k uses batch k mod 3): no hidden randomness to carry over."""
    losses = []
    for k in range(start, start + steps):
        i = (k % 3) * 8
        xb = X[i:i + 8]
        if model.mode == "scalar":
            xb = np.array(xb, dtype=object)
        loss = nn.functional.cross_entropy(model(xb), y[i:i + 8])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if k % 2 == 1:
            sched.step()
        losses.append(float(loss.item() if hasattr(loss, "item") else loss.data))
    return losses


def _checkpoint(model, opt, sched, step):
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
            "step": step}


@pytest.mark.parametrize("opt_name", sorted(OPTIMISERS))
@pytest.mark.parametrize("mode", ["tensor", "scalar"])
def test_save_load_resume_equals_uninterrupted_run(tmp_path, opt_name, mode):
    X, y = _data()
    n = 6 if mode == "scalar" else 10
    model, opt, sched = _setup(opt_name, mode)
    straight = _train(model, opt, sched, 2 * n, 0, X, y)
    final = model.state_dict()

    model, opt, sched = _setup(opt_name, mode)
    first = _train(model, opt, sched, n, 0, X, y)
    save(_checkpoint(model, opt, sched, n), tmp_path / "ck.npz")
    del model, opt, sched

    ck = load(tmp_path / "ck.npz")
    model, opt, sched = _setup(opt_name, mode)  # fresh objects, as after a restart
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["optimizer"])
    sched.load_state_dict(ck["scheduler"])
    rest = _train(model, opt, sched, n, ck["step"], X, y)

    assert first + rest == straight
    _assert_same(model.state_dict(), final)
    _assert_same(_checkpoint(model, opt, sched, 2 * n)["optimizer"], opt.state_dict())


def test_checkpoint_round_trip_keeps_state_dicts_exactly(tmp_path):
    X, y = _data()
    model, opt, sched = _setup("adam_amsgrad")
    _train(model, opt, sched, 4, 0, X, y)
    ck = _checkpoint(model, opt, sched, 4)
    save(ck, tmp_path / "ck.npz")
    _assert_same(ck, load(tmp_path / "ck.npz"))


def _model_file(tmp_path, sizes, name="ck.npz"):
    path = tmp_path / name
    save(nn.MLP(3, sizes, seed=1).state_dict(), path)
    return path


@pytest.mark.parametrize(
    "sizes, exc, message",
    [
        ([6, 2, 2], KeyError, r"unexpected keys \['4\.weight', '4\.bias'\]"),  # a file with an extra layer
        ([2], KeyError, r"missing keys \['2\.weight', '2\.bias'\]"),  # a file with a layer less
        ([5, 2], ValueError, r"'0\.weight' has shape \(5, 3\) in the state but \(6, 3\) in the model"),
    ],
    ids=["extra_keys", "missing_keys", "shape_mismatch"],
)
def test_loading_a_mismatched_file_is_refused_and_changes_nothing(tmp_path, sizes, exc, message):
    path = _model_file(tmp_path, sizes)
    model = nn.MLP(3, [6, 2], seed=0)
    before = model.state_dict()
    with pytest.raises(exc, match=message):
        model.load_state_dict(load(path), strict=True)
    _assert_same(model.state_dict(), before)


def test_optimizer_state_for_other_parameters_is_refused_and_changes_nothing(tmp_path):
    X, y = _data()
    small, opt_small, sched_small = _setup("adam_amsgrad")
    _train(small, opt_small, sched_small, 2, 0, X, y)
    save(opt_small.state_dict(), tmp_path / "opt.npz")

    big = nn.MLP(3, [7, 2], activation="tanh", seed=0)  # same parameter count and order, other shapes
    opt = optim.Adam(big.parameters(), lr=0.01, amsgrad=True)
    loss = nn.functional.cross_entropy(big(X[:8]), y[:8])
    loss.backward()
    opt.step()
    before = opt.state_dict()
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict(load(tmp_path / "opt.npz"))
    _assert_same(opt.state_dict(), before)


def test_scalar_and_tensor_models_share_one_file_format(tmp_path):
    tensor_model = nn.MLP(3, [4, 1], seed=3)
    save(tensor_model.state_dict(), tmp_path / "ck.npz")
    scalar_model = nn.MLP(3, [4, 1], mode="scalar", seed=99)
    scalar_model.load_state_dict(load(tmp_path / "ck.npz"))
    _assert_same(scalar_model.state_dict(), tensor_model.state_dict())
