"""Fair side-by-side timing: every side in its own fresh process, the sides taking turns over rounds.

A comparison names its sides as Python snippets. Each side starts in a fresh
interpreter (``python -m bench.fair``), imports only what its snippet imports,
with only the environment its library sets for itself, builds its ``step``
(a zero-argument callable doing one unit of work) and runs it once; then it
waits. The parent asks each side in turn (the order flipped every round) to
time a batch of calls and report seconds per call, so a slow spell of a
shared machine falls on every side alike. Between turns the parent waits a
moment (untimed, the same for every side) so that thread pools spinning
after one side's turn cannot slow the next. The garbage collector stays on
everywhere and nothing is collected by hand: each side pays for its own
garbage. The result per side is the median over rounds; ratios are ratios
of medians.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from .common import ROOT, child_env

METHOD = (
    "Method: every side of a comparison runs in its own fresh Python process, which imports only its own "
    "library and keeps that library's defaults (a setting gradwork needs, such as `OPENBLAS_THREAD_TIMEOUT`, is "
    "made by `import autograd` in gradwork's process only). Each side builds the same work from the same "
    "data and initial weights with the same optimiser settings and checks its first result; then the sides "
    "take turns, the order flipped every round, each timing a batch of calls of about {round_s} s, with an "
    "untimed {pause_s} s pause between turns for every side alike. The garbage collector stays on and is never "
    "run by hand. Tables show the median over rounds; ratios are ratios of medians. The machine is shared and "
    "noisy: expect 10-30% between runs."
)


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


class _Side:
    """One side's worker process, driven over its stdin/stdout one JSON line at a time."""

    def __init__(self, name: str, code: str, env: dict[str, str | None] | None) -> None:
        self.name = name
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.fair"], cwd=ROOT, env=child_env(env), text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.hello = self.ask({"code": code})

    def ask(self, msg: dict) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(msg) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"bench side {self.name!r} died:\n{err[-3000:]}")
        out = json.loads(line)
        if "error" in out:
            raise RuntimeError(f"bench side {self.name!r} failed: {out['error']}")
        return out

    def close(self) -> None:
        try:
            self.ask({"quit": True})
        except RuntimeError:
            pass
        self.proc.wait(timeout=30)


# OpenBLAS's own default keeps idle threads spinning for 2**28 cycles (about 0.1 s): a pause longer than that
# between turns, so that one side's spinning threads never run into the next side's turn
PAUSE_S = 0.3


def compare(sides: dict[str, str], rounds: int = 9, round_s: float = 0.1, pause_s: float = PAUSE_S,
            warmup: int = 3, env: dict[str, dict] | None = None) -> dict[str, Any]:
    """Time each side's ``step`` in its own process, interleaved over ``rounds``.

    ``sides`` maps a name to a snippet that defines ``step`` (and may define ``info``, a dict reported
    back). ``env`` maps a side's name to extra environment variables for its process (None removes one).
    Returns ``{"seconds": {side: median s per call}, "rounds": {side: [...]}, "first": {side: step()'s
    first value}, "info": {side: info}}``.
    """
    workers = {}
    try:
        for name, code in sides.items():
            workers[name] = _Side(name, code, (env or {}).get(name))
        counts = {name: w.ask({"calibrate": round_s, "warmup": warmup})["n"] for name, w in workers.items()}
        taken: dict[str, list[float]] = {name: [] for name in workers}
        names = list(workers)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                time.sleep(pause_s)
                taken[name].append(workers[name].ask({"run": counts[name]})["s"])
    finally:
        for w in workers.values():
            w.close()
    return {
        "seconds": {name: median(v) for name, v in taken.items()},
        "rounds": taken,
        "first": {name: w.hello.get("first") for name, w in workers.items()},
        "info": {name: w.hello.get("info", {}) for name, w in workers.items()},
    }


def _serve() -> None:
    """The worker: build ``step`` from the first message's code, then time it on request."""
    out = sys.stdout
    sys.stdout = sys.stderr  # anything the side prints goes to stderr, not into the protocol
    scope: dict[str, Any] = {"__name__": "bench_side"}
    step = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if "code" in msg:
                exec(compile(msg["code"], "<bench side>", "exec"), scope)
                step = scope["step"]
                first = step()
                reply: dict[str, Any] = {"first": float(first) if isinstance(first, (int, float)) else None,
                                         "info": scope.get("info", {})}
            elif "calibrate" in msg:
                for _ in range(int(msg.get("warmup", 0))):
                    step()
                t0 = time.perf_counter()
                step()
                one = time.perf_counter() - t0
                reply = {"n": max(1, int(float(msg["calibrate"]) / max(one, 1e-7)))}
            elif "run" in msg:
                n = int(msg["run"])
                t0 = time.perf_counter()
                for _ in range(n):
                    step()
                reply = {"s": (time.perf_counter() - t0) / n}
            else:
                reply = {"bye": True}
                out.write(json.dumps(reply) + "\n")
                out.flush()
                return
        except Exception as exc:  # report, so the parent names the side
            import traceback

            reply = {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-2000:]}"}
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve()
