import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsthemes import insights
from npsthemes.stats import nps


def _frame(scores, themes_per_row, dates=None):
    """responses + mentions from scores and per-row lists of (theme, polarity)."""
    resp = pd.DataFrame({"score": scores, "comment": ["x" if t else "" for t in themes_per_row]})
    resp["n_themes"] = [len(t) for t in themes_per_row]
    resp["themes"] = [";".join(f"{a}:{b}" for a, b in t) for t in themes_per_row]
    if dates is not None:
        resp["date"] = pd.to_datetime(dates)
    rows = [(i, th, pol, 0.9, 0.9) for i, t in enumerate(themes_per_row) for th, pol in t]
    men = pd.DataFrame(rows, columns=["response", "theme", "polarity", "probability", "polarity_probability"])
    return resp, men


def test_impact_matches_closed_form():
    scores = [10, 10, 9, 8, 7, 3, 2, 0, 10, 6]
    themes = [
        [("price", "positive")],
        [],
        [],
        [("price", "negative")],
        [],
        [("price", "negative")],
        [("price", "negative")],
        [],
        [],
        [],
    ]
    resp, men = _frame(scores, themes)
    row = insights.theme_table(resp, men, ["price"], n_boot=500).iloc[0]
    N, k = len(scores), 4
    S = nps(scores)["nps"]
    T = nps([10, 8, 3, 2])["nps"]
    assert row["impact"] == pytest.approx(k * (T - S) / (N - k))
    assert row["impact"] == pytest.approx(S - nps([10, 9, 7, 0, 10, 6])["nps"])
    # points at stake: NPS without the critics minus NPS of all
    assert row["points_at_stake"] == pytest.approx(nps([10, 10, 9, 7, 0, 10, 6])["nps"] - S)
    assert row["impact_positive"] == pytest.approx(S - nps(scores[1:])["nps"])
    assert row["impact_ci_low"] <= row["impact"] <= row["impact_ci_high"]
    assert (row["mentions"], row["positive"], row["negative"]) == (4, 1, 3)


def test_bootstrap_is_seeded_and_reproducible():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 11, 300)
    themes = [
        [("a", "negative")] if s < 5 and rng.random() < 0.5 else [("a", "positive")] if rng.random() < 0.3 else []
        for s in scores
    ]
    resp, men = _frame(scores, themes)
    a = insights.theme_table(resp, men, ["a"], seed=3)
    b = insights.theme_table(resp, men, ["a"], seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_status_rule():
    # "good" praised by promoters, "bad" criticised by detractors, "mixed" both, "rare" too few
    scores, themes = [], []
    for _ in range(40):
        scores.append(10)
        themes.append([("good", "positive"), ("mixed", "positive")])
    for _ in range(40):
        scores.append(1)
        themes.append([("bad", "negative"), ("mixed", "negative")])
    for _ in range(40):
        scores.append(8)
        themes.append([])
    scores += [9, 2]
    themes += [[("rare", "positive")], [("rare", "negative")]]
    resp, men = _frame(scores, themes)
    t = insights.theme_table(resp, men, ["good", "bad", "mixed", "rare", "unused"], n_boot=500).set_index("theme")
    assert t.loc["good", "status"] == "strength"
    assert t.loc["bad", "status"] == "development_area"
    assert t.loc["mixed", "status"] == "both"
    assert t.loc["rare", "status"] == "too_few_mentions"
    assert t.loc["unused", "status"] == "not_mentioned"
    strengths, dev = insights.rank_themes(t.reset_index())
    # each theme in one list only: "mixed" costs as much as it adds, so it is a development area
    assert t.loc["mixed", "points_at_stake"] >= t.loc["mixed", "impact_positive"]
    assert strengths == ["good"] and dev == ["bad", "mixed"]
    # a "both" theme whose praise adds more than its criticism costs is a strength
    leaning = t.reset_index()
    leaning.loc[leaning["theme"] == "mixed", "impact_positive"] = leaning["points_at_stake"].max() + 1
    strengths, dev = insights.rank_themes(leaning)
    assert strengths == ["mixed", "good"] and dev == ["bad"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.sets(st.sampled_from(["a", "b", "c"])), st.integers(0, 2)),
        min_size=2,
        max_size=80,
    )
)
def test_property_score_change_adds_up(rows):
    scores = [r[0] for r in rows]
    themes = [[(t, "positive") for t in sorted(r[1])] for r in rows]
    dates = [f"2026-0{r[2] + 1}-15" for r in rows]
    resp, men = _frame(scores, themes, dates)
    ch = insights.score_change_by_theme(resp, men, "month")
    for period, g in ch.groupby("period"):
        sel = resp["date"].dt.strftime("%Y-%m") == period
        assert g["contribution"].sum() == pytest.approx(nps(resp.loc[sel, "score"])["nps"])
    totals = ch.groupby("period")["contribution"].sum().sort_index()
    changes = ch.groupby("period")["change"].sum(min_count=1).sort_index()
    for i in range(1, len(totals)):
        assert changes.iloc[i] == pytest.approx(totals.iloc[i] - totals.iloc[i - 1])


