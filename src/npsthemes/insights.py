"""Theme insights: pure functions over DataFrames.

Inputs are the tagged responses (one row per accepted response: ``score``, ``category``, ``comment``, optional
``date`` and grouping columns) and the mentions (one row per (response, theme): ``response`` = row position in
responses, ``theme``, ``polarity``, ``probability``, ``polarity_probability``).

Definitions (also stated in the report's method section):

- Overall NPS S over N responses; theme NPS T over the k respondents who mention the theme.
- Impact = NPS(all) - NPS(all except respondents mentioning the theme) = k (T - S) / (N - k)
  (Thematic, Kapiche, zenloop). Computed also for negative mentions only (``impact_negative``; its opposite is
  ``points_at_stake``: how many points the overall NPS would gain without the respondents who criticise the theme)
  and for positive mentions only (``impact_positive``: how many points it would lose without those who praise it).
- Intervals: 95 % bootstrap over respondents, seeded. For one theme the statistic depends only on the counts of
  the six cells (mentions the theme or not) x (promoter, passive, detractor), so resampling respondents is exactly
  a multinomial draw of those six counts: exact and fast at any n.
- Impacts of overlapping themes do not add up (a respondent can mention several themes).
- Status rule (``min_mentions`` default 10). Praise share = praising / (praising + criticising) respondents, with
  a 95 % Wilson interval. A theme is a *strength* when the praise share's interval lies above 1/2, at least
  ``min_mentions`` respondents praise it and the interval of its positive impact lies above 0; a *development
  area* when the praise share's interval lies below 1/2, at least ``min_mentions`` respondents criticise it and
  the interval of its points at stake lies above 0; *both* (praised by some, criticised by others, as the web
  interface in the documents) when the praise share's interval contains 1/2 and both impact conditions hold.
  Otherwise: *uncertain* (enough mentions, intervals cross their thresholds), *too few mentions* (fewer than
  ``min_mentions`` in each direction), *not mentioned*. Development areas (and "both") are ranked by points at
  stake, strengths (and "both") by positive impact.
- Score change by theme: NPS = 100 * sum(x_i) / N with x = +1/0/-1. Each respondent's x is shared equally among
  the themes they mention (or goes to "no theme"); a theme's contribution is 100 * (its share of sum x) / N. The
  contributions add up to the NPS exactly, so the change between periods splits additively across themes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .stats import compare_nps, group_labels, nps_by, nps_from_counts, nps_values, period_labels

__all__ = [
    "theme_table",
    "rank_themes",
    "representative_quotes",
    "quotes_by_theme",
    "mask_personal_data",
    "coverage",
    "untagged_words",
    "score_text_disagreements",
    "follow_up_list",
    "theme_segments",
    "theme_trend",
    "score_change_by_theme",
    "STATUSES",
]

STATUSES = ("strength", "development_area", "both", "uncertain", "too_few_mentions", "not_mentioned")


def has_comment(responses: pd.DataFrame) -> pd.Series:
    """The rule for "this respondent wrote a reason", written once: a comment that is not only whitespace."""
    return responses["comment"].astype(str).str.strip() != ""


def _ridx(mentions: pd.DataFrame) -> np.ndarray:
    """Row positions (in responses) of the mentions, as integers even when there are none."""
    return mentions["response"].to_numpy(dtype=np.int64)


def _x(responses: pd.DataFrame) -> np.ndarray:
    return nps_values(responses["score"].to_numpy(dtype=float))


def _cells(x: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Counts [in_P, in_A, in_D, out_P, out_A, out_D]."""
    return np.array(
        [
            np.sum(member & (x == 1)),
            np.sum(member & (x == 0)),
            np.sum(member & (x == -1)),
            np.sum(~member & (x == 1)),
            np.sum(~member & (x == 0)),
            np.sum(~member & (x == -1)),
        ],
        dtype=np.int64,
    )


def _impact_from_cells(c: np.ndarray) -> np.ndarray:
    """Impact for cell counts of shape (..., 6)."""
    c = np.asarray(c, dtype=float)
    n = c.sum(axis=-1)
    n_out = c[..., 3:].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 100 * ((c[..., 0] + c[..., 3]) - (c[..., 2] + c[..., 5])) / n
        s_out = 100 * (c[..., 3] - c[..., 5]) / n_out
    return np.where(n_out > 0, s - s_out, np.nan)


