"""import autograd asks glibc to keep freed memory for reuse (autograd/malloc_setting.py), unless told not to."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                                reason="the setting is glibc's")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = "import autograd.malloc_setting as m; print(m.applied)"


def _applied(tmp_path, **env) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GRADWORK_KEEP_MALLOC"))}
    full.update(env, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", CODE], cwd=tmp_path, env=full, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_applied_at_import(tmp_path):
    assert _applied(tmp_path) == "True"


@pytest.mark.parametrize("env", [{"GRADWORK_KEEP_MALLOC": "1"}, {"MALLOC_TRIM_THRESHOLD_": "131072"},
                                 {"MALLOC_MMAP_THRESHOLD_": "131072"}])
def test_left_alone_when_asked_or_set_by_the_program(tmp_path, env):
    assert _applied(tmp_path, **env) == "False"
