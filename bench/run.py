"""Run the benchmark suite and write bench/results.md and bench/results.json.

    python -m bench            # everything, about 10 minutes on 2 cores
    python -m bench --quick    # fewer sizes and rounds, under 2 minutes
    python -m bench --only train kernels
    python -m bench --thresholds   # the size scan behind numba_backend.THRESHOLDS

Sides are interleaved within each comparison and reported as medians; the
ratios in the tables are "times faster" (above 1: gradwork wins) unless the
column says otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

if __package__ in (None, ""):  # python bench/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "bench"

import autograd  # noqa: E402,F401  (first, so OPENBLAS_THREAD_TIMEOUT is set before numpy loads)
import numpy as np  # noqa: E402

from bench import kernels, scalar, startup, train  # noqa: E402
from bench.common import fmt_ratio, fmt_time, machine_info, run_script, table  # noqa: E402
from bench.fair import METHOD, PAUSE_S  # noqa: E402

SECTIONS = ("scalar", "chain", "train", "timeouts", "overhead", "kernels", "matmul", "startup", "pools")
HERE = os.path.dirname(os.path.abspath(__file__))


def settings(quick: bool) -> dict:
    if quick:
        return dict(scalar_rounds=5, chain_n=1_000_000, tensor_chain_n=20_000, train_configs=train.CONFIGS[:3],
                    train_rounds=5, overhead_rounds=7, kernel_sizes=[1_000, 1_000_000], kernel_dtypes=[np.float32],
                    kernel_rounds=5, matmul_sizes=[64, 256, 512], tiled_max=512, matmul_rounds=5, pool_steps=5)
    return dict(scalar_rounds=11, chain_n=1_000_000, tensor_chain_n=100_000, train_configs=train.CONFIGS,
                train_rounds=15, overhead_rounds=15, kernel_sizes=[1_000, 100_000, 1_000_000],
                kernel_dtypes=[np.float32, np.float64], kernel_rounds=9, matmul_sizes=[64, 128, 256, 512, 1024, 2048],
                tiled_max=1024, matmul_rounds=7, pool_steps=15)


def run(sections: list[str], quick: bool) -> dict:
    cfg = settings(quick)
    res: dict = {"machine": machine_info(), "quick": quick,
                 "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "seconds": {}}
    steps = {
        "scalar": lambda: scalar.demo_step(cfg["scalar_rounds"]),
        "chain": lambda: {"gradwork": scalar.chain(cfg["chain_n"]),
                          "gradwork_tensor": scalar.tensor_chain(cfg["tensor_chain_n"]),
                          "micrograd": scalar.micrograd_chain()},
        "train": lambda: train.train_rows(cfg["train_configs"], ("sgd", "adam"), cfg["train_rounds"]),
        "timeouts": lambda: train.timeout_rows(cfg["train_configs"], cfg["train_rounds"]),
        "overhead": lambda: train.overhead_rows(cfg["overhead_rounds"]),
        # in a fresh interpreter without torch, so the kernels run as they do in a gradwork-only program
        "kernels": lambda: in_subprocess(f"kernels.kernel_rows({cfg['kernel_sizes']}, "
                                         f"[{', '.join('np.' + np.dtype(d).name for d in cfg['kernel_dtypes'])}], "
                                         f"{cfg['kernel_rounds']})"),
        "matmul": lambda: in_subprocess(f"kernels.matmul_rows({cfg['matmul_sizes']}, {cfg['tiled_max']}, "
                                        f"{cfg['matmul_rounds']})"),
        "startup": startup.first_step,
        "pools": lambda: startup.pools(cfg["pool_steps"]),
    }
    for name in sections:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        res[name] = steps[name]()
        res["seconds"][name] = round(time.perf_counter() - t0, 1)
    if "numba" in sys.modules:
        from autograd.kernels import numba_backend

        res["numba_threads_in_process"] = numba_backend.parallel_allowed()
    return res


def in_subprocess(call: str) -> dict:
    """Evaluate ``call`` (in terms of bench.kernels) in a fresh interpreter and return its JSON result."""
    code = ("import autograd, json\nimport numpy as np\nfrom bench import kernels\n"
            "from autograd.kernels import numba_backend\n"
            f"print(json.dumps({{'rows': {call}, 'threads': numba_backend.parallel_allowed()}}))")
    return run_script(code)


# ----------------------------------------------------------------- Markdown


def markdown(res: dict) -> str:
    m = res["machine"]
    out = [
        "# gradwork benchmarks",
        "",
        f"Run {res['date']} with `python -m bench{' --quick' if res['quick'] else ''}` on {m['cpu']}, "
        f"{m['cores']} cores; Python {m['python']}, numpy {m['numpy']} ({m['numpy_blas']}), numba {m['numba']} "
        f"({m.get('numba_threads')} threads), torch {m['torch']} ({m.get('torch_threads')} threads), "
        f"micrograd {m['micrograd']}.",
        "",
        METHOD.format(round_s=0.1, pause_s=PAUSE_S) + " Within one library (the Numba kernels against the numpy "
        "path they replace, the per-op overhead) the variants share one process and are interleaved the same way.",
        "",
    ]
    targets = []
    if "scalar" in res:
        r = res["scalar"]
        out += ["## 1. Scalar mode vs micrograd: demo step (MLP 2-16-16-1, 100 moons, max-margin + L2, SGD)", ""]
        names = [k for k in scalar.SIDE_CODE if k in r]
        speed = r.get("speedup", {})
        rows = [[k.replace("Value", "`Value`"), fmt_time(r[k]), fmt_ratio(speed.get(k)) if k in speed else ""]
                for k in names]
        out += [table(["side (each in its own process)", "time per step", "vs micrograd"], rows), "",
                f"{r['nodes_per_step']} nodes per step in gradwork's graph; same first loss on every side: "
                f"{r.get('same_first_loss', 'n/a')}. The garbage collector's share of a `gradwork Value` step "
                f"(gc.callbacks): {r['gc_share']:.0%}.", ""]
        if speed:
            mg_nn, ours_nn = speed["micrograd's nn.py on gradwork Value"], speed['nn.MLP(mode="scalar")']
            targets.append(("micrograd's nn.py on gradwork Value >= 12x micrograd", f"{mg_nn:.1f}x", mg_nn >= 12))
            targets.append(('nn.MLP(mode="scalar") >= 20x micrograd', f"{ours_nn:.1f}x", ours_nn >= 20))
        targets.append(("garbage collector < 20% of a scalar step", f"{r['gc_share']:.0%}", r["gc_share"] < 0.2))
        if "gradwork Value, compiled" in r and "gradwork Value" in r:
            out += [f"Compiled scalar step (autograd.compile: the traced graph as a Numba tape) against eager "
                    f"scalar mode: {r['gradwork Value'] / r['gradwork Value, compiled']:.1f}x faster.", ""]
    if "chain" in res:
        c = res["chain"]
        g, gt = c["gradwork"], c["gradwork_tensor"]
        out += ["## 2. A chain of 1,000,000 ops: build and backward", "",
                table(["side", "ops", "build per node", "backward per node", "note"], [
                    ["gradwork `Value`", f"{g['n']:,}", fmt_time(g["build_per_node"]), fmt_time(g["backward_per_node"]),
                     f"gradient correct: {g['grad_correct']}; freeing the graph {fmt_time(g['free_s'])}"],
                    ["gradwork `Tensor` (1 element)", f"{gt['n']:,}", fmt_time(gt["build_per_node"]),
                     fmt_time(gt["backward_per_node"]), ""],
                ] + [["micrograd 0.1.0", f"{mc['n']:,}", fmt_time(mc.get("build_per_node")),
                      fmt_time(mc.get("backward_per_node")), mc.get("error", "")] for mc in c["micrograd"]]), ""]
    if "train" in res:
        out += ["## 3. Tensor mode: one training step (forward, loss, backward, update)", "",
                "Times per step, each side in its own process; the ratios are gradwork's time over the other "
                "side's (below 1: gradwork faster). `nn` is `nn.Sequential` of `nn.Linear`/`nn.ReLU` with "
                "`nn.functional` losses; `by hand` is the step written op by op (`h = (h @ W + b).relu()`, "
                "`nn.CrossEntropyLoss()`, `optim`). Plain SGD (lr 0.01) and Adam (lr 1e-3) on every side.", ""]
        rows = []
        for r in res["train"]:
            nb, hand = r.get("gradwork (numba)", r["gradwork (numpy)"]), r.get("gradwork by hand (numba)")
            comp = r.get("gradwork compiled (numba)")
            rows.append([r["config"], r["opt"], fmt_time(r["numpy"]), fmt_time(r["gradwork (numpy)"]),
                         fmt_time(r.get("gradwork (numba)")), fmt_time(r.get("gradwork by hand (numpy)")),
                         fmt_time(hand), fmt_time(comp), fmt_time(r.get("torch")),
                         f"{nb / r['numpy']:.2f}", f"{hand / r['numpy']:.2f}" if hand else "n/a",
                         f"{comp / r['numpy']:.2f}" if comp else "n/a",
                         f"{nb / r['torch']:.2f}" if "torch" in r else "n/a"])
        out += [table(["MLP", "optimiser", "numpy by hand", "nn (numpy)", "nn (numba)", "by hand (numpy)",
                       "by hand (numba)", "compiled (numba)", "torch", "nn vs numpy", "by hand vs numpy",
                       "compiled vs numpy", "nn vs torch"], rows), ""]
        out += [f"First-step losses agree across sides: {all(r['first_losses_agree'] for r in res['train'])}. "
                f"torch threads: {res['train'][0].get('torch_threads')}; Numba kernels threaded in gradwork's "
                f"process: {res['train'][0].get('numba_threads_in_process')}.", ""]
        small = ("2-16-16-1", "64-64-10")
        for r in res["train"]:
            key = r["config"].split(",")[0]
            nb, hand = r.get("gradwork (numba)", r["gradwork (numpy)"]), r.get("gradwork by hand (numba)")
            limit = 1.3 if key in small else 1.1
            if hand:
                targets.append((f"train {key} {r['opt']}: written by hand within {limit}x of numpy",
                                f"{hand / r['numpy']:.2f}x", hand / r["numpy"] <= limit))
            comp = r.get("gradwork compiled (numba)")
            if comp:
                climit = 0.7 if key in small else 1.0
                targets.append((f"train {key} {r['opt']}: compiled within {climit}x of numpy",
                                f"{comp / r['numpy']:.2f}x", comp / r["numpy"] <= climit))
            if "torch" in r and comp:
                targets.append((f"train {key} {r['opt']}: compiled faster than torch", f"{comp / r['torch']:.2f}x",
                                comp / r["torch"] <= 1.0))
    if "timeouts" in res:
        rows = res["timeouts"]
        settings = list(rows[0]["seconds"])
        out += ["## OpenBLAS's idle spin: gradwork's nn step (Numba backend, SGD) under each `OPENBLAS_THREAD_TIMEOUT`",
                "", "Each setting in its own process, interleaved as above (28 is OpenBLAS's own default). "
                "`import autograd` sets the value in bold when the variable is unset.", "",
                table(["MLP"] + [f"**{k}**" if k.endswith(f"={train.DEFAULT_TIMEOUT}") else k for k in settings],
                      [[r["config"]] + [fmt_time(r["seconds"][k]) for k in settings] for r in rows]), ""]
        best = {k: sum(r["seconds"][k] / min(r["seconds"].values()) for r in rows) / len(rows) for k in settings}
        winner = min(best, key=best.get)
        out += ["Mean time relative to the fastest setting of each row: "
                + ", ".join(f"{k} {v:.3f}" for k, v in best.items()) + f"; best over the table: {winner}.", ""]
    if "overhead" in res:
        out += ["## Per-op overhead: engine op vs the bare numpy call, (32, 64) float64", "",
                table(["op", "numpy", "recorded (requires_grad)", "constant inputs", "under no_grad"],
                      [[r["op"], fmt_time(r["numpy"])] + [f"{fmt_time(r[k])} ({r[k] / r['numpy']:.1f}x)"
                                                         for k in ("recorded", "constant", "no_grad")]
                       for r in res["overhead"]]), ""]
        worst = max(r["recorded"] / r["numpy"] for r in res["overhead"] if r["op"] != "a.sum()")
        targets.append(("elementwise op recorded <= 3x the numpy ufunc", f"{worst:.1f}x", worst <= 3))
    if "kernels" in res:
        kern = res["kernels"]["rows"]
        out += ["## 4. Numba kernels vs the numpy path they replace", "",
                f"In a fresh interpreter (no torch); Numba kernels may use threads: {res['kernels']['threads']}.", "",
                "`table` is what `set_backend(\"numba\")` runs (the threaded twin from a kernel's parallel size "
                "on); `serial` and `parallel` force one twin. Kernels built on e**x use gradwork's own vectorisable "
                "exp (autograd/kernels/jit_exp.py), since PyPI's llvmlite has no SVML. In brackets: times faster "
                "than numpy.", "",
                kernels.kernel_table(kern), ""]
        fused = [r for r in kern if r["n"] == 1_000_000 and (
            r["kernel"].endswith("_backward") or r["kernel"].endswith("_step")
            or r["kernel"] in ("softmax", "log_softmax", "cross_entropy", "sum_to_shape"))]
        if fused:
            slow = [f"{r['kernel']} {r['dtype']} {r['numpy'] / r['table']:.2f}x" for r in fused
                    if r["numpy"] / r["table"] < 2]
            targets.append(("fused kernels >= 2x numpy at 1e6", f"{len(fused) - len(slow)}/{len(fused)} met"
                            + (f"; below: {', '.join(slow)}" if slow else ""), not slow))
        small = [r for r in kern if r["n"] == 1_000]
        if small:
            worst = min(small, key=lambda r: r["numpy"] / r["table"])
            targets.append(("no kernel slower than numpy at 1e3 (as run)",
                            f"worst {worst['kernel']} {worst['dtype']} {worst['numpy'] / worst['table']:.2f}x",
                            worst["numpy"] / worst["table"] >= 0.9))
    if "matmul" in res:
        mm = res["matmul"]["rows"]
        out += ["## 4b. Matmul, float32 n x n: GFLOP/s (fresh interpreter)", "", kernels.matmul_table(mm), ""]
        big = [r for r in mm if r["n"] >= 256]
        if big:
            worst = max(r["engine_vs_numpy"] for r in big)
            targets.append(("matmul through the engine within 1.1x of numpy at n >= 256", f"{worst:.2f}x",
                            worst <= 1.1))
    if "startup" in res:
        s = res["startup"]
        out += ["## 5. Time to the first training step (Numba backend, fresh interpreter)", "",
                table(["cache", "import autograd", "first step, 2-16-16-1 f64 SGD", "first step, 784-256-128-10 "
                       "f32 Adam", "total"],
                      [[k, fmt_time(s[k]["import_s"]), fmt_time(s[k]["moons_f64_sgd_first_step_s"]),
                        fmt_time(s[k]["mnist_f32_adam_first_step_s"]), fmt_time(s[k]["total_s"])]
                       for k in ("cold", "warm")]), ""]
        targets.append(("import autograd < 0.3 s", fmt_time(s["warm"]["import_s"]), s["warm"]["import_s"] < 0.3))
        targets.append(("cold cache: first steps < 15 s", fmt_time(s["cold"]["total_s"]), s["cold"]["total_s"] < 15))
        targets.append(("warm cache: first steps < 2 s", fmt_time(s["warm"]["total_s"]), s["warm"]["total_s"] < 2))
    if "pools" in res:
        out += ["## Thread pools: 784-1024-1024-10 batch 512 f32 Adam step, Numba backend", "",
                table(["setting", "step", "Numba threads used"],
                      [[r["variant"], fmt_time(r["step_s"]), r["parallel_kernels"]] for r in res["pools"]]), ""]
    if targets:
        out += ["## Targets", "", table(["target", "measured", "met"],
                                        [[t, v, "yes" if ok else "**no**"] for t, v, ok in targets]), ""]
    res["targets"] = [{"target": t, "measured": v, "met": bool(ok)} for t, v, ok in targets]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and rounds (under 2 minutes)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--out", default=HERE, help="folder for results.md and results.json (default: bench/)")
    parser.add_argument("--thresholds", action="store_true",
                        help="scan kernel sizes to set numba_backend.THRESHOLDS, print, and exit")
    args = parser.parse_args(argv)
    if args.thresholds:
        kernels.scan_thresholds([np.float32, np.float64])
        return 0
    t0 = time.perf_counter()
    res = run(list(args.only or SECTIONS), args.quick)
    res["seconds"]["total"] = round(time.perf_counter() - t0, 1)
    md = markdown(res)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    print(md)
    print(f"\n[bench] {res['seconds']['total']} s; wrote {args.out}/results.md and results.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