def _impact_with_ci(
    x: np.ndarray, member: np.ndarray, rng: np.random.Generator, n_boot: int, confidence: float
) -> tuple[float, float, float]:
    cells = _cells(x, member)
    if cells[:3].sum() == 0:
        return 0.0, 0.0, 0.0
    est = float(_impact_from_cells(cells))
    n = int(cells.sum())
    draws = rng.multinomial(n, cells / n, size=n_boot)
    boot = _impact_from_cells(draws)
    boot = boot[~np.isnan(boot)]
    alpha = (1 - confidence) / 2
    lo, hi = (np.quantile(boot, alpha), np.quantile(boot, 1 - alpha)) if len(boot) else (np.nan, np.nan)
    return est, float(lo), float(hi)


def _wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Share k/n with its Wilson score interval."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, float(centre - half), float(centre + half)


def theme_table(
    responses: pd.DataFrame,
    mentions: pd.DataFrame,
    themes: Sequence[str],
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    min_mentions: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per theme: mentions, positive, negative, share of commenting respondents, theme NPS with interval,
    impact / impact_negative / impact_positive / points_at_stake with bootstrap intervals, and status."""
    rng = np.random.default_rng(seed)
    x = _x(responses)
    n = len(responses)
    commenting = int(has_comment(responses).sum()) if "comment" in responses else n
    rows = []
    for theme in themes:
        m = mentions[mentions["theme"] == theme]
        any_idx = np.zeros(n, dtype=bool)
        any_idx[_ridx(m)] = True
        neg_idx = np.zeros(n, dtype=bool)
        neg_idx[_ridx(m[m["polarity"] == "negative"])] = True
        pos_idx = np.zeros(n, dtype=bool)
        pos_idx[_ridx(m[m["polarity"] == "positive"])] = True
        k = int(any_idx.sum())
        xt = x[any_idx]
        tn = (
            nps_from_counts(int((xt == 1).sum()), int((xt == 0).sum()), int((xt == -1).sum()), confidence=confidence)
            if k
            else None
        )
        imp = _impact_with_ci(x, any_idx, rng, n_boot, confidence)
        neg = _impact_with_ci(x, neg_idx, rng, n_boot, confidence)
        pos = _impact_with_ci(x, pos_idx, rng, n_boot, confidence)
        n_pos, n_neg = int(pos_idx.sum()), int(neg_idx.sum())
        ps, ps_lo, ps_hi = _wilson(n_pos, n_pos + n_neg, confidence)
        dev = n_neg >= min_mentions and -neg[2] > 0  # points at stake interval = (-hi, -lo) of impact_negative
        strong = n_pos >= min_mentions and pos[1] > 0
        if k == 0:
            status = "not_mentioned"
        elif strong and ps_lo > 0.5:
            status = "strength"
        elif dev and ps_hi < 0.5:
            status = "development_area"
        elif dev and strong:
            status = "both"
        elif max(n_pos, n_neg) >= min_mentions:
            status = "uncertain"
        else:
            status = "too_few_mentions"
        rows.append(
            {
                "theme": theme,
                "mentions": k,
                "positive": n_pos,
                "negative": n_neg,
                "share": k / commenting if commenting else np.nan,
                "positive_share": n_pos / commenting if commenting else np.nan,
                "negative_share": n_neg / commenting if commenting else np.nan,
                "theme_nps": tn["nps"] if tn else np.nan,
                "theme_nps_ci_low": tn["ci_low"] if tn else np.nan,
                "theme_nps_ci_high": tn["ci_high"] if tn else np.nan,
                "impact": imp[0],
                "impact_ci_low": imp[1],
                "impact_ci_high": imp[2],
                "impact_negative": neg[0],
                "impact_negative_ci_low": neg[1],
                "impact_negative_ci_high": neg[2],
                "points_at_stake": -neg[0],
                "points_at_stake_ci_low": -neg[2],
                "points_at_stake_ci_high": -neg[1],
                "impact_positive": pos[0],
                "impact_positive_ci_low": pos[1],
                "impact_positive_ci_high": pos[2],
                "praise_share": ps,
                "praise_share_ci_low": ps_lo,
                "praise_share_ci_high": ps_hi,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def rank_themes(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(strengths ranked by positive impact, development areas ranked by points at stake).

    Each theme is in one list at most: a theme that is both praised and criticised (status ``both``) is a
    development area when its criticism costs at least as many NPS points as its praise adds, else a strength."""
    both = table["status"] == "both"
    leans_fix = table["points_at_stake"] >= table["impact_positive"]
    s = table[(table["status"] == "strength") | (both & ~leans_fix)].sort_values("impact_positive", ascending=False)
    d = table[(table["status"] == "development_area") | (both & leans_fix)]
    d = d.sort_values("points_at_stake", ascending=False)
    return s["theme"].tolist(), d["theme"].tolist()


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?:])")
_WORD_CHAR = re.compile(r"\w")


