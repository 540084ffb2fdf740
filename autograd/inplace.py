"""In-place tensor ops, version counters and gradient hooks, with torch's rules.

In-place methods (``add_``, ``sub_``, ``mul_``, ``div_``, ``clamp_``, ``fill_``,
``zero_``, ``copy_``, ``x[index] = v``, ``+=`` and friends) write into the
tensor's own array and return the same tensor.

* Not recorded (under ``no_grad()``, or nothing involved requires grad): a plain
  numpy write. A leaf keeps ``requires_grad``, so ``with no_grad(): w -= lr * w.grad``
  trains.
* Recorded: a leaf that requires grad refuses (torch's error). Any other tensor
  becomes the output of the op in the graph: a new hidden node takes over the
  tensor's old place (its op, inputs and creation number), the op is recorded
  on that old version, and the tensor object becomes the op's output. Ops made
  from the tensor before still point at the object; the walk sends their
  gradient to the version they read (``version_at``), since that version is
  the newest one created before them.

Views: an in-place op on a view ``v`` of ``base`` (``base[index]`` with a basic
index, ``view``/``reshape``/``flatten``/``squeeze``, ``t()``/``transpose``/
``permute``/``.T``, ``diagonal()``) is recorded as a write of ``op(v)`` into the
base (``base[index] = ...``, ``base.copy_(...)``) and ``v`` is re-based onto the
changed base, as torch does. Expanded views refuse (several entries share one
memory cell). A view taken before its base changed, then used, raises in
backward (torch would re-base it; gradwork re-bases only through the view).
A view of a tensor outside the graph remembers its base: a recorded in-place op
on it (``buf[0:1].copy_(w)``, ``buf[:, 1].mul_(w)`` with ``w`` requiring grad)
puts the base into the graph as ``base[positions] = op(view)``, as torch does
(its CopySlices); other untracked views of that base taken before stay constants.

Versions: every in-place write appends a creation number to the tensor's
modification list (shared with ``detach()``-ed aliases, ``x[index]`` views and
the hidden old version). In backward, an op that saved an array of a tensor
that was modified after the op was recorded raises (``check_saved``) instead of
using the changed values. Writes to ``.data`` itself are not tracked, as in torch.
"""

from __future__ import annotations

import weakref
from numbers import Number
from typing import Any, Callable

import numpy as np

from . import engine
from .engine import next_seq
from .ops import arith as _arith
from .ops import inplace as _ops
from .ops import layout as _layout
from .ops import shape as _shape
from .tensor import Tensor, _index_arg

__all__ = ["version", "register_hook", "RemovableHandle"]

_grad_mode = engine._state
_REBASED = (_shape.Reshape, _shape.Transpose, _layout.Diagonal)  # views re-based like basic-index ones
_VIEW_OPS = (_shape.GetItem,) + _REBASED


# ------------------------------------------------------------------ versions
def _mods_of(t: Tensor) -> list:
    """The tensor's modification list, made on first need (``False`` until then, so the walk's test is cheap)."""
    m = t._mods
    if m is False:
        m = t._mods = []
    return m


def share_with_view(base: Tensor, view: Tensor) -> Tensor:
    """Give a recorded view of ``base`` (``base[index]``) the base's version counter; returns the view. A view that
    is not recorded (the base is outside the graph) remembers the tensor that owns its memory instead, so that a
    recorded in-place op on it can write into that tensor (see ``_record_into_base``)."""
    if view.data.base is not None:
        if view._ctx is None:
            view._viewof = base if base.data.base is None else _root(base)
        else:
            view._mods = _mods_of(base)
    return view


def _root(base: Tensor) -> Tensor:
    """The tensor an untracked view's memory belongs to: its base's base, if the base is an untracked view too."""
    root = getattr(base, "_viewof", None)
    return base if root is None else root


def share_with_alias(base: Tensor, view: Tensor) -> Tensor:
    """Give a recorded view of ``base`` made by reshape, transpose or diagonal the base's version counter,
    when it shares the base's memory (a reshape may copy); returns the view."""
    owner = view.data.base  # numpy points a view at the array that owns the memory
    if owner is not None and (owner is base.data or owner is base.data.base):
        if view._ctx is None:
            view._viewof = base if base.data.base is None else _root(base)
        else:
            view._mods = _mods_of(base)
    return view