def test_mask_personal_data():
    text = "Soittakaa 040 123 4567 tai +46 70-123 45 67, mail anna.k@firma.fi, tili FI21 1234 5600 0007 85, 010190-123M"
    masked = insights.mask_personal_data(text)
    assert "4567" not in masked and "anna.k" not in masked and "FI21" not in masked and "010190" not in masked
    assert masked.count("[phone]") == 2 and "[email]" in masked and "[iban]" in masked and "[fi-id]" in masked
    # a Finnish identity code with a wrong check character is an ordinary number (npsthemes.privacy's rule)
    assert insights.mask_personal_data("010190-123A") == "010190-123A"
    assert insights.mask_personal_data("paid 3 invoices in 2026") == "paid 3 invoices in 2026"


def test_quotes_are_short_distinct_and_masked():
    comments = [
        "The portal is slow and crashes",
        "The portal is slow and crashes!!",
        "Login never works, call 0401234567",
        "x" * 400 + " portal",
    ]
    resp = pd.DataFrame({"score": [2, 3, 1, 4], "comment": comments, "date": pd.to_datetime(["2026-01-01"] * 4)})
    men = pd.DataFrame(
        {
            "response": [0, 1, 2, 3],
            "theme": "web_interface",
            "polarity": "negative",
            "probability": [0.9, 0.89, 0.8, 0.95],
            "polarity_probability": 0.9,
        }
    )
    q = insights.representative_quotes(resp, men, "web_interface", "negative", k=3)
    texts = [x["text"] for x in q]
    assert len([t for t in texts if t.startswith("The portal is slow")]) == 1
    assert any("[phone]" in t for t in texts)
    assert all(len(t) <= 220 for t in texts)
    assert q[0]["score"] in (2, 3) and q[0]["date"] == "2026-01-01"


def test_disagreements_and_coverage_and_untagged_words():
    resp, men = _frame(
        [10, 0, 10, 5, 8],
        [[("a", "negative")], [("a", "positive")], [("a", "positive")], [], [("b", "negative"), ("c", "positive")]],
    )
    resp.loc[3, "comment"] = "Laskutus kummallinen laskutus"
    d = insights.score_text_disagreements(resp, men)
    assert sorted(d["response"]) == [0, 1]
    cov = insights.coverage(resp)
    assert cov["commenting"] == 5 and cov["tagged"] == 4 and cov["coverage"] == pytest.approx(0.8)
    words = insights.untagged_words(resp, frozenset(), min_responses=1)
    # counted once per response, only in commented responses without a theme
    assert dict(zip(words["word"], words["responses"])) == {"laskutus": 1, "kummallinen": 1}
    # ties in the order of first appearance, the same in every run (not by string hashes)
    assert words["word"].tolist() == ["laskutus", "kummallinen"]


def test_follow_up_list_orders_routes_and_keeps_every_detractor():
    scores = [3, 0, 6, 9, 6, 7, 0]
    themes = [
        [("price", "negative"), ("speed", "negative")],
        [],
        [("speed", "positive")],
        [("price", "negative")],
        [("speed", "negative")],
        [("price", "negative")],
        [("price", "negative")],
    ]
    dates = ["2026-01-05", "2026-01-01", "2026-01-03", "2026-01-02", "2026-01-09", "2026-01-04", "2026-01-07"]
    resp, men = _frame(scores, themes, dates)
    resp.insert(0, "id", [f"R{i}" for i in range(len(scores))])
    men["evidence"] = "sanat"
    table = pd.DataFrame({"theme": ["price", "speed"], "points_at_stake": [2.0, 5.0]})
    out = insights.follow_up_list(resp, men, table)
    # detractors only (0-6), lowest score first, then the most recent; passives and promoters are not listed
    assert out["id"].tolist() == ["R6", "R1", "R0", "R4", "R2"]
    assert out["priority"].tolist() == [1, 2, 3, 4, 5]
    row = out.set_index("id")
    assert row.loc["R0", "criticised"] == "price;speed"
    assert row.loc["R0", "route_to"] == "speed"  # the criticised theme with more points at stake
    assert row.loc["R0", "evidence"] == "price: sanat | speed: sanat"
    assert row.loc["R1", "criticised"] == "" and row.loc["R1", "route_to"] == ""  # no theme: still listed
    assert row.loc["R2", "praised"] == "speed" and row.loc["R2", "route_to"] == ""
    assert {"themes", "n_themes"}.isdisjoint(out.columns) and {"date", "comment", "score"} <= set(out.columns)
    assert insights.follow_up_list(resp, men, table, max_score=0)["id"].tolist() == ["R6", "R1"]


def test_follow_up_list_without_dates_or_mentions():
    resp, men = _frame([5, 1, 10], [[], [], []])
    out = insights.follow_up_list(resp, men.iloc[0:0], pd.DataFrame(columns=["theme", "points_at_stake"]))
    assert out["score"].tolist() == [1, 5] and out["criticised"].tolist() == ["", ""]


def test_untagged_words_leave_out_names_and_rare_words():
    """Names of people and streets (capitalised inside sentences) and words of fewer than three responses stay out
    of the report's word list; personal data is masked before counting."""
    comments = [
        "Soitin ja Mikko vastasi heti, laskutus sekava",
        "laskutus sekava, Mikko auttoi",
        "Asun Mannerheimintie 5, laskutus sekava",
        "laskutus outo mail matti@firma.fi",
        "Laskutus taas, Mikko ei vastannut",
        "kummallinen",
    ]
    resp = pd.DataFrame({"score": [5] * 6, "comment": comments, "n_themes": [0] * 6})
    words = dict(zip(*insights.untagged_words(resp, frozenset()).to_dict(orient="list").values()))
    assert words == {"laskutus": 5, "sekava": 3}
    assert "mikko" not in words and "mannerheimintie" not in words and "matti" not in words
