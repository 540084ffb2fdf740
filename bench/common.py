"""Timing and reporting helpers shared by the bench cases.

Every comparison runs its sides interleaved in one process (side A, side B,
side A, ... with the order flipped each round), so a slow spell of a shared
machine hits both; it reports the median time per call of each side and the
ratio of medians. The garbage collector stays on, as in real training.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any, Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def calibrate(fn: Callable[[], Any], target_s: float) -> int:
    """How many calls of ``fn`` take about ``target_s`` seconds (at least 1)."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    return max(1, int(target_s / max(one, 1e-7)))


def interleaved(sides: dict[str, Any], rounds: int = 15, round_s: float = 0.02,
                warmup: int = 2) -> dict[str, float]:
    """Median seconds per call of each side, the sides taking turns for ``rounds`` rounds (see ``samples``)."""
    return {k: median(v) for k, v in samples(sides, rounds, round_s, warmup).items()}


def samples(sides: dict[str, Any], rounds: int = 15, round_s: float = 0.02,
            warmup: int = 2) -> dict[str, list[float]]:
    """Seconds per call of each side in each of ``rounds`` rounds, the sides taking turns.

    A side is a callable, or ``(callable, context)`` where ``context()`` makes a
    context manager entered around each batch of calls (outside the timing of
    single calls, e.g. to force one kernel variant).
    """
    names = list(sides)
    fns = {k: v if callable(v) else v[0] for k, v in sides.items()}
    ctxs = {k: (lambda: contextlib.nullcontext()) if callable(v) else v[1] for k, v in sides.items()}
    inner = {}
    for k in names:
        with ctxs[k]():
            inner[k] = calibrate(fns[k], round_s)
            for _ in range(warmup):
                fns[k]()
    taken: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for k in order:
            fn, n = fns[k], inner[k]
            with ctxs[k]():
                t0 = time.perf_counter()
                for _ in range(n):
                    fn()
                taken[k].append((time.perf_counter() - t0) / n)
    return taken


def fmt_time(s: float | None) -> str:
    if s is None:
        return "n/a"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def machine_info() -> dict[str, Any]:
    """CPU, cores, thread settings and library versions, for the results header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
        "NUMBA_NUM_THREADS": os.environ.get("NUMBA_NUM_THREADS"),
    }
    import numpy as np

    info["numpy"] = np.__version__
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older numpy: no dict mode
        info["numpy_blas"] = "unknown"
    for mod in ("numba", "torch", "micrograd"):
        try:
            m = __import__(mod)
            info[mod] = getattr(m, "__version__", "installed")
        except ImportError:
            info[mod] = None
    if info["numba"]:
        import numba

        info["numba_threads"] = numba.config.NUMBA_NUM_THREADS
    if info["torch"]:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    return info


def child_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment for a fresh interpreter at the repository root: ``env`` added (None removes)."""
    full = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    full["PYTHONPATH"] = ROOT + os.pathsep + full.get("PYTHONPATH", "")
    return full


def run_script(code: str, env: dict[str, str | None] | None = None, timeout: float = 600) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter at the repository root; it prints one JSON object last.

    ``env`` adds variables to this process's environment (None removes one).
    """
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(env), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"bench subprocess failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
