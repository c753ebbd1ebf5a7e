"""The research notebook runs top to bottom (its code cells executed in order, without Jupyter)."""

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "retrain_and_evaluate.ipynb"


@pytest.mark.slow
@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebooks/ is not part of an installed package")
def test_notebook_runs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{NOTEBOOK.name}", "exec"), namespace)
    assert namespace["metrics"]["micro_f1"] > 0.6
    assert len(namespace["analysis"].themes) == 11