def clean_evidence(evidence: Any) -> list[str]:
    """The evidence words of a mention as phrases a reader can scan: the space the tokenizer put before
    punctuation removed, punctuation at the ends stripped, duplicates and phrases without a word left out."""
    return list(_clean_evidence(str(evidence or "")))


@lru_cache(maxsize=65536)
def _clean_evidence(evidence: str) -> tuple[str, ...]:
    out: list[str] = []
    for phrase in evidence.split(";"):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(phrase.split())).strip(" ,.!?:-–—")
        if _WORD_CHAR.search(text) and text not in out:
            out.append(text)
    return tuple(out)


def mask_personal_data(text: str) -> str:
    """Mask personal data in a quote: :func:`npsthemes.privacy.redact` (e-mail, phone, IBAN, card, Finnish and
    Swedish personal identity codes, each with its own tag)."""
    from .privacy import redact

    return redact(text)


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text.lower()))


def representative_quotes(
    responses: pd.DataFrame,
    mentions: pd.DataFrame,
    theme: str,
    polarity: str,
    *,
    k: int = 3,
    max_chars: int = 220,
    similarity: float = 0.5,
) -> list[dict[str, Any]]:
    """The clearest, short, non-duplicate comments for a theme and polarity, with score and date; personal data
    masked. Clarity = theme probability x polarity probability; comments over ``max_chars`` are penalised."""
    picked = quotes_by_theme(responses, mentions, [theme], [polarity], k=k, max_chars=max_chars, similarity=similarity)
    return picked[theme][polarity]


