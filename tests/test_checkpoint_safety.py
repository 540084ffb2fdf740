"""Checkpoints that cannot hurt: crafted and damaged files cost no more than they hold, and fail as CheckpointError.

Each crafted file below reproduces a way a loader can be made to spend memory or
time, or to escape with an unexpected exception type; ``load`` must refuse it
quickly with a ``CheckpointError`` that names the file and what is wrong. Saves
are atomic, clean up after killed writers, follow symlinks and the umask.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from autograd import CheckpointError, Tensor, load, save

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this checkout, for subprocesses

pytestmark = pytest.mark.numpy_only  # file handling: the kernel backend cannot matter


def _checkpoint(tmp_path, name="ok.ckpt"):
    rng = np.random.default_rng(0)
    obj = {
        "model": {"fc.weight": rng.standard_normal((4, 3)), "fc.bias": np.arange(4, dtype=np.float32)},
        "step": 7,
        "history": [0.5, 0.25, float("nan")],
        "t": Tensor(np.ones(3), requires_grad=True),
        "flags": (True, None, "adam"),
    }
    path = tmp_path / name
    save(obj, path)
    return path, obj


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, Tensor):
        return a.requires_grad == b.requires_grad and _same(a.data, b.data)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _zip_bytes(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


_HEADER = b'{"format": "gradwork", "version": 1, "root": {"array": "w"}}'


def _patch_central(data: bytes, name: bytes, field: str, value: int) -> bytes:
    """Rewrite one field of ``name``'s central-directory record (sizes, method, flags)."""
    offsets = {"flags": (8, "<H"), "method": (10, "<H"), "compressed": (20, "<I"), "size": (24, "<I")}
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + name_len] == name:
            break
        at += 4
    off, fmt = offsets[field]
    out = bytearray(data)
    struct.pack_into(fmt, out, at + off, value)
    return bytes(out)


def _refused(path, match, **kw):
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=match) as info:
        load(path, **kw)
    assert time.perf_counter() - start < 2.0
    assert str(path.name) in str(info.value)
    return info.value


# ------------------------------------------------------------- crafted files


def test_deflate_bomb_is_refused_before_reading(tmp_path):
    # 64 MiB of zeros deflate to ~64 KiB; the loader must not inflate them (the report's was 2 GiB in 2 MB)
    path = tmp_path / "bomb.ckpt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("gradwork.json"), _HEADER, compress_type=zipfile.ZIP_STORED)
        with zf.open("w.npy", "w") as member:
            member.write(np.lib.format.magic(1, 0))
            chunk = bytes(1 << 20)
            for _ in range(64):
                member.write(chunk)
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        _refused(path, r"compressed member 'w.npy'")
        assert tracemalloc.get_traced_memory()[1] < 8 << 20
    finally:
        tracemalloc.stop()


def test_json_whitespace_bomb_is_refused(tmp_path):
    path = tmp_path / "json.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": b" " * (8 << 20) + _HEADER}, zipfile.ZIP_DEFLATED))
    _refused(path, "compressed member 'gradwork.json'")


def test_oversized_stored_json_is_refused(tmp_path, monkeypatch):
    import autograd.serialization as ser

    monkeypatch.setattr(ser, "_MAX_JSON_BYTES", 1000)
    path = tmp_path / "json.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": b" " * 2000 + _HEADER, "w.npy": _npy(np.ones(2))}))
    _refused(path, "larger than any structure")


def test_declared_sizes_beyond_the_file_are_refused(tmp_path):
    data = _zip_bytes({"gradwork.json": _HEADER, "w.npy": _npy(np.ones(3))})
    for field in ("size", "compressed"):
        path = tmp_path / f"{field}.ckpt"
        path.write_bytes(_patch_central(data, b"w.npy", field, 100 << 20))
        _refused(path, "w.npy")


def test_members_beyond_max_bytes_are_refused(tmp_path):
    path, obj = _checkpoint(tmp_path)
    _refused(path, r"more than max_bytes=200; pass a larger max_bytes", max_bytes=200)
    assert _same(load(path, max_bytes=1 << 20), obj)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "4GB", True])
def test_max_bytes_must_be_a_positive_integer(tmp_path, bad):
    path, _ = _checkpoint(tmp_path)
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        load(path, max_bytes=bad)


def test_npy_header_declaring_a_huge_shape_is_refused(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(bytes(16))
    path = tmp_path / "shape.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": _HEADER, "w.npy": buf.getvalue()}))
    _refused(path, r"declares shape \(1000000000000,\)")


def test_npy_header_with_negative_dimension_is_refused(tmp_path):
    raw = _npy(np.ones((2, 2))).replace(b"(2, 2)", b"(-2,-2)")
    path = tmp_path / "neg.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": _HEADER, "w.npy": raw}))
    _refused(path, "negative dimension|damaged array")


def test_unknown_compression_method_is_a_checkpoint_error(tmp_path):
    data = _zip_bytes({"gradwork.json": _HEADER, "w.npy": _npy(np.ones(3))})
    path = tmp_path / "method.ckpt"
    path.write_bytes(_patch_central(data, b"w.npy", "method", 97))  # zipfile: NotImplementedError
    _refused(path, "compressed member 'w.npy'")


def test_encrypted_member_is_a_checkpoint_error(tmp_path):
    data = _zip_bytes({"gradwork.json": _HEADER, "w.npy": _npy(np.ones(3))})
    path = tmp_path / "enc.ckpt"
    path.write_bytes(_patch_central(data, b"w.npy", "flags", 0x1))  # zipfile: RuntimeError "encrypted"
    _refused(path, "encrypted member 'w.npy'")


