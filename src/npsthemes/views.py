"""Views: pure functions that shape an analysis's tables for the report (tested on DataFrames, no HTML).

Each takes DataFrames (and a ``label`` function: theme id -> display label) and returns plain data that the
HTML template or the workbook lays out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "focus_themes",
    "theme_segment_views",
    "last_period_change",
    "follow_up_routes",
    "channel_counts",
    "excel_summary",
]

Label = Callable[[str], str]


def focus_themes(development_areas: pd.DataFrame, themes: pd.DataFrame, n: int = 5) -> list[str]:
    """The themes the segment heatmap shows: the development areas, else the ``n`` most criticised themes."""
    ids = development_areas["theme"].tolist() if len(development_areas) else []
    if ids:
        return ids
    if not len(themes):
        return []
    return themes.sort_values("negative", ascending=False)["theme"].head(n).tolist()


def theme_segment_views(theme_segments: pd.DataFrame, focus: list[str], label: Label) -> list[dict[str, Any]]:
    """One heatmap per grouping column: rows are segments (with n, NPS, small-sample flag), cells the share of
    the segment's respondents criticising each focus theme."""
    views: list[dict[str, Any]] = []
    if not len(theme_segments) or not focus:
        return views
    for col, g in theme_segments.groupby("column", sort=False):
        g = g[g["theme"].isin(focus)]
        pivot = g.pivot(index="segment", columns="theme", values="negative_share")[focus]
        meta = g.drop_duplicates("segment").set_index("segment")[["n", "segment_nps", "small_sample"]]
        views.append(
            {
                "column": col,
                "themes": [(th, label(th)) for th in focus],
                "rows": [
                    {
                        "segment": s,
                        "n": int(meta.loc[s, "n"]),
                        "nps": meta.loc[s, "segment_nps"],
                        "small": bool(meta.loc[s, "small_sample"]),
                        "cells": [pivot.loc[s, th] for th in focus],
                    }
                    for s in pivot.index
                ],
            }
        )
    return views


def last_period_change(
    score_change: pd.DataFrame, label: Label, theme_ids: list[str]
) -> tuple[list[dict[str, Any]], Any, Any]:
    """The NPS change of the last period split across themes (rows sorted by change, with a ``label``), the
    last period and the one before it (None when there are no periods)."""
    if not len(score_change) or not score_change["change"].notna().any():
        return [], None, None
    periods = sorted(score_change["period"].unique())
    last = score_change[score_change["period"] == periods[-1]].copy()
    last["label"] = [label(x) if x in theme_ids else x for x in last["theme"]]
    return (
        last.sort_values("change").to_dict(orient="records"),
        periods[-1],
        periods[-2] if len(periods) > 1 else None,
    )


def follow_up_routes(follow_up: pd.DataFrame) -> list[tuple[str, int]]:
    """How many detractors to contact go to each route (theme id, '' for none), most first (ties in order of
    appearance)."""
    if not len(follow_up):
        return []
    counts = follow_up["route_to"].value_counts(sort=False).sort_values(ascending=False, kind="stable")
    return [(str(area), int(n)) for area, n in counts.items()]


def channel_counts(responses: pd.DataFrame) -> dict[Any, int]:
    """Responses per channel (empty without a channel column)."""
    return responses["channel"].value_counts().to_dict() if "channel" in responses else {}


def excel_summary(
    overall: dict[str, Any],
    rows_read: int,
    rows_rejected: int,
    coverage: float,
    strengths: list[str],
    development: list[str],
    n_follow_up: int,
    model: str,
    source: Any,
) -> pd.DataFrame:
    """The workbook's Summary sheet: metric and value."""
    o = overall
    return pd.DataFrame(
        [
            ("NPS", o["nps"]),
            ("95 % CI low", o["ci_low"]),
            ("95 % CI high", o["ci_high"]),
            ("responses (n)", o["n"]),
            ("promoters", o["promoters"]),
            ("passives", o["passives"]),
            ("detractors", o["detractors"]),
            ("rows read", rows_read),
            ("rows rejected", rows_rejected),
            ("coverage (share of comments with a theme)", coverage),
            ("strengths", ", ".join(strengths)),
            ("development areas", ", ".join(development)),
            ("detractors to follow up (sheet FollowUp, followup.csv)", n_follow_up),
            ("model", model),
            ("source", source),
        ],
        columns=["metric", "value"],
    )
