"""NPS statistics: pure functions over DataFrames.

Per response x = +1 (promoter, 9-10), 0 (passive, 7-8), -1 (detractor, 0-6); NPS = 100 * mean(x).
With shares p (promoters) and d (detractors), Var(x) = p + d - (p - d)^2 and SE(NPS) = 100 * sqrt(Var / n).

Interval methods (``method=``):

``"wald"`` (default)
    NPS +- z * SE, the formula most CX tools and the domain guide use. Degenerate at small n or when
    every respondent is in one category (SE 0).
``"adjusted"``
    Adjusted Wald (Lewis & Sauro, MeasuringU): add 3 pseudo-respondents, 0.75 promoters, 1.5 passives and
    0.75 detractors, then apply the Wald formula to the adjusted shares. Better coverage for small n and
    extreme shares; the interval is centred on the adjusted estimate and clipped to [-100, 100].
``"bootstrap"``
    Percentile bootstrap over respondents (multinomial resampling of the three counts, seeded).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError, DataError

__all__ = [
    "CATEGORIES",
    "categorize",
    "nps",
    "nps_from_counts",
    "nps_by",
    "compare_nps",
    "period_labels",
    "partial_periods",
    "paired_bootstrap_ratio",
    "SMALL_SAMPLE_N",
]

CATEGORIES = ("promoter", "passive", "detractor")
SMALL_SAMPLE_N = 30
METHODS = ("wald", "adjusted", "bootstrap")
PERIODS = ("week", "month", "quarter", "year")


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise DataError(f"confidence must be between 0 and 1; got {confidence}")
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


SCORE_MIN, SCORE_MAX = 0, 10


def check_scores(arr: np.ndarray) -> None:
    """Scores given to the statistics must be known and within 0-10 (``loading.parse_scores`` is the rule that
    reads them from a file: whole numbers only)."""
    if np.isnan(arr).any() or (arr < SCORE_MIN).any() or (arr > SCORE_MAX).any():
        raise DataError("scores must be whole numbers 0-10 (validate with load_survey first)", param="score")


#: Codes of :func:`category_codes`, in order: index 0 promoter, 1 passive, 2 detractor; 3 is an unknown score.
UNKNOWN_CATEGORY = 3


def category_codes(scores: Any) -> np.ndarray:
    """The NPS rule, written once: the category code of each score, 0 promoter (9-10), 1 passive (7-8),
    2 detractor (0-6), 3 unknown (NaN). Scores are validated (whole numbers 0-10) by ``loading.parse_scores``.

    >>> category_codes([10, 8, 3, float("nan")]).tolist()
    [0, 1, 2, 3]
    """
    arr = np.asarray(scores, dtype=float)
    out = np.full(arr.shape, UNKNOWN_CATEGORY, dtype=np.int64)
    known = ~np.isnan(arr)
    out[known & (arr >= 9)] = 0
    out[known & (arr >= 7) & (arr < 9)] = 1
    out[known & (arr < 7)] = 2
    return out


def nps_values(scores: Any) -> np.ndarray:
    """Each known score's contribution to the NPS: +1 promoter, 0 passive, -1 detractor (from
    :func:`category_codes`)."""
    return 1 - category_codes(scores)


def categorize(scores: Iterable[int] | pd.Series) -> pd.Series:
    """NPS category of each score: promoter (9-10), passive (7-8), detractor (0-6).

    >>> categorize([10, 8, 3]).tolist()
    ['promoter', 'passive', 'detractor']
    """
    s = pd.Series(scores) if not isinstance(scores, pd.Series) else scores
    arr = s.to_numpy(dtype=float)
    check_scores(arr)
    codes = category_codes(arr)
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(CATEGORIES)), index=s.index, name="category")


def nps_from_counts(
    promoters: Any,
    passives: Any,
    detractors: Any,
    *,
    method: str = "wald",
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> dict[str, Any]:
    """NPS, standard error and interval from category counts (scalars or equal-length arrays).

    >>> r = nps_from_counts(38, 3, 3)
    >>> round(r["nps"], 1), round(r["ci_low"], 1), round(r["ci_high"], 1)
    (79.5, 63.4, 95.7)
    """
    if method not in METHODS:
        raise DataError(f"unknown interval method {method!r}; expected one of {', '.join(METHODS)}")
    P = np.asarray(promoters, dtype=float)
    A = np.asarray(passives, dtype=float)
    D = np.asarray(detractors, dtype=float)
    n = P + A + D
    with np.errstate(invalid="ignore", divide="ignore"):
        p, a, d = P / n, A / n, D / n
        score = 100 * (p - d)
        var = p + d - (p - d) ** 2
        se = 100 * np.sqrt(np.maximum(var, 0) / n)
    z = _z(confidence)
    if method == "wald":
        lo, hi = score - z * se, score + z * se
    elif method == "adjusted":
        na = n + 3
        pa, da = (P + 0.75) / na, (D + 0.75) / na
        centre = 100 * (pa - da)
        se_a = 100 * np.sqrt(np.maximum(pa + da - (pa - da) ** 2, 0) / na)
        lo, hi = centre - z * se_a, centre + z * se_a
    else:
        rng = np.random.default_rng(random_state)
        Pf, Af, Df = np.atleast_1d(P), np.atleast_1d(A), np.atleast_1d(D)
        lo_l, hi_l = [], []
        alpha = (1 - confidence) / 2
        for pc, ac, dc in zip(Pf, Af, Df):
            nn = int(pc + ac + dc)
            if nn == 0:
                lo_l.append(np.nan)
                hi_l.append(np.nan)
                continue
            draws = rng.multinomial(nn, [pc / nn, ac / nn, dc / nn], size=n_boot)
            boot = 100 * (draws[:, 0] - draws[:, 2]) / nn
            lo_l.append(np.quantile(boot, alpha))
            hi_l.append(np.quantile(boot, 1 - alpha))
        lo, hi = np.asarray(lo_l), np.asarray(hi_l)
        if np.ndim(P) == 0:
            lo, hi = lo[0], hi[0]
    lo = np.clip(lo, -100, 100)
    hi = np.clip(hi, -100, 100)

    def out(x: Any) -> Any:
        return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)

    def count(x: Any) -> Any:
        return int(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.int64)

    return {
        "n": count(n),
        "promoters": count(P),
        "passives": count(A),
        "detractors": count(D),
        "promoter_share": out(p),
        "passive_share": out(a),
        "detractor_share": out(d),
        "nps": out(score),
        "se": out(se),
        "ci_low": out(lo),
        "ci_high": out(hi),
        "method": method,
        "confidence": confidence,
    }


def _scores_of(data: pd.DataFrame | pd.Series | Sequence[int], score: str) -> pd.Series:
    if isinstance(data, pd.DataFrame):
        if score not in data:
            raise ColumnNotFoundError(f"no column {score!r}; columns: {', '.join(map(str, data.columns))}")
        return data[score]
    return pd.Series(data)


def _counts(scores: pd.Series) -> tuple[int, int, int]:
    arr = scores.to_numpy(dtype=float)
    check_scores(arr)
    counts = np.bincount(category_codes(arr), minlength=UNKNOWN_CATEGORY)
    return int(counts[0]), int(counts[1]), int(counts[2])


def nps(
    data: pd.DataFrame | pd.Series | Sequence[int],
    *,
    score: str = "score",
    method: str = "wald",
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> dict[str, Any]:
    """Overall NPS of a DataFrame (column ``score``) or a sequence of 0-10 scores.

    Returns a dict with ``n``, ``promoters``, ``passives``, ``detractors`` (counts), their ``*_share``,
    ``nps`` (-100..100, not rounded), ``se``, ``ci_low``, ``ci_high``, ``method`` and ``confidence``.

    >>> r = nps([10] * 38 + [8] * 3 + [2] * 3)
    >>> r["n"], round(r["nps"], 1), round(r["promoter_share"] * 100, 1)
    (44, 79.5, 86.4)
    """
    scores = _scores_of(data, score)
    if len(scores) == 0:
        raise DataError("cannot compute NPS of zero responses")
    P, A, D = _counts(scores)
    return nps_from_counts(P, A, D, method=method, confidence=confidence, n_boot=n_boot, random_state=random_state)


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """Label each date with its period: ``2026-03`` (month), ``2026Q1`` (quarter), ``2026-W09`` (ISO week),
    ``2026`` (year). Missing dates give missing labels."""
    if period not in PERIODS:
        raise DataError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")
    d = pd.to_datetime(dates)
    if period == "month":
        out = d.dt.strftime("%Y-%m")
    elif period == "quarter":
        out = d.dt.year.astype("Int64").astype(str) + "Q" + d.dt.quarter.astype("Int64").astype(str)
    elif period == "year":
        out = d.dt.year.astype("Int64").astype(str)
    else:
        iso = d.dt.isocalendar()
        out = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    out = out.astype(object).where(d.notna(), None)
    return out.rename(period)


def partial_periods(dates: pd.Series, period: str) -> set[str]:
    """The labels (as :func:`period_labels` gives them) of the first and last period when the data covers them
    only in part: the first date falls after its period's first day, or the last date before its period's last
    day. A trend's first and last points often rest on part of a month; the report marks them."""
    d = pd.to_datetime(dates).dropna()
    if not len(d):
        return set()
    freq = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}[period] if period in PERIODS else None
    if freq is None:
        raise DataError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")
    first, last = d.min(), d.max()
    ends = pd.Series([first, last])
    labels = period_labels(ends, period).tolist()
    out = set()
    if first.normalize() > first.to_period(freq).start_time.normalize():
        out.add(labels[0])
    if last.normalize() < last.to_period(freq).end_time.normalize():
        out.add(labels[1])
    return out