def version(t: Tensor) -> int:
    m = t._mods
    return len(m) if m else 0


def detach(t: Tensor) -> Tensor:
    d = Tensor._make(t.data)
    d._mods = _mods_of(t)  # an alias of the same memory: writes through either count for both
    return d


def check_saved(node: Tensor, t: Tensor, pos: int) -> None:
    """RuntimeError if ``node``'s op saved ``t``'s array and ``t`` was changed in place after the op was recorded."""
    mods = t._mods
    seq = node._seq
    used = getattr(node._ctx, "used_at", seq)  # an in-place op read its inputs before its own write
    if (pos >= 0 and t._op in _VIEW_OPS and any(t._seq < m < used for m in mods)
            and getattr(node._ctx, "previous", None) is not t):  # (a re-based view's old self is no real input)
        raise RuntimeError(
            f"{node._op.__name__}.backward: its input {pos} is a view (made by {t._op.__name__}) of a tensor that was "
            "changed in place after the view was taken and before this op used it, so the view's values are not "
            "the ones its graph computed; take the view again after the change (torch re-bases such views; "
            "gradwork re-bases a view only for in-place ops made through the view itself)"
        )
    if mods[-1] < seq:
        return
    arr = t.data
    if not any(s is arr for s in node._ctx.saved):
        return
    expected = sum(1 for m in mods if m < seq)
    what = "its output" if pos < 0 else f"its input {pos}"
    named = f" (named {t.name!r})" if t.name else ""
    op = node._op.__name__
    raise RuntimeError(
        f"{op}.backward: one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what}, a Tensor of shape {arr.shape}{named}, is at version {len(mods)}; expected version "
        f"{expected} instead. {op} saved it for backward; compute the change out of place (x = x + ...), "
        "or change a clone() of it"
    )


def version_at(t: Tensor, seq: int) -> Tensor:
    """The node that was ``t`` when node number ``seq`` was made (each in-place op's context keeps the version
    it replaced)."""
    while t._seq > seq:
        t = t._ctx.previous
    return t


# --------------------------------------------------------------------- hooks
class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off again."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        hooks = self._hooks
        for i, h in enumerate(hooks):
            if h is self._hook:
                del hooks[i]
                return


def register_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"register_hook: expected a function of the gradient, got {type(hook).__name__}")
    if not t.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
    if t._hooks is None:
        t._hooks = []
    t._hooks.append(hook)
    return RemovableHandle(t._hooks, hook)


POST_ACCUMULATE: dict[int, list] = {}  # id(leaf) -> its post-accumulate-grad hooks (dropped with the leaf)


def register_post_accumulate_grad_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Call ``hook(t)`` each time backward has added into ``t.grad`` (a leaf that requires grad; torch's)."""
    if not callable(hook):
        raise TypeError("register_post_accumulate_grad_hook: expected a function of the tensor, got "
                        f"{type(hook).__name__}")
    if not t.requires_grad or t._ctx is not None:
        raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks go on leaf tensors that "
                           "require grad (parameters); for other tensors use register_hook")
    key = id(t)
    hooks = POST_ACCUMULATE.get(key)
    if hooks is None:
        hooks = POST_ACCUMULATE[key] = []
        weakref.finalize(t, POST_ACCUMULATE.pop, key, None)
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def run_post_accumulate_hooks(t: Tensor) -> None:
    for hook in list(POST_ACCUMULATE.get(id(t), ())):
        hook(t)


def run_hooks(t: Tensor, g: Any) -> Any:
    """Pass ``g`` (an ndarray, or a Tensor under create_graph) through ``t``'s hooks in order."""
    for hook in tuple(t._hooks):
        arg = g if isinstance(g, Tensor) else Tensor._make(g)
        r = hook(arg)
        if r is None:
            continue
        if isinstance(r, Tensor):
            r = r if isinstance(g, Tensor) else r.data
        elif not isinstance(r, np.ndarray):
            raise TypeError(f"register_hook: a hook must return None or a Tensor, got {type(r).__name__}")
        if r.shape != t.data.shape:
            raise ValueError(
                f"register_hook: a hook returned a gradient of shape {r.shape} for a tensor of shape {t.data.shape}"
            )
        g = r
    return g