def test_json_that_is_not_utf8_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "utf.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": b"\xff\xfe" + _HEADER, "w.npy": _npy(np.ones(1))}))
    _refused(path, "corrupt gradwork.json")


@pytest.mark.parametrize("depth", [400, 5000])
def test_deeply_nested_json_is_a_checkpoint_error(tmp_path, depth):
    root = b"[" * depth + b"]" * depth
    path = tmp_path / "deep.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": b'{"format": "gradwork", "version": 1, "root": ' + root + b"}"}))
    _refused(path, "nested")


def test_number_with_100000_digits_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "digits.ckpt"
    header = b'{"format": "gradwork", "version": 1, "root": ' + b"9" * 100_000 + b"}"
    path.write_bytes(_zip_bytes({"gradwork.json": header}))
    _refused(path, "corrupt gradwork.json.*100000 digits")


def test_bare_nan_constant_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "nan.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": b'{"format": "gradwork", "version": 1, "root": NaN}'}))
    _refused(path, "corrupt gradwork.json.*NaN")


def test_duplicate_member_names_are_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("gradwork.json", _HEADER)
        zf.writestr("w.npy", _npy(np.ones(2)))
        with pytest.warns(UserWarning):
            zf.writestr("w.npy", _npy(np.zeros(2)))
    path = tmp_path / "dup.ckpt"
    path.write_bytes(buf.getvalue())
    _refused(path, "'w.npy' twice")


def test_scalar_node_with_an_array_shape_is_refused(tmp_path):
    header = b'{"format": "gradwork", "version": 1, "root": {"scalar": "w"}}'
    path = tmp_path / "scalar.ckpt"
    path.write_bytes(_zip_bytes({"gradwork.json": header, "w.npy": _npy(np.ones(3))}))
    _refused(path, "scalar 'w' with shape")


def test_missing_file_is_still_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.ckpt")


# ------------------------------------------------------------------- fuzzing


def test_random_mutations_and_truncations_load_the_original_or_raise_checkpoint_error(tmp_path):
    """Thousands of damaged copies: each loads exactly the original data, or raises CheckpointError."""
    path, obj = _checkpoint(tmp_path)
    good = path.read_bytes()
    rng = np.random.default_rng(1234)
    target = tmp_path / "fuzz.ckpt"
    outcomes = {"same": 0, "refused": 0}
    start = time.perf_counter()
    tracemalloc.start()
    try:
        for i in range(2500):
            data = bytearray(good)
            kind = i % 5
            if kind == 0:  # truncate anywhere
                data = data[: int(rng.integers(0, len(data)))]
            elif kind == 1:  # one random byte
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
            elif kind == 2:  # a few random bytes
                for _ in range(int(rng.integers(2, 9))):
                    data[int(rng.integers(len(data)))] = int(rng.integers(256))
            elif kind == 3:  # a byte in the last 200 (central directory and end record)
                data[len(data) - 1 - int(rng.integers(min(200, len(data))))] ^= 1 << int(rng.integers(8))
            else:  # a 4-byte field set to an extreme (sizes, offsets, counts)
                at = int(rng.integers(len(data) - 4))
                data[at: at + 4] = struct.pack("<I", int(rng.choice([0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 1 << 30])))
            target.write_bytes(bytes(data))
            try:
                got = load(target)
            except CheckpointError:
                outcomes["refused"] += 1
            else:
                assert _same(got, obj), f"mutation {i} (kind {kind}) loaded different data"
                outcomes["same"] += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcomes["refused"] > 2000
    assert peak < 16 << 20, f"fuzzing peaked at {peak / 2**20:.1f} MiB"
    assert time.perf_counter() - start < 60


# ------------------------------------------------------------- atomic saves


def test_temporary_files_have_a_recognisable_name(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save({"a": np.ones(2)}, tmp_path / "model.ckpt")
    assert len(seen) == 1 and seen[0].startswith(f".model.ckpt.gradwork-{os.getpid()}-") and seen[0].endswith(".tmp")


_KILLED_SAVE = """
import os, signal, sys
import numpy as np
import autograd
def die(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = die
autograd.save({"w": np.ones(1000)}, sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_save_removes_temporaries_left_by_killed_processes(tmp_path):
    target = tmp_path / "model.ckpt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([_ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(target)], cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".model.ckpt.gradwork-")
    other = tmp_path / ".other.ckpt.gradwork-1-x.tmp"  # another target's temporary: not ours to remove
    other.write_bytes(b"")
    save({"w": np.zeros(3)}, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["model.ckpt", other.name])
    assert np.array_equal(load(target)["w"], np.zeros(3))


def test_a_live_writers_temporary_is_left_alone(tmp_path):
    live = tmp_path / f".model.ckpt.gradwork-{os.getppid()}-abc.tmp"  # the parent process is alive
    live.write_bytes(b"partial")
    save({"w": np.ones(1)}, tmp_path / "model.ckpt")
    assert live.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_saving_through_a_symlink_updates_its_target(tmp_path):
    real = tmp_path / "runs" / "best.ckpt"
    real.parent.mkdir()
    save({"v": 1}, real)
    link = tmp_path / "latest.ckpt"
    link.symlink_to(real)
    save({"v": 2}, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load(real) == {"v": 2} and load(link) == {"v": 2}


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_follow_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        save({"a": 1}, tmp_path / "m.ckpt")
    finally:
        os.umask(old)
    assert (tmp_path / "m.ckpt").stat().st_mode & 0o777 == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_overwriting_keeps_the_files_mode(tmp_path):
    path = tmp_path / "m.ckpt"
    save({"a": 1}, path)
    os.chmod(path, 0o640)
    save({"a": 2}, path)
    assert path.stat().st_mode & 0o777 == 0o640