def compare_nps(a: dict[str, Any], b: dict[str, Any], *, confidence: float = 0.95) -> dict[str, Any]:
    """Test the difference between two independent NPS results (``b - a``).

    z = (NPS_b - NPS_a) / sqrt(SE_a^2 + SE_b^2); two-sided p-value from the normal distribution.

    >>> r = compare_nps({"nps": 20.0, "se": 5.0}, {"nps": 40.0, "se": 5.0})
    >>> round(r["difference"], 1), round(r["z"], 2), r["significant"]
    (20.0, 2.83, True)
    """
    diff = float(b["nps"]) - float(a["nps"])
    se = math.sqrt(float(a["se"]) ** 2 + float(b["se"]) ** 2)
    z = diff / se if se > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
    p = math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else 0.0
    zc = _z(confidence)
    return {
        "difference": diff,
        "se": se,
        "z": z,
        "p_value": p,
        "ci_low": diff - zc * se,
        "ci_high": diff + zc * se,
        "significant": bool(p < 1 - confidence),
    }


MISSING_GROUP = "(missing)"


def group_labels(values: pd.Series) -> pd.Series:
    """Group values as text, a missing value as :data:`MISSING_GROUP` (so groups recombine to the total)."""
    return values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)


def nps_by(
    data: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    period: str | None = None,
    date: str = "date",
    score: str = "score",
    method: str = "wald",
    confidence: float = 0.95,
    min_n: int = SMALL_SAMPLE_N,
    random_state: int = 0,
) -> pd.DataFrame:
    """NPS per group (any columns) and/or per period of the date column.

    One row per group with the group's column values, ``n``, counts, shares, ``nps``, ``se``, ``ci_low``,
    ``ci_high`` and ``small_sample`` (n < ``min_n``). Missing group values form their own group
    ``"(missing)"`` so that the groups recombine to the overall counts; rows without a date are left out of
    period views (the caller reports how many). With ``period``, each row also carries the change from the
    previous period of the same group: ``change``, ``change_z``, ``change_p``, ``change_significant``.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    if not by and not period:
        raise DataError("nps_by needs at least one grouping column or a period")
    for col in by + [score]:
        if col not in data:
            raise ColumnNotFoundError(f"no column {col!r} to group by; columns: {', '.join(map(str, data.columns))}")
    frame = pd.DataFrame(index=data.index)
    keys = list(by)
    for col in by:
        values = data[col]
        frame[col] = group_labels(values)
    if period:
        if date not in data:
            raise ColumnNotFoundError(
                f"no date column {date!r} for the `period` views; name one with `date_column`", param="date_column"
            )
        frame[period] = period_labels(data[date], period)
        frame = frame[frame[period].notna()]
        keys.append(period)
    sc = data.loc[frame.index, score].to_numpy(dtype=float)
    frame["_cat"] = np.array(["promoters", "passives", "detractors"], dtype=object)[category_codes(sc)]
    counts = frame.groupby(keys + ["_cat"], sort=True, observed=True).size().unstack("_cat", fill_value=0)
    for c in ("promoters", "passives", "detractors"):
        if c not in counts:
            counts[c] = 0
    counts = counts[["promoters", "passives", "detractors"]]
    res = nps_from_counts(
        counts["promoters"].to_numpy(),
        counts["passives"].to_numpy(),
        counts["detractors"].to_numpy(),
        method=method,
        confidence=confidence,
        random_state=random_state,
    )
    out = counts.reset_index()[keys].copy()
    for key in (
        "n",
        "promoters",
        "passives",
        "detractors",
        "promoter_share",
        "passive_share",
        "detractor_share",
        "nps",
        "se",
        "ci_low",
        "ci_high",
    ):
        out[key] = np.atleast_1d(res[key])
    out["small_sample"] = out["n"] < min_n
    if period:
        groups = out.groupby(by, sort=False) if by else [(None, out)]
        out["change"] = np.nan
        out["change_z"] = np.nan
        out["change_p"] = np.nan
        out["change_significant"] = False
        for _, g in groups:
            g = g.sort_values(period)
            prev = None
            for idx, row in g.iterrows():
                if prev is not None:
                    cmp = compare_nps(prev, row, confidence=confidence)
                    out.loc[idx, ["change", "change_z", "change_p"]] = [cmp["difference"], cmp["z"], cmp["p_value"]]
                    out.loc[idx, "change_significant"] = cmp["significant"]
                prev = row
        out = out.sort_values(keys).reset_index(drop=True)
    return out.reset_index(drop=True)


def paired_bootstrap_ratio(
    num_a: Any,
    den_a: Any,
    num_b: Any,
    den_b: Any,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
    draws: bool = False,
) -> dict[str, Any]:
    """Paired percentile bootstrap of the difference ``b - a`` of two ratio statistics measured on the same units
    (for example comments): ``sum(num) / sum(den)`` for each of ``a`` and ``b`` (micro F1 is ``2 tp / (2 tp + fp
    + fn)``, an accuracy ``correct / pairs``). Each resample draws the units with replacement (seeded) and applies
    the same draw to both, so what the two share cancels out of the difference.

    Returns ``a``, ``b``, ``difference``, ``low``, ``high`` (the ``confidence`` percentile interval of the
    difference) and ``share_b_better`` (share of resamples with ``b`` ahead); ``draws=True`` adds the resampled
    values ``draws_a``, ``draws_b``.

    >>> r = paired_bootstrap_ratio([1, 0, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], n_boot=200)
    >>> r["a"], r["b"], r["difference"]
    (0.75, 1.0, 0.25)
    """
    arrays = [np.asarray(v, dtype=float) for v in (num_a, den_a, num_b, den_b)]
    n = len(arrays[0])
    if any(len(v) != n for v in arrays):
        raise ValueError("paired_bootstrap_ratio: the four arrays need one value per unit each")
    if n == 0:
        raise ValueError("paired_bootstrap_ratio: no units to resample")

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)

    point_a = float(ratio(np.array([arrays[0].sum()]), np.array([arrays[1].sum()]))[0])
    point_b = float(ratio(np.array([arrays[2].sum()]), np.array([arrays[3].sum()]))[0])
    rng = np.random.default_rng(random_state)
    sums = np.zeros((4, n_boot))
    for start in range(0, n_boot, 256):  # counts of each unit in each resample, 256 resamples at a time
        k = min(256, n_boot - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=k).astype(float)
        for j, v in enumerate(arrays):
            sums[j, start : start + k] = counts @ v
    boot_a, boot_b = ratio(sums[0], sums[1]), ratio(sums[2], sums[3])
    diff = boot_b - boot_a
    alpha = (1 - confidence) / 2
    out: dict[str, Any] = {
        "a": point_a,
        "b": point_b,
        "difference": point_b - point_a,
        "low": float(np.quantile(diff, alpha)),
        "high": float(np.quantile(diff, 1 - alpha)),
        "share_b_better": float(np.mean(diff > 0)),
        "n_units": n,
        "n_boot": int(n_boot),
    }
    if draws:
        out["draws_a"], out["draws_b"] = boot_a, boot_b
    return out