# ------------------------------------------------------------ in-place ops
def _arg(x: Any, t: Tensor, op: str) -> Any:
    """The other operand: a Tensor stays, anything else must be numbers (returned as an array or a number)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Number) and not isinstance(x, (bool, complex)):
        return x
    return Tensor._lift(x, t, op).data


def _records(t: Tensor, others: tuple) -> bool:
    if not _grad_mode.enabled:
        return False
    return t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)


def _fail_write(op: str, t: Tensor, exc: Exception, shape: Any = None) -> None:
    if str(exc).startswith((op + ":", op.rstrip("_") + ":")):  # the op's own message (bad index, ...): as it is
        raise exc
    if isinstance(exc, TypeError):
        raise TypeError(
            f"{op}: the result cannot be written into a tensor of dtype {t.data.dtype} in place ({exc}); "
            f"convert it first, e.g. t = t.astype(np.float64)"
        ) from None
    shown = f"{shape}" if shape is not None else "a shape that does not broadcast to it"
    raise ValueError(
        f"{op}: the result has shape {shown} but the tensor changed in place has shape {t.data.shape}; "
        "an in-place op cannot change a tensor's shape (use the out-of-place op)"
    ) from None


def _writeable(t: Tensor) -> np.ndarray:
    arr = t.data
    if not arr.flags.writeable:  # e.g. a broadcast view: give the tensor memory of its own first
        arr = t.data = np.array(arr)
    return arr


def _bump(t: Tensor) -> list:
    mods = _mods_of(t)
    mods.append(next_seq())
    return mods


def _plain(t: Tensor, op: str, write: Callable, others: tuple) -> Tensor:
    arr = _writeable(t)
    arrays = [o.data if isinstance(o, Tensor) else o for o in others]
    try:
        write(arr, *arrays)
    except (TypeError, ValueError) as exc:
        _fail_write(op, t, exc)
    _bump(t)
    return t


def _record(t: Tensor, op: str, compute: Callable, others: tuple) -> Tensor:
    if t._ctx is None and getattr(t, "_viewof", None) is not None:
        done = _record_into_base(t, op, compute, others)
        if done is not None:
            return done
    if t.requires_grad and t._ctx is None:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation. Update "
            "parameters inside `with no_grad():` (as optimisers do), or change a clone() of the tensor"
        )
    if t._ctx is not None and t.data.base is not None and any(
        p.data is not t.data and np.may_share_memory(t.data, p.data) for p in t._parents
    ):  # t's memory belongs to one of its inputs: t is a view
        if t._op in _REBASED or (t._op is _shape.GetItem and t._ctx.basic):
            return _record_through_view(t, op, compute, others)
        if t._op is _shape.BroadcastTo:
            raise RuntimeError(
                f"{op}: this tensor is an expanded view (made by expand/broadcast_to): several of its entries are "
                "one entry of the tensor it expands, so it cannot be changed in place (as in torch); change a "
                "clone() of it, or write into the tensor before expanding it"
            )
        raise RuntimeError(
            f"{op}: this tensor is a view of another tensor of the graph (made by {t._op.__name__}); changing it "
            "in place would change that tensor behind the graph's back. Write into the base tensor "
            "(base[index] = ...), or change a clone() of the view"
        )
    arr = _writeable(t)
    old = _old_version(t)
    others = tuple(old if o is t else o for o in others)
    start = next_seq()
    res = compute(old, *others)
    composite = any(p is not old and all(p is not o for o in others) and _reaches(p, old, start)
                    for p in res._parents)
    if composite:  # several ops (x.mish_()): an inner one may have kept the old values, or a view of them, which
        old.data = arr.copy()  # the write would change behind its back: run it again on a copy of them
        res = compute(old, *others)
    out = res.data
    if out.shape != arr.shape:
        _fail_write(op, t, ValueError(), out.shape)
    ctx = res._ctx
    saved = ctx.saved
    if composite:
        pass
    elif any(s is arr for s in saved):  # the op needs the old values: keep them, the write would destroy them
        snap = old.data = arr.copy()
        saved = tuple(snap if s is arr else s for s in saved)
    else:
        old._mods = _mods_of(t)
    try:
        np.copyto(arr, out, casting="same_kind")
    except TypeError as exc:
        _fail_write(op, t, exc)
    _bump(t)
    ctx.saved = tuple(arr if s is out else s for s in saved)  # "the saved output" is the tensor itself now
    ctx.previous = old
    ctx.used_at = res._seq
    t._ctx, t._op, t._parents = ctx, res._op, res._parents
    t.requires_grad = True
    t._hooks = None
    t._seq = next_seq()  # after the write, so the op's own saved arrays are not "changed since"
    return t


def _reaches(node: Tensor, target: Tensor, start: int) -> bool:
    """Whether ``target`` is an input of ``node`` through nodes made after ``start`` (those compute made)."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if n is target:
            return True
        if n._seq > start and id(n) not in seen:
            seen.add(id(n))
            stack.extend(n._parents)
    return False