def quotes_by_theme(
    responses: pd.DataFrame,
    mentions: pd.DataFrame,
    themes: Sequence[str],
    polarities: Sequence[str] = ("positive", "negative"),
    *,
    k: int = 3,
    max_chars: int = 220,
    similarity: float = 0.5,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """:func:`representative_quotes` of every theme and polarity, from one pass over the mentions (theme ->
    polarity -> quotes)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {t: {p: [] for p in polarities} for t in themes}
    if mentions.empty:
        return out
    groups = (
        pd.Series(np.arange(len(mentions)))
        .groupby([mentions["theme"].to_numpy(), mentions["polarity"].to_numpy()], sort=False)
        .indices
    )
    comments = responses["comment"]
    dates = responses["date"] if "date" in responses else None
    scores = responses["score"]
    ridx = _ridx(mentions)
    prob = mentions["probability"].to_numpy()
    pprob = mentions["polarity_probability"].to_numpy()
    for theme in themes:
        for polarity in polarities:
            rows = groups.get((theme, polarity))
            if rows is None or not len(rows):
                continue
            r = ridx[rows]
            texts = comments.iloc[r].tolist()
            lengths = np.array([len(t) for t in texts])
            clarity = prob[rows] * pprob[rows]
            clarity = clarity * np.where(lengths > max_chars, 0.5, 1.0) * np.where(lengths < 15, 0.7, 1.0)
            order = np.argsort(-clarity, kind="stable")
            chosen: list[dict[str, Any]] = []
            seen: list[set[str]] = []
            for o in order[: 50 * k]:
                text = str(texts[o]).strip()
                toks = _tokens(text)
                if any(len(toks & s) / max(1, len(toks | s)) >= similarity for s in seen):
                    continue
                date = dates.iloc[r[o]] if dates is not None else None
                shown = mask_personal_data(text)
                if len(shown) > max_chars:
                    shown = shown[: max_chars - 1].rsplit(" ", 1)[0] + "…"
                chosen.append(
                    {
                        "text": shown,
                        "score": int(scores.iloc[r[o]]),
                        "date": None if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d"),
                        "clarity": float(clarity[o]),
                    }
                )
                seen.append(toks)
                if len(chosen) >= k:
                    break
            out[theme][polarity] = chosen
    return out


def coverage(responses: pd.DataFrame) -> dict[str, Any]:
    """Share of commenting respondents given at least one theme."""
    commenting = has_comment(responses)
    tagged = responses["n_themes"] > 0
    n_c = int(commenting.sum())
    return {
        "responses": len(responses),
        "commenting": n_c,
        "tagged": int((commenting & tagged).sum()),
        "coverage": float((commenting & tagged).sum() / n_c) if n_c else float("nan"),
        "untagged": int((commenting & ~tagged).sum()),
    }


_WORD = re.compile(r"[^\W\d_]{3,}")

#: Left out of the untagged-word list besides the model's stop words: stems that tokenising contractions
#: leaves behind ("haven't" -> "haven") and fillers that say nothing about a theme.
UNTAGGED_FILLERS = frozenset(
    "haven hasn hadn doesn didn isn aren wasn weren couldn wouldn shouldn won don ain mustn needn "
    "far yet also still much many lot lots bit thing things stuff really quite just get got "
    "ok okay fine yes nope thanks thank".split()
)


def untagged_words(
    responses: pd.DataFrame, stop_words: set[str] | frozenset[str], top: int = 25, min_responses: int = 3
) -> pd.DataFrame:
    """Most frequent words (3+ letters, not stop words) in commenting but untagged responses: what the taxonomy
    may be missing. Counts are of responses containing the word; ties keep the order of first appearance (a set
    here would order them by string hashes, which differ between runs).

    Personal data stays out: personal data is masked first, a word must occur in at least ``min_responses``
    responses, and words written capitalised in most of their occurrences inside a sentence (names of people,
    streets, places) are left out."""
    mask = has_comment(responses) & (responses["n_themes"] == 0)
    counts: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in responses.loc[mask, "comment"]:
        text = mask_personal_data(str(text))
        seen: dict[str, None] = {}
        for m in _WORD.finditer(text):
            w = m.group(0)
            low = w.lower()
            if low in stop_words or low in UNTAGGED_FILLERS:
                continue
            seen.setdefault(low)
            before = text[: m.start()].rstrip()
            if before and before[-1] not in ".!?:;\"'([-–—":
                inside[low] += 1
                capital[low] += w[0].isupper()
        counts.update(seen.keys())  # each word once per response
    rows = [
        (w, n) for w, n in counts.most_common() if n >= min_responses and not (inside[w] and capital[w] * 2 > inside[w])
    ]
    return pd.DataFrame(rows[:top], columns=["word", "responses"])


def score_text_disagreements(
    responses: pd.DataFrame, mentions: pd.DataFrame, *, high: int = 9, low: int = 4
) -> pd.DataFrame:
    """Responses whose score and text disagree strongly: score >= ``high`` with only negative mentions, or
    score <= ``low`` with only positive mentions (possible sarcasm, a mis-click or a mis-tag: review them)."""
    cols = ["response", "score", "comment", "themes", "kind"]
    if mentions.empty:
        return pd.DataFrame(columns=cols)
    pol = mentions.groupby(["response", "polarity"]).size().unstack(fill_value=0)
    neg = pol["negative"] if "negative" in pol else pd.Series(0, index=pol.index)
    pos = pol["positive"] if "positive" in pol else pd.Series(0, index=pol.index)
    total = pol.sum(axis=1)
    r = pol.index.to_numpy()
    scores = responses["score"].to_numpy()[r]
    only_neg = (neg.to_numpy() == total.to_numpy()) & (scores >= high)
    only_pos = (pos.to_numpy() == total.to_numpy()) & (scores <= low)
    sel = only_neg | only_pos
    out = pd.DataFrame(
        {
            "response": r[sel],
            "score": scores[sel].astype(int),
            "comment": [mask_personal_data(str(t)) for t in responses["comment"].to_numpy()[r[sel]]],
            "themes": responses["themes"].to_numpy()[r[sel]],
            "kind": np.where(only_neg[sel], "high score, only criticism", "low score, only praise"),
        }
    )
    return out[cols]


def follow_up_list(
    responses: pd.DataFrame, mentions: pd.DataFrame, table: pd.DataFrame, *, max_score: int = 6
) -> pd.DataFrame:
    """Detractors to contact (close the loop): every response with score <= ``max_score`` (default: all
    detractors), with what they criticised, so a CX team can call back and route the case.

    One row per response, in the order to work through: lowest score first, then the most recent (when there
    are dates), then the source row. Columns: ``priority`` (1, 2, ...), the response's own columns (``source_row``,
    ``id``, date, channel, agent, ... as loaded; contact details stay as they are: this list is for the team
    that follows up), ``criticised`` and ``praised`` (theme ids, ``;``-separated), ``route_to`` (the criticised
    theme with the most NPS points at stake in ``table``: the area the case belongs to; empty when nothing was
    criticised) and ``evidence`` (the words behind each criticism). Responses without a comment or without a
    tagged theme are listed too: their score alone is a reason to call.
    """
    keep = ["criticised", "praised", "route_to", "evidence"]
    base = [c for c in responses.columns if c not in ("themes", "n_themes", "category", "language")]
    sel = np.flatnonzero(responses["score"].to_numpy() <= max_score)
    out = responses.iloc[sel][base].reset_index(drop=True)
    stake = dict(zip(table["theme"], table["points_at_stake"].fillna(-np.inf))) if len(table) else {}
    crit: dict[int, list[str]] = {}
    praised: dict[int, list[str]] = {}
    evidence: dict[int, list[str]] = {}
    if len(mentions):
        m = mentions[mentions["response"].isin(sel)]
        for r, theme, pol, ev in zip(
            m["response"], m["theme"], m["polarity"], m["evidence"] if "evidence" in m else [""] * len(m)
        ):
            if pol == "negative":
                crit.setdefault(r, []).append(theme)
                words = clean_evidence(ev)
                if words:
                    evidence.setdefault(r, []).append(f"{theme}: {', '.join(words)}")
            elif pol == "positive":
                praised.setdefault(r, []).append(theme)
    rows = [int(r) for r in sel]
    out["criticised"] = [";".join(crit.get(r, [])) for r in rows]
    out["praised"] = [";".join(praised.get(r, [])) for r in rows]
    out["route_to"] = [max(crit[r], key=lambda t: stake.get(t, -np.inf)) if r in crit else "" for r in rows]
    out["evidence"] = [" | ".join(evidence.get(r, [])) for r in rows]
    order = pd.DataFrame({"score": out["score"].to_numpy(), "pos": np.arange(len(out))})
    keys, ascending = ["score"], [True]
    if "date" in out and out["date"].notna().any():
        order["date"] = pd.to_datetime(out["date"], errors="coerce").to_numpy()
        keys.append("date")
        ascending.append(False)
    order = order.sort_values(keys + ["pos"], ascending=ascending + [True], na_position="last", kind="stable")
    out = out.iloc[order["pos"].to_numpy()].reset_index(drop=True)
    out.insert(0, "priority", np.arange(1, len(out) + 1))
    return out[["priority"] + base + keep]


def theme_segments(
    responses: pd.DataFrame, mentions: pd.DataFrame, by: str, themes: Sequence[str], min_n: int = 30
) -> pd.DataFrame:
    """Theme x segment: for each segment of column ``by`` and each theme, the share of the segment's commenting
    respondents who criticise / praise the theme, with the segment's n and NPS: where each development area is
    concentrated."""
    seg = group_labels(responses[by]).to_numpy()
    commenting = has_comment(responses).to_numpy()
    base = pd.DataFrame({"segment": seg, "commenting": commenting, "x": _x(responses)})
    g = base.groupby("segment")
    seg_n = g.size()
    seg_c = g["commenting"].sum()
    seg_nps = 100 * g["x"].mean()
    m = mentions.assign(segment=seg[_ridx(mentions)])
    counts = m.groupby(["segment", "theme", "polarity"]).size()
    rows = []
    for s in seg_n.index:
        for t in themes:
            neg = int(counts.get((s, t, "negative"), 0))
            pos = int(counts.get((s, t, "positive"), 0))
            c = int(seg_c[s])
            rows.append(
                {
                    "column": by,
                    "segment": s,
                    "theme": t,
                    "n": int(seg_n[s]),
                    "commenting": c,
                    "segment_nps": float(seg_nps[s]),
                    "negative": neg,
                    "positive": pos,
                    "negative_share": neg / c if c else np.nan,
                    "positive_share": pos / c if c else np.nan,
                    "small_sample": bool(c < min_n),
                }
            )
    return pd.DataFrame(rows)


def theme_trend(responses: pd.DataFrame, mentions: pd.DataFrame, period: str, themes: Sequence[str]) -> pd.DataFrame:
    """Per period and theme: mentions, negative and positive, as shares of the period's commenting respondents."""
    per = period_labels(responses["date"], period).to_numpy()
    commenting = has_comment(responses).to_numpy()
    base = pd.DataFrame({"period": per, "commenting": commenting}).dropna(subset=["period"])
    per_c = base.groupby("period")["commenting"].sum()
    m = mentions.assign(period=per[_ridx(mentions)]).dropna(subset=["period"])
    counts = m.groupby(["period", "theme", "polarity"]).size()
    # respondents mentioning each theme per period, by category (for the theme NPS)
    x = _x(responses)
    who = m.drop_duplicates(["response", "theme"])
    who = who.assign(x=x[_ridx(who)])
    cats = who.groupby(["period", "theme", "x"]).size()
    rows = []
    for p in per_c.index:
        c = int(per_c[p])
        for t in themes:
            neg = int(counts.get((p, t, "negative"), 0))
            pos = int(counts.get((p, t, "positive"), 0))
            pr, pa, de = (int(cats.get((p, t, v), 0)) for v in (1, 0, -1))
            k = pr + pa + de
            tn = nps_from_counts(pr, pa, de) if k else None
            rows.append(
                {
                    "period": p,
                    "theme": t,
                    "commenting": c,
                    "negative": neg,
                    "positive": pos,
                    "negative_share": neg / c if c else np.nan,
                    "positive_share": pos / c if c else np.nan,
                    "share": (neg + pos) / c if c else np.nan,
                    "mentions": k,
                    "theme_nps": tn["nps"] if tn else np.nan,
                    "theme_nps_ci_low": tn["ci_low"] if tn else np.nan,
                    "theme_nps_ci_high": tn["ci_high"] if tn else np.nan,
                }
            )
    return pd.DataFrame(rows)


