import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsthemes import DataError, categorize, compare_nps, nps, nps_by, nps_from_counts


def test_figure_from_the_documents():
    """Seed 000: 44 answers, 86.4 % / 6.8 % / 6.8 %, NPS shown as 80."""
    scores = [10] * 20 + [9] * 18 + [8, 7, 7] + [6, 3, 0]
    r = nps(scores)
    assert (r["n"], r["promoters"], r["passives"], r["detractors"]) == (44, 38, 3, 3)
    assert round(100 * r["promoter_share"], 1) == 86.4
    assert round(100 * r["passive_share"], 1) == 6.8
    assert round(100 * r["detractor_share"], 1) == 6.8
    assert r["nps"] == pytest.approx(79.545, abs=1e-3)
    assert round(r["nps"]) == 80
    # domain guide: about +-16 points at n=44
    assert (r["ci_high"] - r["ci_low"]) / 2 == pytest.approx(16.2, abs=0.1)
    assert round(r["ci_low"], 1) == 63.4 and round(r["ci_high"], 1) == 95.7


def test_categories_boundaries():
    assert categorize(range(11)).tolist() == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    with pytest.raises(DataError):
        categorize([11])


def test_worst_case_half_width_is_about_320_over_sqrt_n():
    n = 400
    r = nps([10] * 200 + [0] * 200)
    assert r["nps"] == 0
    assert (r["ci_high"] - r["ci_low"]) / 2 == pytest.approx(1.96 * 100 / math.sqrt(n), rel=1e-3)


def test_adjusted_and_bootstrap_intervals_behave_at_extremes():
    wald = nps([10] * 5)
    assert wald["ci_low"] == wald["ci_high"] == 100  # degenerate
    adj = nps([10] * 5, method="adjusted")
    assert adj["ci_low"] < 60 and adj["ci_high"] <= 100
    boot = nps([10] * 20 + [0] * 5 + [8] * 5, method="bootstrap")
    assert boot["ci_low"] < boot["nps"] < boot["ci_high"]
    with pytest.raises(DataError, match="unknown interval method"):
        nps([10], method="magic")


def test_compare_nps_z_test():
    a = nps([10] * 60 + [0] * 40)
    b = nps([10] * 80 + [0] * 20)
    cmp = compare_nps(a, b)
    se = math.sqrt(a["se"] ** 2 + b["se"] ** 2)
    assert cmp["difference"] == pytest.approx(40)
    assert cmp["z"] == pytest.approx(40 / se)
    assert cmp["significant"] and cmp["p_value"] < 0.01
    same = compare_nps(a, a)
    assert same["z"] == 0 and same["p_value"] == 1 and not same["significant"]


def test_nps_by_groups_and_periods():
    df = pd.DataFrame(
        {
            "score": [10, 9, 0, 8, 10, 3, 9, 9],
            "channel": ["phone", "phone", "chat", "chat", "web", None, "web", "web"],
            "date": pd.to_datetime(
                ["2026-01-03", "2026-01-20", "2026-02-01", "2026-02-11", "2026-02-28", "2026-03-01", "2026-03-05", None]
            ),
        }
    )
    g = nps_by(df, "channel")
    assert g["channel"].tolist() == ["(missing)", "chat", "phone", "web"]
    assert g["n"].sum() == len(df)
    assert g.set_index("channel").loc["phone", "nps"] == 100
    assert g["small_sample"].all()
    m = nps_by(df, period="month")
    assert m["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert m["n"].tolist() == [2, 3, 2]  # the row without a date is left out
    assert math.isnan(m["change"].iloc[0])
    assert m["change"].iloc[1] == pytest.approx(m["nps"].iloc[1] - m["nps"].iloc[0])
    q = nps_by(df, "channel", period="quarter")
    assert set(q["quarter"]) == {"2026Q1"}
    w = nps_by(df, period="week")
    assert w["week"].iloc[0] == "2026-W01"
    with pytest.raises(DataError):
        nps_by(df)


scores_st = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300)


@settings(max_examples=200, deadline=None)
@given(scores_st, st.sampled_from(["wald", "bootstrap"]))
def test_property_nps_bounds_counts_interval(scores, method):
    r = nps(scores, method=method, n_boot=200)
    assert -100 <= r["nps"] <= 100
    assert r["promoters"] + r["passives"] + r["detractors"] == r["n"] == len(scores)
    assert r["promoter_share"] + r["passive_share"] + r["detractor_share"] == pytest.approx(1)
    assert r["ci_low"] - 1e-9 <= r["nps"] <= r["ci_high"] + 1e-9
    assert -100 <= r["ci_low"] <= r["ci_high"] <= 100


@settings(max_examples=100, deadline=None)
@given(scores_st)
def test_property_adjusted_interval_is_bounded_and_nonempty(scores):
    r = nps(scores, method="adjusted")
    assert -100 <= r["ci_low"] < r["ci_high"] <= 100


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.sampled_from(["a", "b", "c", None])), min_size=1, max_size=200))
def test_property_groups_recombine_to_overall(rows):
    df = pd.DataFrame(rows, columns=["score", "group"])
    overall = nps(df)
    g = nps_by(df, "group")
    for key in ("n", "promoters", "passives", "detractors"):
        assert g[key].sum() == overall[key]
    weighted = float((g["nps"] * g["n"]).sum() / g["n"].sum())
    assert weighted == pytest.approx(overall["nps"])


def test_nps_from_counts_vectorised_matches_scalar():
    v = nps_from_counts(np.array([38, 5]), np.array([3, 5]), np.array([3, 5]))
    s = nps_from_counts(5, 5, 5)
    assert v["nps"][1] == pytest.approx(s["nps"]) and v["ci_low"][1] == pytest.approx(s["ci_low"])
