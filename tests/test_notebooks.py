"""The notebooks run top to bottom (their code cells executed in order, without Jupyter) in their fast
configuration (NPSTHEMES_NOTEBOOK_FAST=1), and do what their text says. Marked ``notebooks``: the plain `pytest`
leaves them out to stay short; `pytest -m notebooks` runs them, and .ci/run does so after the plain run."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NHS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nhs_fft"

pytestmark = [
    pytest.mark.notebooks,
    pytest.mark.skipif(not NOTEBOOKS.exists(), reason="notebooks/ is not part of an installed package"),
]


def run_notebook(name: str, monkeypatch) -> dict:
    """Execute a notebook's code cells in order, from the repository root, in one namespace (returned)."""
    monkeypatch.setenv("NPSTHEMES_NOTEBOOK_FAST", "1")
    monkeypatch.chdir(NOTEBOOKS.parent)
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "outputs must be stripped"
    ns: dict = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            try:
                exec(compile("".join(cell["source"]), name, "exec"), ns)
            except Exception as e:
                if type(e).__name__ == "StopNotebook":
                    pytest.skip(f"{name} stopped: {e}")
                raise
    return ns


def test_quickstart(monkeypatch):
    ns = run_notebook("01_quickstart.ipynb", monkeypatch)
    a = ns["analysis"]
    assert a.overall["n"] == ns["survey"].report.rows_read - ns["survey"].report.rows_rejected
    assert len(a.themes) == 11 and set(a.segments["column"]) == {"channel", "agent"}
    assert len(a.trend) >= 2 and ns["worst"] in a.taxonomy.ids
    assert sorted(p.name for p in ns["out"].iterdir()) == sorted(
        ["report.html", "report.xlsx", "responses.csv", "followup.csv", "summary.json"]
        + (["rejects.csv"] if ns["survey"].report.rows_rejected else [])
    )


@pytest.mark.skipif(not (NHS / "v6framework_230831.csv").exists(), reason=f"the NHS comments are not at {NHS}")
def test_adapt_to_your_domain(monkeypatch):
    ns = run_notebook("02_adapt_to_your_domain.ipynb", monkeypatch)
    pool, test = ns["pool"], ns["test"]
    assert not set(pool["id"]) & set(test["id"]) and len(pool) + len(test) == len(ns["export"])
    # discovery proposes candidates from the pool, with intervals
    cands = ns["candidates"]
    assert len(cands) >= 3 and (cands["nps_low"] <= cands["nps"]).all()
    phrases = {p for ps in cands["key_phrases"] for p in ps}
    assert phrases & {"food", "transport", "patient transport", "taxi", "ambulance", "driver"}, phrases
    # the rules-only model finds the new themes before any label
    assert ns["m_rules"]["per_theme"]["transport"]["f1"] > 0.3 and ns["m_rules"]["per_theme"]["food"]["f1"] > 0.3
    # suggestions were labelled from the pool only, without repeats
    labelled = ns["labelled"]
    assert labelled["id"].isin(pool["id"]).all() and not labelled["id"].duplicated().any()
    assert len(labelled) == 2 * ns["BATCH"]
    # the comparison on the test half: measured with a paired interval (in the fast run +0.05, +0.04 to +0.06)
    d = ns["cmp"]["micro_f1"]
    assert ns["cmp"]["n"] == len(test) and d["low"] <= d["difference"] <= d["high"]
    assert d["low"] > 0, d
    curve = ns["curve"]
    assert curve["n_labels"].tolist() == list(ns["sizes"]) and (curve["low"] <= curve["high"]).all()
    # the saved model analyses a survey, in the API and from the command line
    assert "transport" in ns["analysis"].themes["theme"].tolist()
    assert ns["run"].returncode == 0, ns["run"].stderr
    assert (ns["work"] / "report" / "report.html").exists()
    summary = json.loads((ns["work"] / "report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["model"]["name"] == "nhs-adapted"


def test_error_analysis(monkeypatch):
    ns = run_notebook("03_error_analysis.ipynb", monkeypatch)
    assert ns["metrics"]["n"] == len(ns["test"]) and 0.5 < ns["metrics"]["micro_f1"] <= 1
    assert not set(ns["train"]["id"]) & set(ns["test"]["id"])
    assert ns["weakest"] == ns["per_theme"]["f1"].idxmin() and len(ns["rows"]) == len(ns["sample"])
    table = ns["table"]
    assert isinstance(table, pd.DataFrame) and table.to_numpy().sum() > 0
    issues = ns["issues"]
    assert len(ns["data"]) == 600 and issues["id"].isin(ns["data"]["id"]).all()
    assert (issues["confidence"] >= 0.7).all()


def test_retrain_and_evaluate_runs_and_does_what_it_says(monkeypatch):
    ns = run_notebook("04_retrain_and_evaluate.ipynb", monkeypatch)
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