def _old_version(t: Tensor) -> Tensor:
    """A node that takes over ``t``'s current place in the graph (op, inputs, creation number, hooks)."""
    old = Tensor._make(t.data)
    old._ctx, old._op, old._parents, old._seq = t._ctx, t._op, t._parents, t._seq
    old.requires_grad, old._hooks, old.name = t.requires_grad, t._hooks, t.name
    return old


def _write_back(t: Tensor, base: Tensor, new: Tensor) -> Tensor:
    """Write ``new`` (the changed values of the view ``t``) into ``base``, recorded; return the view taken
    again from the changed base (the same view op with the same arguments)."""
    op, ctx = t._op, t._ctx
    if op is _shape.GetItem:
        setitem(base, ctx.index, new)  # recorded on the base (and further up, if the base is a view too)
        return _shape.GetItem._apply1(base, index=ctx.index)
    if op is _shape.Reshape:
        copy_(base, _shape.Reshape._apply1(new, shape=base.data.shape))
        return _shape.Reshape._apply1(base, shape=t.data.shape)
    if op is _shape.Transpose:
        copy_(base, _shape.Transpose._apply1(new, axes=ctx.inverse))
        return _shape.Transpose._apply1(base, axes=tuple(np.argsort(ctx.inverse).tolist()))
    offset, a1, a2 = ctx.args  # Diagonal: x[..., rows, cols] along (a1, a2) is the view's last axis
    nd = base.data.ndim
    index = [slice(None)] * nd
    index[a1], index[a2] = ctx.rows, ctx.cols
    # numpy puts the two indexed axes' common axis where they stood when they are neighbours, else in front
    at = min(a1, a2) if abs(a1 - a2) == 1 else 0
    perm = list(range(nd - 2))
    perm.insert(at, nd - 2)
    setitem(base, tuple(index), _shape.Transpose._apply1(new, axes=tuple(perm)))
    return _layout.Diagonal._apply1(base, offset=offset, axis1=a1, axis2=a2)


def _record_through_view(t: Tensor, op: str, compute: Callable, others: tuple) -> Tensor:
    """An in-place op on a view ``t`` of ``base`` (``base[index]`` with a basic index, a reshape, a transpose or a
    diagonal): recorded as a write of ``op(t, ...)`` into the base, and ``t`` becomes the same view of the changed
    base again, as torch re-bases views."""
    base = t._parents[0]
    if base.requires_grad and base._ctx is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad is being used in an in-place operation. Update "
            "parameters inside `with no_grad():` (as optimisers do), or change a clone() of the tensor"
        )
    old = _old_version(t)
    old._mods = _mods_of(t)
    src = _shape.Clone._apply1(old)  # the values the op reads, in memory the write below leaves alone
    new = compute(src, *tuple(src if o is t else o for o in others))
    if new.data.shape != t.data.shape:
        _fail_write(op, t, ValueError(), new.data.shape)
    fresh = _write_back(t, base, new)
    if not np.may_share_memory(t.data, base.data):  # the base got memory of its own: follow it
        t.data = fresh.data
    ctx = fresh._ctx
    ctx.previous = old
    # the old version rides along as an input that takes no gradient, so that the walk still reaches it
    # for the ops made from the view before the change
    ctx.needs_input_grad, ctx._positions = (True, False), (0, 1)
    t._ctx, t._op, t._parents, t._seq = ctx, fresh._op, (base, old), fresh._seq
    t.requires_grad = True
    t._hooks = None
    mods = _mods_of(base)
    mods.extend(m for m in _mods_of(t) if m not in mods)  # a view and its base count versions together from now on
    mods.sort()
    t._mods = old._mods = mods
    return t


