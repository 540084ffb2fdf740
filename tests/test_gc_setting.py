"""The one process-wide setting: Python's full collections 10x rarer, only from the default, with an opt-out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.numpy_only

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _thresholds(code: str, **env: str) -> str:
    full = dict(os.environ, PYTHONPATH=_ROOT)
    full.pop("GRADWORK_KEEP_GC", None)
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_raises_only_the_full_collection_threshold():
    assert _thresholds("import gc, autograd; print(gc.get_threshold())") == "(700, 10, 100)"


def test_a_programs_own_thresholds_are_kept():
    code = "import gc; gc.set_threshold(500, 5, 7); import autograd; print(gc.get_threshold())"
    assert _thresholds(code) == "(500, 5, 7)"


def test_opt_out_keeps_pythons_defaults():
    assert _thresholds("import gc, autograd; print(gc.get_threshold())", GRADWORK_KEEP_GC="1") == "(700, 10, 10)"
