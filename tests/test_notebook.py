"""The research notebook runs top to bottom (its code cells executed in order, without Jupyter), in its fast
configuration (NPSTHEMES_NOTEBOOK_FAST=1: a 300-comment training sample), and does what its text says."""

import json
from pathlib import Path

import numpy as np
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "retrain_and_evaluate.ipynb"


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebooks/ is not part of an installed package")
def test_notebook_runs_and_does_what_it_says(monkeypatch):
    monkeypatch.setenv("NPSTHEMES_NOTEBOOK_FAST", "1")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    ns: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{NOTEBOOK.name}", "exec"), ns)
    assert ns["FAST"] and len(ns["train"]) == 300
    # the stages' nested parameters, as the notebook shows them
    assert ns["params"]["theme_detector__C"] == 8.0 and ns["params"]["vectorizer__char__ngram_range"] == (2, 5)
    # evaluated on the held-out split, which training never saw
    metrics = ns["metrics"]
    assert metrics["n"] == len(ns["test"]) and 0.4 < metrics["micro_f1"] <= 1
    shared = set(ns["train"].data["text"]) & set(ns["test"].data["text"])  # only generic answers ("Good", "-")
    assert all(len(t.split()) <= 2 for t in shared), shared
    # evidence and the clause that decided each polarity come from the comment itself
    tagged = ns["tags"][0]
    comment = "todella osaava asiakasneuvoja , mutta verkkopalvelu on kankea ."
    assert tagged["language"] == "fi" and tagged["themes"]
    for t in tagged["themes"]:
        assert t["clause"] and t["clause"] in comment and all(e in comment for e in t["evidence"])
    # cross-validation and grid search on the training split
    assert len(ns["cv"]["test_score"]) == 3 and np.all((ns["cv"]["test_score"] > 0) & (ns["cv"]["test_score"] <= 1))
    assert len(ns["char_cv"]["test_score"]) == 3
    assert [n for n, _ in ns["char_only"].vectorizer.blocks] == ["char"]
    assert ns["grid"].best_params_["theme_detector__C"] in (2.0, 8.0)
    # the saved model directory carries the held-out metrics and analyses the sample survey
    assert ns["saved_f1"] == ns["model"].metrics["heldout"]["micro_f1"]
    assert len(ns["analysis"].themes) == 11
