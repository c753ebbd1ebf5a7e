"""The large-input path gives the numbers of the plain one: tagging in worker processes, responses.csv written in
chunks and the workbook's long sheets written as XML leave summary.json and responses.csv byte for byte as one
process rendering everything in memory gives them, on the sample survey and on 200,000 generated responses
(slow: `pytest -m slow`)."""

import json

import numpy as np
import pandas as pd
import pytest

from npsthemes import analyze
from npsthemes.datasets import load_sample_survey


def generated(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` responses drawn from the sample survey's rows, each comment with two of its words replaced by
    other words of the sample (nearly all distinct), 30 % without a comment, dates over a year."""
    raw = load_sample_survey(as_frame=True)
    rng = np.random.default_rng(seed)
    out = raw.iloc[rng.integers(0, len(raw), rows)].reset_index(drop=True)
    words = [w for c in raw["Perustelu"].astype(str) for w in c.split()]
    texts = []
    for c in out["Perustelu"].astype(str).tolist():
        toks = c.split()
        for _ in range(2):
            if toks:
                toks[rng.integers(len(toks))] = words[rng.integers(len(words))]
        texts.append(" ".join(toks))
    out["Perustelu"] = np.where(rng.random(rows) < 0.3, "", texts)
    out["Vastaus ID"] = [f"R{k:07d}" for k in range(rows)]
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    out["Päivämäärä"] = days.strftime("%-d.%-m.%Y")
    return out


def _outputs(analysis, tmp_path, name, stream):
    if stream:
        analysis.write(tmp_path / name)
        return {f: (tmp_path / name / f).read_bytes() for f in ("summary.json", "responses.csv")}
    files, _ = analysis.render_files()
    return {f: files[f] for f in ("summary.json", "responses.csv")}


def _without_timestamps(summary: bytes) -> dict:
    data = json.loads(summary)
    data.pop("generated", None)
    return data


@pytest.mark.slow
@pytest.mark.parametrize("rows", [None, 200_000])
def test_parallel_streamed_outputs_equal_the_in_memory_ones(tmp_path, default_model, rows):
    source = load_sample_survey(as_frame=True) if rows is None else generated(rows)
    one = analyze(source, default_model, n_boot=500, n_jobs=1)
    par = analyze(source, default_model, n_boot=500, n_jobs=2)
    a = _outputs(one, tmp_path, "one", stream=False)
    b = _outputs(par, tmp_path, "par", stream=True)
    assert _without_timestamps(a["summary.json"]) == _without_timestamps(b["summary.json"])
    assert a["responses.csv"] == b["responses.csv"]
    if rows:
        assert one.load_report.rows_read == rows and len(par.mentions) > rows // 2
