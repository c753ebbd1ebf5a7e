"""The report's views are pure functions over DataFrames (npsthemes.views), and summary.json follows its one
schema constant, which the README documents."""

import re
from pathlib import Path

import pandas as pd

from npsthemes import views
from npsthemes.summary import SUMMARY_SCHEMA, THEME_SCHEMA


def _label(theme):
    return theme.upper()


def test_focus_themes_are_the_development_areas_else_the_most_criticised():
    themes = pd.DataFrame({"theme": ["a", "b", "c"], "negative": [1, 5, 3]})
    assert views.focus_themes(pd.DataFrame({"theme": ["c"]}), themes) == ["c"]
    assert views.focus_themes(pd.DataFrame({"theme": []}), themes, n=2) == ["b", "c"]
    assert views.focus_themes(pd.DataFrame({"theme": []}), themes.iloc[:0]) == []


def test_theme_segment_views_pivot_each_column():
    ts = pd.DataFrame(
        {
            "column": ["channel"] * 4 + ["agent"] * 2,
            "segment": ["phone", "phone", "web", "web", "Anna", "Anna"],
            "theme": ["a", "b", "a", "b", "a", "b"],
            "negative": [4, 8, 3, 4, 15, 18],
            "commenting": [40, 40, 10, 10, 30, 30],
            "n": [40, 40, 12, 12, 30, 30],
            "segment_nps": [10.0, 10.0, -5.0, -5.0, 0.0, 0.0],
            "small_sample": [False, False, True, True, False, False],
        }
    )
    out = views.theme_segment_views(ts, ["b", "a"], _label)
    assert [v["column"] for v in out] == ["channel", "agent"]
    phone = out[0]["rows"][0]
    assert out[0]["themes"] == [("b", "B"), ("a", "A")]
    assert {k: phone[k] for k in ("segment", "n", "commenting", "nps", "small")} == {
        "segment": "phone",
        "n": 40,
        "commenting": 40,
        "nps": 10.0,
        "small": False,
    }
    b, a = phone["cells"]
    assert (b["k"], b["c"], b["share"], a["share"]) == (8, 40, 0.2, 0.1)
    assert b["lo"] < b["share"] < b["hi"]  # every cell a reader compares carries its interval
    assert out[0]["rows"][1]["small"] is True
    assert views.theme_segment_views(ts.iloc[:0], ["a"], _label) == []


def test_segment_driver_views_intervals_small_samples_and_the_largest_segments():
    rows = []
    for seg, c, k in (("big", 200, 40), ("mid", 60, 3), ("tiny", 12, 6)):
        rows.append({"column": "channel", "segment": seg, "theme": "a", "n": c, "commenting": c, "negative": k})
    out = views.segment_driver_views(pd.DataFrame(rows), ["a"], _label, min_n=30, max_segments=2)
    (view,) = out
    assert view["hidden"] == 1  # "tiny" left out, and said so
    (panel,) = view["panels"]
    assert panel["label"] == "A" and abs(panel["overall"] - 49 / 272) < 1e-12
    assert [c["segment"] for c in panel["cells"]] == ["big", "mid"]
    for c in panel["cells"]:
        assert c["lo"] <= c["share"] <= c["hi"]
    out = views.segment_driver_views(pd.DataFrame(rows), ["a"], _label, min_n=30)
    assert [c["small"] for c in out[0]["panels"][0]["cells"]] == [False, False, True]


def test_clean_evidence_reads_as_phrases():
    assert views.clean_evidence("started .; employees") == ["started", "employees"]
    assert views.clean_evidence("hörde av sig , tack ; ; queue; queue") == ["hörde av sig, tack", "queue"]
    assert views.clean_evidence(None) == [] and views.clean_evidence("") == []


def test_theme_cards_show_each_theme_once_and_each_quote_once():
    def q(text):
        return {"text": text, "score": 5, "date": None}

    quotes = {
        "a": {"negative": [q("slow"), q("Same  text")], "positive": [q("great")]},
        "b": {"negative": [q("same text"), q("rude")], "positive": [q("great")]},
    }
    dev = pd.DataFrame({"theme": ["a"]})
    strengths = pd.DataFrame({"theme": ["b"]})
    dev_cards, str_cards = views.theme_cards(strengths, dev, quotes)
    assert [c["theme"] for c in dev_cards + str_cards] == ["a", "b"]
    shown = [x["text"].lower().split() for c in dev_cards + str_cards for x in c["quotes_neg"] + c["quotes_pos"]]
    assert len(shown) == len({tuple(x) for x in shown}) == 4  # "same text" and "great" once each
    assert [x["text"] for x in str_cards[0]["quotes_neg"]] == ["rude"]


