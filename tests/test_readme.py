"""The README's two commands are the ones users and CI run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


@pytest.mark.numpy_only
def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = _commands()
    assert len(commands) >= 2, "the README must show the demo and the test command"
    test_command = commands[1]
    assert "pytest" in test_command
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


@pytest.mark.numpy_only
def test_demo_command_names_the_console_script() -> None:
    demo = _commands()[0]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    script = demo.split("&&")[-1].strip()
    assert f'{script} = "nn.demo:main"' in pyproject


@pytest.mark.numpy_only
def test_readme_speed_numbers_come_from_the_bench_run() -> None:
    """Every table row and the run line under "## Speed" are copied from bench/results.md, none typed by hand."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    speed = readme[readme.index("\n## Speed"):readme.index("### Backends and threads")]
    results = (ROOT / "bench" / "results.md").read_text(encoding="utf-8").splitlines()
    rows = [line for line in speed.splitlines() if line.startswith("|") or line.startswith("Run 20")]
    assert len(rows) > 10, "the Speed section should show the scalar and training tables"
    missing = [line for line in rows if line not in results]
    assert not missing, f"README speed lines not in bench/results.md: {missing}"
