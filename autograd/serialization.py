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

    The file is written beside ``path`` under a temporary name
    (``.<name>.gradwork-<pid>-<random>.tmp``) and renamed over it only once
    complete, so an interrupted save leaves the old file as it was; temporaries
    of the same target left by processes that died are removed. A ``path`` that
    is a symbolic link keeps the link: the file it points to is replaced. The
    new file's permissions follow the umask, as ``open(path, "w")`` would.
    """
    target = _check_path(path, "save")
    enc = _Encoder()
    tree = enc.encode(obj, "")
    header = json.dumps({"format": "gradwork", "version": FORMAT_VERSION, "root": tree}, allow_nan=False)

    def write(f: Any) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(_STRUCTURE, header)
            for name, arr in enc.arrays.items():
                with zf.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, arr, allow_pickle=False)

    _write_atomically(target, "save", write)


def _write_atomically(target: str, op: str, write: Any) -> None:
    """Call ``write(file)`` on a temporary beside ``target``, then rename it over ``target``."""
    target = os.path.realpath(target)  # through a symlink: replace the file it points to, keep the link
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{op}: the folder {folder!r} does not exist; create it first")
    _remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(target) + f"{os.getpid()}-", suffix=".tmp", dir=folder)
    try:
        _chmod_like_open(fd, target)
        with os.fdopen(fd, "wb") as f:
            write(f)
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


_TMP_TAG = ".gradwork-"


def _tmp_prefix(target: str) -> str:
    """Every temporary of ``target`` starts with this: ``.<name>.gradwork-``, then ``<pid>-<random>.tmp``."""
    return "." + os.path.basename(target) + _TMP_TAG


def _remove_stale_temporaries(target: str) -> None:
    """Delete temporaries of ``target`` whose writing process is gone (killed mid-save)."""
    folder, prefix = os.path.dirname(target), _tmp_prefix(target)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be saving right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError, ValueError):
        return True  # exists (someone else's) or cannot tell: leave it
    return True


def _umask() -> int:
    """The process umask, read without changing it where the OS lets us (Linux), else by the set-and-restore."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chmod_like_open(fd: int, target: str) -> None:
    """mkstemp makes 0600 files: give the new file the mode a plain open() would (0666 less the umask)."""
    if not hasattr(os, "fchmod"):
        return
    try:
        mode = os.stat(target).st_mode & 0o7777  # overwriting: keep the file's mode, as open() does
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        os.fchmod(fd, mode)
    except OSError:
        pass


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
#
# A file is read only as far as it honestly holds: before any member is read,
# the central directory is checked (every member stored, not compressed or
# encrypted, its size within the file and the sum within ``max_bytes``); each
# array's header must declare exactly as many bytes as its member holds; the
# JSON structure is capped in size, nesting depth and number length. Anything
# that still goes wrong while reading becomes a CheckpointError.

DEFAULT_MAX_BYTES = 4 << 30  # 4 GiB: generous for the models gradwork trains, and finite
_MAX_JSON_BYTES = 64 << 20
_MAX_DEPTH = 200
_MAX_NUMBER_DIGITS = 400
_MAX_MEMBERS = 1_000_000


def _reject(path: str, why: str) -> CheckpointError:
    return CheckpointError(f"load: {path!r} {why}")


def load(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, *, map_location: Any = None,
         weights_only: Any = None) -> Any:
    """Read a structure written by ``save``. Never unpickles, never reads more than the file holds.

    ``max_bytes`` bounds the total size of the members (default 4 GiB); pickled,
    damaged, oversized or otherwise malformed files raise ``CheckpointError``
    naming the file, the member and what was wrong. torch's ``map_location``
    ("cpu") and ``weights_only`` are accepted: everything loads on the CPU, and
    only data is ever read, whatever ``weights_only`` says.
    """
    if isinstance(map_location, str) or type(map_location).__name__ == "device":
        from .torch_extra import _check_cpu

        _check_cpu(map_location, "load")  # a GPU is refused (a dict or a function is taken as it is)
    path = _check_path(path, "load")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes <= 0:
        raise ValueError(f"load: max_bytes must be a positive integer number of bytes, got {max_bytes!r}")
    with open(path, "rb") as f:
        try:
            return _load_file(f, path, int(max_bytes))
        except CheckpointError:
            raise
        except MemoryError:
            raise _reject(path, "declares more data than fits in memory; it is damaged or crafted") from None
        except RecursionError:
            raise _reject(path, "has a structure nested too deeply; it is damaged or crafted") from None
        except Exception as exc:  # anything a damaged archive can raise inside zipfile, zlib or numpy
            raise _reject(path, f"is damaged or truncated ({type(exc).__name__}: {exc}); save it again") from None


