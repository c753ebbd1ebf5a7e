"""Views: pure functions that shape an analysis's tables for the report (tested on DataFrames, no HTML).

Each takes DataFrames (and a ``label`` function: theme id -> display label) and returns plain data that the
HTML template or the workbook lays out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from .insights import clean_evidence

__all__ = [
    "focus_themes",
    "theme_segment_views",
    "last_period_change",
    "follow_up_routes",
    "channel_counts",
    "excel_summary",
    "drivers_table",
    "labelled_for_excel",
    "theme_cards",
    "segment_driver_views",
    "theme_trend_views",
    "drilldown",
    "clean_evidence",
    "review_rows",
    "segment_groups",
    "MAX_DRILLDOWN",
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


def theme_segment_views(
    theme_segments: pd.DataFrame, focus: list[str], label: Label, confidence: float = 0.95
) -> list[dict[str, Any]]:
    """One heatmap per grouping column: rows are segments, largest first (with n, commenting respondents, NPS
    and the small-sample flag: fewer commenting respondents than the analysis's ``min_n``), cells the share of
    the segment's commenting respondents criticising each focus theme, with count and Wilson interval."""
    views: list[dict[str, Any]] = []
    if not len(theme_segments) or not focus:
        return views
    for col, g in theme_segments.groupby("column", sort=False):
        g = g[g["theme"].isin(focus)]
        neg = g.pivot(index="segment", columns="theme", values="negative")[focus]
        meta = g.drop_duplicates("segment").set_index("segment")[["n", "commenting", "segment_nps", "small_sample"]]
        meta = meta.sort_values(["n"], ascending=False, kind="stable")
        rows = []
        for s in meta.index:
            c = int(meta.loc[s, "commenting"])
            cells = []
            for th in focus:
                k = int(neg.loc[s, th])
                share, lo, hi = _wilson(k, c, confidence)
                cells.append({"share": share, "lo": lo, "hi": hi, "k": k, "c": c})
            rows.append(
                {
                    "segment": s,
                    "n": int(meta.loc[s, "n"]),
                    "commenting": c,
                    "nps": meta.loc[s, "segment_nps"],
                    "small": bool(meta.loc[s, "small_sample"]),
                    "cells": cells,
                }
            )
        views.append({"column": col, "themes": [(th, label(th)) for th in focus], "rows": rows})
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
    verdict: list[str] | None = None,
) -> tuple[pd.DataFrame, list[str | None]]:
    """The workbook's Summary sheet: metric and value (theme labels, not ids; the verdict's sentences first),
    and each row's number format."""
    o = overall
    rows: list[tuple[str, Any, str | None]] = [
        (f"verdict {k + 1}", sentence, None) for k, sentence in enumerate(verdict or [])
    ]
    rows += [
        ("NPS", o["nps"], "0.0"),
        ("95 % CI low", o["ci_low"], "0.0"),
        ("95 % CI high", o["ci_high"], "0.0"),
        ("responses (n)", o["n"], "0"),
        ("promoters", o["promoters"], "0"),
        ("passives", o["passives"], "0"),
        ("detractors", o["detractors"], "0"),
        ("rows read", rows_read, "0"),
        ("rows rejected", rows_rejected, "0"),
        ("coverage (share of comments with a theme)", coverage, "0.0 %"),
        ("strengths", ", ".join(strengths), None),
        ("development areas", ", ".join(development), None),
        ("detractors to follow up (sheet FollowUp, followup.csv)", n_follow_up, "0"),
        ("model", model, None),
        ("source", source, None),
    ]
    table = pd.DataFrame([(m, v) for m, v, _ in rows], columns=["metric", "value"])
    return table, [f for _, _, f in rows]


def drivers_table(themes: pd.DataFrame, status_label: Label = str) -> pd.DataFrame:
    """The driver view as a table: per mentioned theme (label first, status in words), what its criticism costs
    (negative: it pulls the NPS down) and what its praise adds, with intervals, sorted by the cost, largest
    first."""
    t = themes[themes["mentions"] > 0].sort_values(["points_at_stake", "mentions"], ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "theme": t["label"].to_numpy(),
            "status": [status_label(x) for x in t["status"]],
            "mentions": t["mentions"].to_numpy(),
            "praise": t["positive"].to_numpy(),
            "criticism": t["negative"].to_numpy(),
            "theme_nps": t["theme_nps"].to_numpy(),
            "criticism_costs": -t["points_at_stake"].to_numpy(),
            "criticism_costs_ci_low": -t["points_at_stake_ci_high"].to_numpy(),
            "criticism_costs_ci_high": -t["points_at_stake_ci_low"].to_numpy(),
            "praise_adds": t["impact_positive"].to_numpy(),
            "praise_adds_ci_low": t["impact_positive_ci_low"].to_numpy(),
            "praise_adds_ci_high": t["impact_positive_ci_high"].to_numpy(),
            "net_effect": t["impact"].to_numpy(),
            "theme_id": t["theme"].to_numpy(),
        }
    )


