"""``save`` and ``load``: checkpoints (state dicts, optimiser state) as ``.npz`` files that never run code.

The format is a plain zip archive that ``numpy.load(path, allow_pickle=False)``
also opens:

* ``gradwork.json``: the structure, as JSON. Dicts, lists, tuples, numbers,
  strings, booleans and None are written inline; every array is a reference
  ``{"array": "<entry>"}`` to a member of the archive.
* ``<entry>.npy``: one member per array, in numpy's ``.npy`` format, written
  and read with ``allow_pickle=False``. An entry is named after the array's
  place in the structure, e.g. ``model/fc1.weight``.

Loading reads JSON and raw numbers only: a file that holds a pickled object,
a truncated file, or an archive whose members and structure disagree is
rejected with a ``CheckpointError`` (a ``ValueError``) naming the problem.
Saving writes a temporary file next to the target and moves it into place
with ``os.replace``, so a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
import zlib
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_STRUCTURE = "gradwork.json"
_ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: dtypes that need no pickle


class CheckpointError(ValueError):
    """A checkpoint file is unsafe, damaged, or not in gradwork's format."""


# ----------------------------------------------------------------------- save


def _escape(key: str) -> str:
    """A dict key as one segment of an entry name ('/' separates segments, '~' escapes)."""
    return key.replace("~", "~0").replace("/", "~1")


