"""Every Python snippet in the README runs as written, each in a fresh interpreter, in an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = re.findall(r"```python\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_snippets():
    assert len(SNIPPETS) >= 5


@pytest.mark.numpy_only
@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_readme_snippet_runs_in_a_fresh_interpreter(index, tmp_path):
    code = SNIPPETS[index]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="Agg", GRADWORK_BACKEND="numpy")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"README snippet {index} failed:\n{code}\n--- stderr ---\n{proc.stderr[-3000:]}"