def test_theme_trend_views_flag_partial_and_small_periods():
    tt = pd.DataFrame(
        {
            "period": ["2026-01", "2026-02", "2026-01", "2026-02"],
            "theme": ["a", "a", "b", "b"],
            "positive_share": [0.1, 0.2, 0.0, 0.0],
            "negative_share": [0.3, 0.1, 0.0, 0.0],
            "theme_nps": [-20.0, 10.0, float("nan"), float("nan")],
            "theme_nps_ci_low": [-50.0, -5.0, float("nan"), float("nan")],
            "theme_nps_ci_high": [10.0, 25.0, float("nan"), float("nan")],
            "mentions": [12, 40, 0, 0],
        }
    )
    out = views.theme_trend_views(tt, ["b", "a"], _label, partial={"2026-01"}, min_n=30)
    assert [v["theme"] for v in out] == ["a"]  # a theme nobody mentioned has no panel
    p1, p2 = out[0]["points"]
    assert (p1["partial"], p1["small"], p2["partial"], p2["small"]) == (True, True, False, False)


def test_drilldown_masks_caps_and_puts_criticism_first():
    resp = pd.DataFrame(
        {
            "score": [2, 9, 3],
            "category": ["detractor", "promoter", "detractor"],
            "comment": ["call me at anna@example.com, slow", "quick", "slow again"],
            "channel": ["web", None, "phone"],
        }
    )
    men = pd.DataFrame(
        {
            "response": [0, 1, 2],
            "theme": ["speed"] * 3,
            "polarity": ["negative", "positive", "negative"],
            "probability": [0.6, 0.99, 0.9],
            "evidence": ["slow .", "quick", "slow"],
        }
    )
    (d,) = views.drilldown(resp, men, ["speed", "price"], _label, ["channel"], max_rows=2)
    assert d["label"] == "SPEED" and d["total"] == 3 and len(d["rows"]) == 2
    assert [r["polarity"] for r in d["rows"]] == ["negative", "negative"]
    assert d["rows"][0]["comment"] == "slow again"
    assert "anna@example.com" not in d["rows"][1]["comment"] and d["rows"][1]["evidence"] == ["slow"]
    assert d["rows"][0]["groups"] == ["phone"] and d["rows"][0]["date"] is None


def test_review_rows_show_labels_not_ids():
    dis = pd.DataFrame({"score": [10], "comment": ["x"], "themes": ["speed:negative;outcome:negative"], "kind": ["h"]})
    (r,) = views.review_rows(dis, _label, {"negative": "criticism"})
    assert r["themes"] == "SPEED (criticism), OUTCOME (criticism)"


def test_segment_groups_name_each_column_once():
    seg = pd.DataFrame({"column": ["c", "c", "a"], "segment": ["x", "y", "z"], "n": [5, 9, 1]})
    out = views.segment_groups(seg)
    assert [g["column"] for g in out] == ["c", "a"]
    assert [r["segment"] for r in out[0]["rows"]] == ["y", "x"]


def test_last_period_change_and_follow_up_routes():
    change = pd.DataFrame(
        {"period": ["2026-01", "2026-02", "2026-02"], "theme": ["a", "a", "(other)"], "change": [1.0, -2.0, 0.5]}
    )
    rows, last, prev = views.last_period_change(change, _label, ["a"])
    assert (last, prev) == ("2026-02", "2026-01")
    assert [(r["label"], r["change"]) for r in rows] == [("A", -2.0), ("(other)", 0.5)]
    assert views.last_period_change(change.iloc[:0], _label, ["a"]) == ([], None, None)
    follow = pd.DataFrame({"route_to": ["a", "", "b", "a", "b", "c"]})
    assert views.follow_up_routes(follow) == [("a", 2), ("b", 2), ("", 1), ("c", 1)]
    assert views.follow_up_routes(follow.iloc[:0]) == []
    assert views.channel_counts(pd.DataFrame({"x": [1]})) == {}


def test_readme_documents_every_summary_key():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("<!-- summary-schema -->") : readme.index("<!-- /summary-schema -->")]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)
    assert documented == list(SUMMARY_SCHEMA) + list(THEME_SCHEMA)


def test_driver_panel_draws_segments_without_comments():
    from npsthemes.report import segment_driver_panel
    from npsthemes.texts import TEXTS

    rows = [{"column": "c", "segment": s, "theme": "a", "n": 3, "commenting": 0, "negative": 0} for s in "xy"]
    (view,) = views.segment_driver_views(pd.DataFrame(rows), ["a"], _label)
    (panel,) = view["panels"]
    assert panel["overall"] != panel["overall"]  # nobody commented: no share (NaN)
    svg = segment_driver_panel(panel, TEXTS["en"])
    assert svg.startswith("<svg") and "circle" not in svg  # the segments are named, no dot is drawn
