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
            "negative_share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            "n": [40, 40, 12, 12, 30, 30],
            "segment_nps": [10.0, 10.0, -5.0, -5.0, 0.0, 0.0],
            "small_sample": [False, False, True, True, False, False],
        }
    )
    out = views.theme_segment_views(ts, ["b", "a"], _label)
    assert [v["column"] for v in out] == ["channel", "agent"]
    phone = out[0]["rows"][0]
    assert out[0]["themes"] == [("b", "B"), ("a", "A")]
    assert phone == {"segment": "phone", "n": 40, "nps": 10.0, "small": False, "cells": [0.2, 0.1]}
    assert out[0]["rows"][1]["small"] is True
    assert views.theme_segment_views(ts.iloc[:0], ["a"], _label) == []


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
