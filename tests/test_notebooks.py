"""The teaching notebooks: in sync with their sources, and each one runs top to bottom.

Running them needs nbclient, nbformat and ipykernel (the ``test`` extra);
without them these tests are skipped. The execution tests are ``slow``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 300  # generous for a loaded 2-core machine; the notebooks take seconds each


def _load_builder():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()
TARGETS = build.targets()
NAMES = [dst.name for _, dst in TARGETS]


@pytest.mark.numpy_only
def test_there_are_notebooks_in_teaching_order():
    assert len(TARGETS) >= 11
    numbers = [int(name[:2]) for name in NAMES]
    assert numbers == list(range(1, len(numbers) + 1)), f"notebooks must be numbered 01, 02, ... without gaps: {NAMES}"


MAX_NOTEBOOK_BYTES = 1 << 20  # outputs kept small: low-dpi figures, short prints


@pytest.mark.numpy_only
@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_built_from_its_source_and_carries_its_outputs(name):
    src, dst = next((s, d) for s, d in TARGETS if d.name == name)
    assert dst.exists(), f"{dst.name} is missing: run python notebooks/build.py"
    assert build.is_current(src, dst), f"{dst.name} is stale: run python notebooks/build.py {dst.stem}"
    nb = nbformat.read(dst, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count is not None for cell in code), f"{dst.name} was not run"
    assert any(cell.outputs for cell in code), f"{dst.name} carries no outputs"
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"], f"{dst.name} has errors"
    assert dst.stat().st_size < MAX_NOTEBOOK_BYTES, f"{dst.name} is {dst.stat().st_size} bytes: keep outputs small"


@pytest.mark.numpy_only
@pytest.mark.parametrize("name", NAMES)
def test_notebook_downloads_nothing(name):
    src = next(s for s, d in TARGETS if d.name == name)
    text = src.read_text(encoding="utf-8")
    for pattern in (r"\bfetch_\w+\(", r"urlopen|urlretrieve", r"^\s*import requests", r"\bwget\b|\bcurl\b"):
        assert not re.search(pattern, text, re.MULTILINE), f"{src.name} must not download anything ({pattern})"


@pytest.mark.numpy_only
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name, monkeypatch):
    pytest.importorskip("ipykernel")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    # the kernel is a child process: let it import the checkout, on the reference backend
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("GRADWORK_BACKEND", "numpy")
    # one BLAS thread: on a small shared machine, threaded BLAS spinning against other work is
    # many times slower than one thread for these small matrices
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError naming the cell and the traceback
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    assert not errors