NO_THEME = "(no theme)"


def score_change_by_theme(responses: pd.DataFrame, mentions: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each period's NPS split additively into theme contributions (see module doc), and the change from the
    previous period split the same way. Rows: period, theme, contribution, change; the contributions of a period
    sum to its NPS and the changes to its NPS change."""
    per = period_labels(responses["date"], period)
    valid = per.notna().to_numpy()
    x = _x(responses).astype(float)
    n_themes = responses["n_themes"].to_numpy()
    m = mentions[["response", "theme"]].copy()
    m["w"] = x[_ridx(m)] / n_themes[_ridx(m)]
    m["period"] = per.to_numpy()[_ridx(m)]
    nt = pd.DataFrame({"period": per.to_numpy(), "w": np.where(n_themes == 0, x, 0.0)})
    nt["theme"] = NO_THEME
    allw = pd.concat([m[["period", "theme", "w"]], nt[["period", "theme", "w"]]], ignore_index=True)
    allw = allw[allw["period"].notna()]
    n_per = pd.Series(per[valid]).value_counts()
    contrib = allw.groupby(["period", "theme"])["w"].sum().unstack(fill_value=0.0)
    contrib = 100 * contrib.div(n_per.reindex(contrib.index), axis=0)
    contrib = contrib.sort_index()
    change = contrib.diff()
    out = contrib.stack().rename("contribution").to_frame().join(change.stack().rename("change"))
    return out.reset_index().rename(columns={"level_1": "theme"})


def period_nps(responses: pd.DataFrame, period: str, method: str = "wald", min_n: int = 30) -> pd.DataFrame:
    """NPS per period with interval, change from the previous period and its significance (z test)."""
    return nps_by(responses, period=period, method=method, min_n=min_n)


__all__ += ["period_nps", "compare_nps", "NO_THEME"]