def _label_list(value: Any, label: Label, sep: str = ";") -> str:
    return ", ".join(label(x) for x in str(value or "").split(sep) if x)


def labelled_for_excel(
    table: pd.DataFrame,
    label: Label,
    polarity_words: dict[str, str],
    *,
    theme_column: bool = False,
    themes_column: Literal["replace", "insert"] = "replace",
) -> pd.DataFrame:
    """A copy with theme ids turned into labels for a reader: with ``theme_column`` (Themes, ThemeSegments: a
    table of themes) its ``theme`` column shows the label, the id kept next to it as ``theme_id`` (a ``label``
    column goes); ``route_to``/``criticised``/``praised`` (FollowUp) and the ``theme: words`` evidence (FollowUp,
    Responses) with labels; ``themes`` ("speed:negative;outcome") as "Speed (criticism), Outcome": replaced
    (``themes_column="replace"``, Review) or as a ``theme_labels`` column before the ids, which filters and tools
    use (``"insert"``, Responses). Columns of the survey's own with other names are left as they are."""
    out = table.copy()
    if theme_column and "theme" in out:
        at = table.columns.get_loc("theme")
        ids = out.pop("theme")
        out = out.drop(columns=["label", "theme_id"], errors="ignore")
        at = min(at, len(out.columns))
        out.insert(at, "theme", [label(x) for x in ids])
        out.insert(at + 1, "theme_id", ids)
    for col in ("route_to", "criticised", "praised"):
        if col in out:
            out[col] = [_label_list(v, label) for v in out[col]]
    if "evidence" in out:
        out["evidence"] = [
            " | ".join(
                f"{label(p.partition(': ')[0])}: {p.partition(': ')[2]}" if ": " in p else p
                for p in str(v or "").split(" | ")
                if p
            )
            if isinstance(v, str)
            else v
            for v in out["evidence"]
        ]
    if "themes" in out:
        words = _cached(lambda v: _polar_labels(v, label, polarity_words))
        labels = [words(v) for v in out["themes"]]
        if themes_column == "insert":
            out = out.drop(columns="theme_labels", errors="ignore")
            out.insert(out.columns.get_loc("themes"), "theme_labels", labels)
        else:
            out["themes"] = labels
    return out


def _polar_labels(value: Any, label: Label, polarity_words: dict[str, str]) -> str:
    """ "speed:negative;outcome" -> "Speed (criticism), Outcome" (as :func:`review_rows`)."""
    parts = []
    for item in str(value or "").split(";"):
        if item:
            theme, _, pol = item.partition(":")
            parts.append(f"{label(theme)} ({polarity_words.get(pol, pol)})" if pol else label(theme))
    return ", ".join(parts)


def _cached(f: Callable[[Any], str]) -> Callable[[Any], str]:
    memo: dict[Any, str] = {}

    def g(v: Any) -> str:
        key = v if isinstance(v, str) else str(v or "")
        if key not in memo:
            memo[key] = f(key)
        return memo[key]

    return g


#: Comments listed per theme in the report's drill-down (highest-confidence first); responses.csv has them all.
MAX_DRILLDOWN = 300