def _positions(root: np.ndarray, view: np.ndarray) -> Any:
    """The index into ``root`` of each element of ``view`` (which lies in root's memory), as a tuple of integer
    arrays of view's shape; None when some element of the view is not an element of root."""
    isz = root.itemsize
    if view.dtype != root.dtype or not np.may_share_memory(root, view):
        return None
    start = view.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    vaddr = np.full(view.shape, start, dtype=np.int64)
    for axis, (n, step) in enumerate(zip(view.shape, view.strides)):
        vaddr += (np.arange(n, dtype=np.int64) * step).reshape((n,) + (1,) * (view.ndim - axis - 1))
    if root.flags.c_contiguous:
        if (vaddr % isz).any() or vaddr.min(initial=0) < 0 or vaddr.max(initial=0) >= root.nbytes:
            return None
        pos = vaddr // isz
    else:
        raddr = np.zeros(root.shape, dtype=np.int64)
        for axis, (n, step) in enumerate(zip(root.shape, root.strides)):
            raddr += (np.arange(n, dtype=np.int64) * step).reshape((n,) + (1,) * (root.ndim - axis - 1))
        flat = raddr.ravel()
        order = np.argsort(flat, kind="stable")
        ranked = flat[order]
        at = np.minimum(np.searchsorted(ranked, vaddr.ravel()), max(ranked.size - 1, 0))
        if ranked.size == 0 or (ranked[at] != vaddr.ravel()).any():
            return None
        pos = order[at].reshape(view.shape)
    if np.unique(pos).size != pos.size:
        return ()  # an expanded view: several of its entries are one entry of root
    return np.unravel_index(pos, root.shape) if root.ndim else ()


def _record_into_base(t: Tensor, op: str, compute: Callable, others: tuple) -> Tensor | None:
    """A recorded in-place op on a view ``t`` of a tensor outside the graph (``buf[0:1].copy_(w)`` with ``w``
    requiring grad): as torch, the base joins the graph, as ``base[positions] = op(t)``, and ``t`` becomes
    ``base[positions]``. None when ``t``'s memory is no longer its base's (then ``t`` is changed alone)."""
    base = t._viewof
    index = _positions(base.data, t.data)
    if index is None:
        return None
    if index == () and t.data.size > 1:
        raise RuntimeError(
            f"{op}: this tensor is an expanded view (several of its entries are one entry of the tensor it views), "
            "so it cannot be changed in place (as in torch); change a clone() of it"
        )
    if base.requires_grad and base._ctx is None:
        raise RuntimeError(
            f"{op}: a view of a leaf Variable that requires grad (taken under no_grad) is being used in an in-place "
            "operation. Update parameters inside `with no_grad():` (as optimisers do), or change a clone() of it"
        )
    # the values the op reads, base[positions]: a constant copy while the base is outside the graph, recorded
    # when the base has joined it since the view was taken (then the gradient reaches the base's writers)
    src = _shape.GetItem._apply1(base, index=index)
    new = compute(src, *tuple(src if o is t else o for o in others))
    if new.data.shape != t.data.shape:
        _fail_write(op, t, ValueError(), new.data.shape)
    setitem(base, index, new)  # recorded on the base, which joins the graph
    fresh = _shape.GetItem._apply1(base, index=index)
    fresh._ctx.basic = True  # the positions are distinct: the gradient is written, not accumulated
    if not np.may_share_memory(t.data, base.data):  # the base got memory of its own: follow it
        t.data = fresh.data
    t._ctx, t._op, t._parents, t._seq = fresh._ctx, fresh._op, fresh._parents, fresh._seq
    t.requires_grad = True
    t._hooks = None
    t._viewof = None
    t._mods = _mods_of(base)
    return t


def _inplace(t: Tensor, op: str, write: Callable, compute: Callable, *others: Any) -> Tensor:
    others = tuple(_arg(o, t, op) for o in others)
    if _records(t, others):
        lifted = tuple(o if isinstance(o, Tensor) else Tensor._lift(o, t, op) for o in others)
        return _record(t, op, compute, lifted)
    return _plain(t, op, write, others)