def _load_file(f: Any, path: str, max_bytes: int) -> Any:
    head = f.read(4)
    if head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05") or head[:1] in (b"(", b"c"):
        raise _reject(path, "holds a pickle, which could run code when loaded; it was not opened. "
                            "Only files written by autograd.save can be loaded")
    if head != b"PK\x03\x04":
        raise _reject(path, "is not a gradwork checkpoint (not a zip/.npz archive, or empty); "
                            "write checkpoints with autograd.save")
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as zf:
            _check_directory(zf, path, size, max_bytes)
            return _read_archive(zf, path)
    except zipfile.BadZipFile as exc:
        raise _reject(path, f"is damaged or truncated ({exc}); save it again") from None
    except (EOFError, zlib.error) as exc:
        raise _reject(path, f"is damaged or truncated ({type(exc).__name__}: {exc}); save it again") from None


def _check_directory(zf: zipfile.ZipFile, path: str, size: int, max_bytes: int) -> None:
    """Refuse, before reading anything, members that could cost more than the file holds."""
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise _reject(path, f"has {len(infos)} members, more than a checkpoint can hold")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name in seen:
            raise _reject(path, f"has the member {name!r} twice; the file was altered")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise _reject(path, f"has an encrypted member {name!r}; autograd.save never encrypts")
        if info.compress_type != zipfile.ZIP_STORED:
            raise _reject(path, f"has a compressed member {name!r} (method {info.compress_type}); autograd.save "
                                "stores members uncompressed, so a compressed one was not written by it")
        if info.file_size != info.compress_size or info.file_size > size or info.header_offset > size:
            raise _reject(path, f"declares {info.file_size} bytes for the member {name!r}, more than the "
                                f"{size}-byte file holds; it is damaged or truncated")
        total += info.file_size
    if total > size:
        raise _reject(path, f"declares {total} bytes of members in a {size}-byte file; it is damaged")
    if total > max_bytes:
        raise _reject(path, f"holds {total} bytes of arrays, more than max_bytes={max_bytes}; pass a larger "
                            "max_bytes to load() if you trust this file")


def _parse_number(text: str, kind: type) -> Any:
    if len(text) > _MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return kind(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"the bare constant {name} (gradwork writes non-finite floats as {{'float': ...}})")


def _read_header(zf: zipfile.ZipFile, path: str) -> Any:
    info = zf.getinfo(_STRUCTURE)
    if info.file_size > _MAX_JSON_BYTES:
        raise _reject(path, f"has a {info.file_size}-byte {_STRUCTURE}, larger than any structure autograd.save "
                            f"writes ({_MAX_JSON_BYTES} bytes at most)")
    raw = zf.read(_STRUCTURE)
    try:
        return json.loads(
            raw.decode("utf-8"),
            parse_int=lambda s: _parse_number(s, int),
            parse_float=lambda s: _parse_number(s, float),
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise _reject(path, f"has a corrupt {_STRUCTURE} ({exc})") from None
    except RecursionError:
        raise _reject(path, f"has a {_STRUCTURE} nested too deeply; it was crafted or damaged") from None


def _read_archive(zf: zipfile.ZipFile, path: str) -> Any:
    names = zf.namelist()
    if _STRUCTURE not in names:
        raise _reject(path, f"has no {_STRUCTURE} entry, so it was not written by autograd.save "
                            f"(entries: {', '.join(names[:5])}{', ...' if len(names) > 5 else ''})")
    header = _read_header(zf, path)
    if not isinstance(header, dict) or header.get("format") != "gradwork" or "root" not in header:
        raise _reject(path, f"has a {_STRUCTURE} that is not a gradwork header")
    if header.get("version") != FORMAT_VERSION:
        raise _reject(path, f"uses format version {header.get('version')!r:.40}; this gradwork reads version "
                            f"{FORMAT_VERSION}")
    members = {n[:-4] for n in names if n.endswith(".npy")}
    others = [n for n in names if n != _STRUCTURE and not n.endswith(".npy")]
    if others:
        raise _reject(path, f"has unexpected entries {others[:5]}; a gradwork checkpoint holds only "
                            f"{_STRUCTURE} and .npy arrays")
    used: set[str] = set()
    tree = _decode(header["root"], zf, path, members, used, 0)
    extra = sorted(members - used)
    if extra:
        raise _reject(path, f"has arrays that its structure does not mention: {extra[:5]}; the file was altered")
    return tree


def _array_header(member: Any) -> tuple:
    """(shape, fortran_order, dtype) of a .npy stream, reading the header only."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(member)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(member)
    raise ValueError(f".npy format version {version} is not one gradwork writes")


def _read_array(name: Any, zf: zipfile.ZipFile, path: str, members: set, used: set) -> np.ndarray:
    if not isinstance(name, str) or name not in members:
        raise _reject(path, f"is missing the array {name!r:.60} that its structure refers to; the file is "
                            "incomplete")
    if name in used:
        raise _reject(path, f"refers to the array {name!r} twice; the file was altered")
    used.add(name)
    info = zf.getinfo(name + ".npy")
    with zf.open(info) as member:
        try:
            shape, fortran, dtype = _array_header(member)
        except (ValueError, TypeError, SyntaxError, OverflowError) as exc:
            raise _reject(path, f"has a damaged array {name!r} ({exc})") from None
        if dtype.hasobject or dtype.kind not in _ARRAY_KINDS:
            raise _reject(path, f"stores the array {name!r} as dtype {dtype}, i.e. pickled Python objects, which "
                                "could run code when loaded; it was not unpickled")
        header_len = member.tell()
        count = 1
        for n in shape:
            if n < 0:
                raise _reject(path, f"has an array {name!r} with a negative dimension in shape {tuple(shape)}")
            count *= n
        nbytes = count * dtype.itemsize
        if info.file_size - header_len != nbytes:
            raise _reject(path, f"has an array {name!r} whose header declares shape {tuple(shape)} of {dtype} "
                                f"({nbytes} bytes) but whose member holds {info.file_size - header_len} bytes; "
                                "it is damaged or truncated")
        buf = np.empty(nbytes, dtype=np.uint8)  # the member's size is checked against the file: this is honest
        view, done = memoryview(buf), 0
        while done < nbytes:
            got = member.readinto(view[done:])
            if not got:
                raise _reject(path, f"has a truncated array {name!r}")
            done += got
        member.read(1)  # reach the member's end, where zipfile checks its CRC
    arr = buf.view(dtype)
    return arr.reshape(shape, order="F" if fortran else "C")


def _decode(node: Any, zf: zipfile.ZipFile, path: str, members: set, used: set, depth: int) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth > _MAX_DEPTH:
        raise _reject(path, f"has a structure nested deeper than {_MAX_DEPTH} levels; it was crafted or damaged")
    depth += 1
    if isinstance(node, list):
        return [_decode(v, zf, path, members, used, depth) for v in node]
    if isinstance(node, dict) and len(node) >= 1:
        if "array" in node:
            return _read_array(node["array"], zf, path, members, used)
        if "tensor" in node:
            t = Tensor._make(_read_array(node["tensor"], zf, path, members, used))
            if node.get("requires_grad") is True and t.dtype.kind == "f":
                t.requires_grad_(True)
            return t
        if "scalar" in node:
            arr = _read_array(node["scalar"], zf, path, members, used)
            if arr.shape != ():
                raise _reject(path, f"stores the scalar {node['scalar']!r} with shape {arr.shape}; the file was "
                                    "altered")
            return arr[()]
        if "float" in node and node["float"] in ("nan", "inf", "-inf"):
            return float(node["float"])
        if "tuple" in node and isinstance(node["tuple"], list):
            return tuple(_decode(v, zf, path, members, used, depth) for v in node["tuple"])
        if "dict" in node and isinstance(node["dict"], list):
            out = {}
            for item in node["dict"]:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], (str, int))):
                    raise _reject(path, f"has a malformed dict item {item!r:.60} in its structure")
                out[item[0]] = _decode(item[1], zf, path, members, used, depth)
            return out
    raise _reject(path, f"has an unknown node {node!r:.60} in its structure")
