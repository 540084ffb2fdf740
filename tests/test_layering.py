"""The kernels layer sits below the engine: importing a kernel module loads no engine module.

Each check runs in a fresh interpreter. The ``autograd`` package is put in
``sys.modules`` as a bare namespace (its ``__init__`` would load the whole
engine), so ``import autograd.kernels.<x>`` loads exactly what that kernel
module imports; then ``sys.modules`` must hold no engine module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ENGINE = (
    "autograd.tensor", "autograd.function", "autograd.engine", "autograd.backend", "autograd.generic",
    "autograd.value", "autograd.anomaly", "autograd.ops", "autograd.creation", "autograd.serialization",
)

SCRIPT = r"""
import json, os, sys, types
root = sys.argv[1]
pkg = types.ModuleType("autograd")
pkg.__path__ = [os.path.join(root, "autograd")]
sys.modules["autograd"] = pkg
import importlib
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("autograd"))))
"""


def loaded_by(*modules: str) -> list:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, ROOT, *modules], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def engine_modules(names: list) -> list:
    return [m for m in names if m in ENGINE or any(m.startswith(e + ".") for e in ENGINE)]


@pytest.mark.numpy_only
def test_reference_kernels_import_no_engine_module():
    names = loaded_by("autograd.kernels.reference")
    assert "autograd.kernels.reference" in names
    assert engine_modules(names) == []


@pytest.mark.numpy_only
def test_numba_kernels_import_no_engine_module():
    pytest.importorskip("numba")
    names = loaded_by("autograd.kernels.numba_backend")
    assert "autograd.kernels.numba_backend" in names
    assert engine_modules(names) == []


@pytest.mark.numpy_only
def test_the_check_sees_an_engine_import():
    # the same probe on an engine module does report the engine: the test above can fail
    names = loaded_by("autograd.backend")
    assert "autograd.backend" in engine_modules(names)


@pytest.mark.numpy_only
def test_kernel_helpers_still_run_on_tensors_for_create_graph():
    import numpy as np

    from autograd import Tensor

    x = Tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True)
    y = x.elu(alpha=1.0)
    (g,) = __import__("autograd").gradients(y.sum(), x, create_graph=True)
    (h,) = __import__("autograd").gradients(g.sum(), x)
    np.testing.assert_allclose(h.data, [np.exp(-1.0), 0.0, 0.0])
