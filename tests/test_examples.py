"""Every example notebook runs from top to bottom without an error.

The notebooks in ``examples/`` are stored without outputs. Each is executed here
with nbclient in a python3 kernel of *this* environment (ipykernel), so a
notebook breaks the tests the moment an API it uses changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))
KERNEL = "productops-tests"


def test_there_are_notebooks() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert names == [
        "01-flow-and-forecast.ipynb",
        "02-prioritise-and-risk.ipynb",
        "03-kpis-and-releases.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert all(cell["outputs"] == [] for cell in code)
    assert all(cell["execution_count"] is None for cell in code)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Register a kernel that runs this interpreter, found before any other."""
    pytest.importorskip("ipykernel", reason="ipykernel runs the notebooks")
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "productops tests",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    return KERNEL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path: Path, kernel_name: str, tmp_path: Path) -> None:
    nbclient = pytest.importorskip(
        "nbclient",
        reason="nbclient runs the example notebooks: pip install nbclient nbformat",
    )
    nbformat = pytest.importorskip("nbformat", reason="nbformat reads the notebooks")
    notebook = nbformat.read(path, as_version=4)
    work = tmp_path / "run"
    work.mkdir()
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=300,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    warnings = [
        (index, output.get("text", ""))
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
    ]
    assert warnings == [], f"{path.name} wrote to stderr"
    charts = [
        output
        for cell in code
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert charts, f"{path.name} shows no chart (is `%matplotlib inline` missing?)"
