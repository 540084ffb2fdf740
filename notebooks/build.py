"""Write the teaching notebooks (``notebooks/*.ipynb``) from their sources (``notebooks/src/*.py``).

Each source is a Python file split into cells by marker lines::

    # %% [markdown]
    # # A heading
    # Some text (every line starts with "# ").

    # %%
    print("a code cell")

The sources are what we edit and review (they are plain Python that ruff
checks); the notebooks are generated from them and then run top to bottom, so
that a reader browsing the repository sees every plot and printed number. The
runs use fixed seeds, the numpy reference backend and small figures, and each
notebook's cells (ids and sources) depend on its source alone.

    python notebooks/build.py                 # rebuild and run every notebook that changed
    python notebooks/build.py 12_convolution  # only the notebooks whose names contain this
    python notebooks/build.py --all           # rebuild and run every notebook
    python notebooks/build.py --check         # exit 1 if a notebook's cells differ from its source
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
CODE, MARKDOWN = "# %%", "# %% [markdown]"


def parse(text: str) -> list[tuple[str, str]]:
    """Split a source into ``(kind, text)`` cells, kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped == MARKDOWN:
            cells.append(("markdown", []))
        elif stripped == CODE:
            cells.append(("code", []))
        elif cells:
            cells[-1][1].append(line)
        elif stripped:
            raise ValueError(f"build: text before the first cell marker: {line!r}; start the file with '# %%'")
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            body = []
            for line in lines:
                if line.startswith("# "):
                    body.append(line[2:])
                elif line.rstrip() in ("#", ""):
                    body.append("")
                else:
                    raise ValueError(f"build: a markdown cell line must start with '# ', got {line!r}")
            lines = body
        while lines and not lines[0].strip():
            lines = lines[1:]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        if lines:
            out.append((kind, "\n".join(lines)))
    return out


def notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook for one source file, with stable cell ids and no outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, text) in enumerate(parse(source.read_text(encoding="utf-8"))):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(text)
        cell.id = f"cell-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(source: Path) -> str:
    return nbformat.writes(notebook(source)) + "\n"


def targets() -> list[tuple[Path, Path]]:
    """(source, notebook) pairs, in teaching order."""
    return [(src, HERE / f"{src.stem}.ipynb") for src in sorted(SOURCES.glob("[0-9][0-9]_*.py"))]


def cells_of(nb: nbformat.NotebookNode) -> list[tuple[str, str, str]]:
    """What a notebook's source decides: (id, kind, text) of every cell."""
    return [(c.get("id", ""), c.cell_type, c.source) for c in nb.cells]


def is_current(src: Path, dst: Path) -> bool:
    """True when ``dst`` exists and holds exactly the cells of ``src`` (outputs aside)."""
    if not dst.exists():
        return False
    try:
        return cells_of(nbformat.read(dst, as_version=4)) == cells_of(notebook(src))
    except Exception:  # an unreadable notebook is stale
        return False


SETUP = (
    "import matplotlib\n"
    "matplotlib.rcParams.update({'figure.dpi': 60, 'savefig.dpi': 60})\n"
)


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel (this checkout, numpy backend, one BLAS thread), outputs kept."""
    import nbclient

    env = {"PYTHONPATH": str(HERE.parent), "GRADWORK_BACKEND": "numpy", "PYTHONHASHSEED": "0",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        setup = nbformat.v4.new_code_cell(SETUP)
        setup.id = "setup"
        run = nbformat.from_dict(nb)
        run.cells.insert(0, setup)
        client = nbclient.NotebookClient(run, kernel_name="python3", timeout=timeout,
                                         resources={"metadata": {"path": str(HERE)}})
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    run.cells.pop(0)
    for i, cell in enumerate(run.cells):
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.execution_count = i + 1
            for out in cell.outputs:
                if "execution_count" in out:
                    out.execution_count = i + 1
    run.metadata = nb.metadata
    return run


def write(src: Path, dst: Path) -> None:
    nb = execute(notebook(src))
    nbformat.validate(nb)
    dst.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only notebooks whose names contain one of these")
    parser.add_argument("--check", action="store_true", help="only report notebooks whose cells differ from the source")
    parser.add_argument("--all", action="store_true", help="rebuild and run every notebook, current or not")
    args = parser.parse_args(argv)
    stale = []
    for src, dst in targets():
        if args.names and not any(n in dst.name for n in args.names):
            continue
        if not args.all and not args.names and is_current(src, dst):
            continue
        if args.check:
            if not is_current(src, dst):
                stale.append(dst.name)
            continue
        print(f"running {dst.relative_to(HERE.parent)} ...", flush=True)
        write(src, dst)
        print(f"wrote {dst.relative_to(HERE.parent)} ({dst.stat().st_size // 1024} KiB)")
    if stale:
        print("out of date (run python notebooks/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