def _scaled(x: Any, alpha: Any) -> Any:
    return x if alpha == 1 else x * alpha


def add_(self: Tensor, other: Any, alpha: float = 1) -> Tensor:
    """self += alpha * other, in place."""
    return _inplace(
        self, "add_",
        lambda d, o: np.add(d, _scaled(o, alpha), out=d, casting="same_kind"),
        lambda s, o: _arith.Add._apply2(s, _scaled(o, alpha)),
        other,
    )


def sub_(self: Tensor, other: Any, alpha: float = 1) -> Tensor:
    """self -= alpha * other, in place."""
    return _inplace(
        self, "sub_",
        lambda d, o: np.subtract(d, _scaled(o, alpha), out=d, casting="same_kind"),
        lambda s, o: _arith.Sub._apply2(s, _scaled(o, alpha)),
        other,
    )


def mul_(self: Tensor, other: Any) -> Tensor:
    """self *= other, in place."""
    return _inplace(
        self, "mul_", lambda d, o: np.multiply(d, o, out=d, casting="same_kind"), _arith.Mul._apply2, other
    )


def div_(self: Tensor, other: Any) -> Tensor:
    """self /= other, in place."""
    return _inplace(
        self, "div_", lambda d, o: np.divide(d, o, out=d, casting="same_kind"), _arith.Div._apply2, other
    )


def clamp_(self: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002 (torch's names)
    """self = min(max(self, min), max), in place."""
    if min is None and max is None:
        raise ValueError("clamp_: give min, max or both")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clamp_: min={min} is greater than max={max}")
    return _inplace(
        self, "clamp_", lambda d: np.clip(d, min, max, out=d), lambda s: s.clip(min, max)
    )


def fill_(self: Tensor, value: Any) -> Tensor:
    """Every element set to ``value``, in place."""
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise ValueError(f"fill_: the value must be a number or a one-element tensor, got shape {value.shape}")
        if value.requires_grad and _grad_mode.enabled:
            return copy_(self, value.reshape(()))
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Number) or isinstance(value, complex):
        raise TypeError(f"fill_: the value must be a number, got {type(value).__name__} {value!r:.40}")
    return _inplace(
        self, "fill_", lambda d: d.fill(value), lambda s: _ops.Fill._apply1(s, value=value)
    )


def zero_(self: Tensor) -> Tensor:
    """Every element set to 0, in place."""
    return fill_(self, 0.0)


def copy_(self: Tensor, src: Any) -> Tensor:
    """self's elements replaced by ``src`` (broadcast to self's shape, cast to its dtype), in place."""
    return _inplace(
        self, "copy_", lambda d, o: np.copyto(d, o, casting="same_kind"), _ops.Copy._apply2, src
    )


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``self[index] = value``, in place (recorded: value gets the gradient of the positions it fills)."""
    index = _index_arg(index)

    def write(d: np.ndarray, v: Any) -> None:
        try:
            d[index] = v
        except IndexError as exc:
            raise IndexError(f"setitem: index {index!r:.80} does not fit a tensor of shape {d.shape}: {exc}") from None

    def compute(s: Tensor, v: Tensor) -> Tensor:
        return _ops.IndexPut.apply(s, v, index=index)

    try:
        _inplace(self, "setitem", write, compute, value)
    except ValueError as exc:
        if "setitem" in str(exc):
            raise
        raise ValueError(f"setitem: the value does not fit self[index] of a tensor of shape {self.shape}") from None



def install(cls: type) -> None:
    """Put the in-place methods on ``Tensor`` (kept here so that tensor.py stays about out-of-place ops)."""
    cls.add_ = add_
    cls.sub_ = sub_
    cls.mul_ = mul_
    cls.div_ = div_
    cls.clamp_ = clamp_
    cls.clip_ = clamp_
    cls.fill_ = fill_
    cls.zero_ = zero_
    cls.copy_ = copy_
    cls.__setitem__ = setitem
    cls.__iadd__ = add_
    cls.__isub__ = sub_
    cls.__imul__ = mul_
    cls.__itruediv__ = div_


install(Tensor)