def theme_cards(
    strengths: pd.DataFrame,
    development: pd.DataFrame,
    quotes: dict[str, dict[str, list[dict[str, Any]]]],
    k: int = 3,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The development-area cards (shown first) and the strength cards: each theme once, with its praise and
    criticism quotes side by side. A quote is shown once in the whole report: a text already used on an
    earlier card is skipped."""
    seen: set[str] = set()

    def pick(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        chosen = []
        for q in items:
            key = " ".join(str(q["text"]).lower().split())
            if key in seen:
                continue
            seen.add(key)
            chosen.append(q)
            if len(chosen) >= k:
                break
        return chosen

    def cards(table: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
        out = []
        for r in table.to_dict(orient="records"):
            q = quotes.get(r["theme"], {})
            first, second = ("negative", "positive") if kind == "dev" else ("positive", "negative")
            chosen = {first: pick(q.get(first, []))}
            chosen[second] = pick(q.get(second, []))
            out.append({**r, "kind": kind, "quotes_neg": chosen["negative"], "quotes_pos": chosen["positive"]})
        return out

    dev = cards(development, "dev")
    return dev, cards(strengths, "str")


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float, float]:
    from .insights import _wilson as wilson

    return wilson(k, n, confidence)


def segment_driver_views(
    theme_segments: pd.DataFrame,
    focus: list[str],
    label: Label,
    min_n: int = 30,
    confidence: float = 0.95,
    max_segments: int = 15,
) -> list[dict[str, Any]]:
    """Theme x segment driver view, one per grouping column: for each focus theme and segment the share of the
    segment's commenting respondents criticising the theme with its Wilson interval, the share among all of
    the column's commenting respondents (``overall``), n, and ``small`` when fewer than ``min_n`` commented.
    Segments: the ``max_segments`` largest (``hidden`` says how many were left out)."""
    views_: list[dict[str, Any]] = []
    if not len(theme_segments) or not focus:
        return views_
    for col, g in theme_segments.groupby("column", sort=False):
        sizes = g.drop_duplicates("segment").sort_values(["commenting", "segment"], ascending=[False, True])
        keep = sizes["segment"].head(max_segments).tolist()
        panels = []
        for th in focus:
            rows = g[g["theme"] == th].set_index("segment")
            total_c = int(rows["commenting"].sum())
            overall = float(rows["negative"].sum() / total_c) if total_c else float("nan")
            cells = []
            for seg in keep:
                r = rows.loc[seg]
                c, neg = int(r["commenting"]), int(r["negative"])
                share, lo, hi = _wilson(neg, c, confidence)
                cells.append(
                    {
                        "segment": seg,
                        "n": int(r["n"]),
                        "commenting": c,
                        "negative": neg,
                        "share": share,
                        "lo": lo,
                        "hi": hi,
                        "small": c < min_n,
                    }
                )
            panels.append({"theme": th, "label": label(th), "overall": overall, "cells": cells})
        views_.append({"column": col, "panels": panels, "hidden": max(0, len(sizes) - len(keep))})
    return views_


def theme_trend_views(
    theme_trend: pd.DataFrame, themes: list[str], label: Label, partial: set[str], min_n: int = 30
) -> list[dict[str, Any]]:
    """Small multiples of the trend, one per theme (in the order of ``themes``, themes never mentioned left
    out): per period the share of commenting respondents praising and criticising it, and the theme NPS with
    its interval (``small`` when fewer than ``min_n`` respondents mentioned it in the period). ``partial``
    marks periods the data covers only in part."""
    out: list[dict[str, Any]] = []
    if not len(theme_trend):
        return out
    for th in themes:
        g = theme_trend[theme_trend["theme"] == th].sort_values("period")
        if not len(g) or not g["mentions"].sum():
            continue
        points = [
            {
                "period": r["period"],
                "pos": r["positive_share"],
                "neg": r["negative_share"],
                "nps": r["theme_nps"],
                "lo": r["theme_nps_ci_low"],
                "hi": r["theme_nps_ci_high"],
                "n": int(r["mentions"]),
                "small": int(r["mentions"]) < min_n,
                "partial": r["period"] in partial,
            }
            for r in g.to_dict(orient="records")
        ]
        out.append({"theme": th, "label": label(th), "points": points})
    return out


def drilldown(
    responses: pd.DataFrame,
    mentions: pd.DataFrame,
    themes: list[str],
    label: Label,
    columns: list[str],
    max_rows: int = MAX_DRILLDOWN,
) -> list[dict[str, Any]]:
    """Per theme (order of ``themes``), its comments: score, category, polarity, the comment (personal data
    masked), the evidence phrases, date and the grouping ``columns``; criticism first, then the most confident.
    At most ``max_rows`` per theme (``total`` says how many there are)."""
    from .privacy import redact

    out: list[dict[str, Any]] = []
    if not len(mentions):
        return out
    has_date = "date" in responses
    for th in themes:
        m = mentions[mentions["theme"] == th]
        if not len(m):
            continue
        order = np.lexsort((-m["probability"].to_numpy(), (m["polarity"] != "negative").to_numpy()))
        m = m.iloc[order[:max_rows]]
        rows = []
        for resp_i, pol, ev in zip(m["response"], m["polarity"], m["evidence"]):
            r = responses.iloc[int(resp_i)]
            date = r["date"] if has_date else None
            rows.append(
                {
                    "score": int(r["score"]),
                    "category": r["category"],
                    "polarity": pol,
                    "comment": redact(str(r["comment"])),
                    "evidence": [redact(e) for e in clean_evidence(ev)],
                    "date": None if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d"),
                    "groups": [("" if pd.isna(r[c]) else str(r[c])) for c in columns],
                }
            )
        out.append({"theme": th, "label": label(th), "total": int((mentions["theme"] == th).sum()), "rows": rows})
    return out


def review_rows(disagreements: pd.DataFrame, label: Label, polarity_words: dict[str, str]) -> list[dict[str, Any]]:
    """The review table's rows with theme labels and polarity words instead of ids ("Speed (criticism)")."""
    out = []
    for r in disagreements.to_dict(orient="records"):
        parts = []
        for item in str(r.get("themes") or "").split(";"):
            if not item:
                continue
            theme, _, pol = item.partition(":")
            parts.append(f"{label(theme)} ({polarity_words.get(pol, pol)})" if pol else label(theme))
        out.append({**r, "themes": ", ".join(parts)})
    return out


def segment_groups(segments: pd.DataFrame) -> list[dict[str, Any]]:
    """The segment NPS table grouped by column (each column named once), segments by n, largest first."""
    if not len(segments):
        return []
    return [
        {"column": col, "rows": g.sort_values(["n", "segment"], ascending=[False, True]).to_dict(orient="records")}
        for col, g in segments.groupby("column", sort=False)
    ]
