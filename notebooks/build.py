"""Write the teaching notebooks (``notebooks/*.ipynb``) from their sources (``notebooks/src/*.py``).

Each source is a Python file split into cells by marker lines::

    # %% [markdown]
    # # A heading
    # Some text (every line starts with "# ").

    # %%
    print("a code cell")

The sources are what we edit and review (they are plain Python that ruff
checks); the notebooks are generated from them with no outputs, and the same
source always gives the same ``.ipynb``, byte for byte.

    python notebooks/build.py            # rewrite every notebook
    python notebooks/build.py --check    # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ from their source")
    args = parser.parse_args(argv)
    stale = []
    for src, dst in targets():
        text = render(src)
        if dst.exists() and dst.read_text(encoding="utf-8") == text:
            continue
        if args.check:
            stale.append(dst.name)
        else:
            dst.write_text(text, encoding="utf-8")
            print(f"wrote {dst.relative_to(HERE.parent)}")
    if stale:
        print("out of date (run python notebooks/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