class _Encoder:
    """Turn a nested structure into JSON-ready data plus a table {entry name: array}."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array_entry(self, arr: np.ndarray, path: str) -> str:
        if arr.dtype.kind not in _ARRAY_KINDS or arr.dtype.hasobject:
            raise TypeError(
                f"save: the array at {path or '<root>'} has dtype {arr.dtype}; only bool, integer, float and "
                "complex arrays can be saved (no pickled objects)"
            )
        name = path or "root"
        while name in self.arrays:  # two paths that escape to the same name: keep both
            name += "~"
        self.arrays[name] = arr
        return name

    def encode(self, obj: Any, path: str) -> Any:
        if isinstance(obj, np.generic):  # before float: np.float64 is a float subclass
            if isinstance(obj, (np.str_, np.bytes_)):
                return str(obj) if isinstance(obj, np.str_) else self.encode(obj.item(), path)
            return {"scalar": self.array_entry(np.asarray(obj), path)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            return {"tensor": self.array_entry(obj.data, path), "requires_grad": bool(obj.requires_grad)}
        if isinstance(obj, np.ndarray):
            return {"array": self.array_entry(obj, path)}
        if isinstance(obj, dict):
            items = []
            for key, value in obj.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(
                        f"save: dict keys must be str or int, got {type(key).__name__} {key!r:.40} at "
                        f"{path or '<root>'}"
                    )
                items.append([key, self.encode(value, f"{path}/{_escape(str(key))}" if path else _escape(str(key)))])
            return {"dict": items}
        if isinstance(obj, (list, tuple)):
            seq = [self.encode(v, f"{path}/{i}" if path else str(i)) for i, v in enumerate(obj)]
            return seq if isinstance(obj, list) else {"tuple": seq}
        raise TypeError(
            f"save: cannot save a {type(obj).__name__} at {path or '<root>'}; save dicts, lists and tuples of "
            "arrays, Tensors, numbers, strings, booleans and None (e.g. model.state_dict())"
        )


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` (nested dicts/lists/tuples of arrays, Tensors and plain values) to ``path``, atomically.

    The file is written beside ``path`` under a temporary name and renamed over
    it only once complete, so an interrupted save leaves the old file as it was.
    """
    target = _check_path(path, "save")
    enc = _Encoder()
    tree = enc.encode(obj, "")
    header = json.dumps({"format": "gradwork", "version": FORMAT_VERSION, "root": tree}, allow_nan=False)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder {folder!r} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                zf.writestr(_STRUCTURE, header)
                for name, arr in enc.arrays.items():
                    with zf.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, arr, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_path(path: Any, op: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{op}: path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{op}: path is empty")
    return path


# ----------------------------------------------------------------------- load


def _reject(path: str, why: str) -> CheckpointError:
    return CheckpointError(f"load: {path!r} {why}")


def load(path: str | os.PathLike) -> Any:
    """Read a structure written by ``save``. Never unpickles: pickled or damaged files raise CheckpointError."""
    path = _check_path(path, "load")
    with open(path, "rb") as f:
        head = f.read(4)
        if head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05") or head[:1] in (b"(", b"c"):
            raise _reject(path, "holds a pickle, which could run code when loaded; it was not opened. "
                                "Only files written by autograd.save can be loaded")
        if head != b"PK\x03\x04":
            raise _reject(path, "is not a gradwork checkpoint (not a zip/.npz archive, or empty); "
                                "write checkpoints with autograd.save")
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as zf:
                return _read_archive(zf, path)
        except zipfile.BadZipFile as exc:
            raise _reject(path, f"is damaged or truncated ({exc}); save it again") from None
        except (EOFError, zlib.error) as exc:
            raise _reject(path, f"is damaged or truncated ({type(exc).__name__}: {exc}); save it again") from None


def _read_archive(zf: zipfile.ZipFile, path: str) -> Any:
    names = zf.namelist()
    if _STRUCTURE not in names:
        raise _reject(path, f"has no {_STRUCTURE} entry, so it was not written by autograd.save "
                            f"(entries: {', '.join(names[:5])}{', ...' if len(names) > 5 else ''})")
    try:
        header = json.loads(zf.read(_STRUCTURE).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _reject(path, f"has a corrupt {_STRUCTURE} ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != "gradwork" or "root" not in header:
        raise _reject(path, f"has a {_STRUCTURE} that is not a gradwork header")
    if header.get("version") != FORMAT_VERSION:
        raise _reject(path, f"uses format version {header.get('version')!r}; this gradwork reads version "
                            f"{FORMAT_VERSION}")
    members = {n[:-4] for n in names if n.endswith(".npy")}
    others = [n for n in names if n != _STRUCTURE and not n.endswith(".npy")]
    if others:
        raise _reject(path, f"has unexpected entries {others[:5]}; a gradwork checkpoint holds only "
                            f"{_STRUCTURE} and .npy arrays")
    used: set[str] = set()
    tree = _decode(header["root"], zf, path, members, used)
    extra = sorted(members - used)
    if extra:
        raise _reject(path, f"has arrays that its structure does not mention: {extra[:5]}; the file was altered")
    return tree


def _read_array(name: Any, zf: zipfile.ZipFile, path: str, members: set, used: set) -> np.ndarray:
    if not isinstance(name, str) or name not in members:
        raise _reject(path, f"is missing the array {name!r} that its structure refers to; the file is incomplete")
    if name in used:
        raise _reject(path, f"refers to the array {name!r} twice; the file was altered")
    used.add(name)
    with zf.open(name + ".npy") as member:
        try:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)  # the header only, no data
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise ValueError(f".npy format version {version} is not one gradwork writes")
        except ValueError as exc:
            raise _reject(path, f"has a damaged array {name!r} ({exc})") from None
        if dtype.hasobject or dtype.kind not in _ARRAY_KINDS:
            raise _reject(path, f"stores the array {name!r} as dtype {dtype}, i.e. pickled Python objects, which "
                                "could run code when loaded; it was not unpickled")
    with zf.open(name + ".npy") as member:
        try:
            arr = np.lib.format.read_array(member, allow_pickle=False)
        except ValueError as exc:
            raise _reject(path, f"has a damaged or truncated array {name!r} ({exc})") from None
    if arr.shape != tuple(shape):
        raise _reject(path, f"has a truncated array {name!r}")
    return arr


def _decode(node: Any, zf: zipfile.ZipFile, path: str, members: set, used: set) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, zf, path, members, used) for v in node]
    if isinstance(node, dict) and len(node) >= 1:
        if "array" in node:
            return _read_array(node["array"], zf, path, members, used)
        if "tensor" in node:
            t = Tensor._make(_read_array(node["tensor"], zf, path, members, used))
            if node.get("requires_grad") and t.dtype.kind == "f":
                t.requires_grad_(True)
            return t
        if "scalar" in node:
            return _read_array(node["scalar"], zf, path, members, used)[()]
        if "float" in node and node["float"] in ("nan", "inf", "-inf"):
            return float(node["float"])
        if "tuple" in node and isinstance(node["tuple"], list):
            return tuple(_decode(v, zf, path, members, used) for v in node["tuple"])
        if "dict" in node and isinstance(node["dict"], list):
            out = {}
            for item in node["dict"]:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], (str, int))):
                    raise _reject(path, f"has a malformed dict item {item!r:.60} in its structure")
                out[item[0]] = _decode(item[1], zf, path, members, used)
            return out
    raise _reject(path, f"has an unknown node {node!r:.60} in its structure")
